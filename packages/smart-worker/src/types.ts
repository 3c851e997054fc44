import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** Supplies Omni Keys (implemented by enclave-sim). Same (store, identity) must always give the same 32 bytes. */
export interface OmniKeyProvider {
  getOmniKey(store: string, workerIdentity: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** Key-value store the host seals; the runtime keeps its worker records under `smart-worker/workers/`. */
export interface SealedKv {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  del(key: string): Promise<void>;
  /** Keys (full key strings) starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

export interface SmartWorkerLimits {
  /**
   * CPU time one call (invoke or tasks run) may use. workerd has no limiter of its own, so the host measures the
   * worker's own workerd process (Linux /proc, every 25 ms) and recycles it when a call goes over. Default: none.
   */
  cpuMs?: number;
  /** Resident memory of the worker's workerd process during a call, enforced the same way. Default: none. */
  memoryMb?: number;
  /** Wall-clock bound of one `invoke` (default 5 s); on expiry the isolate is recycled. */
  invokeTimeoutMs?: number;
  /** Wall-clock bound of one scheduled `tasks()` run (default 5 min); on expiry the isolate is recycled. */
  taskTimeoutMs?: number;
}

export interface SmartWorkerRuntimeOptions {
  keys: OmniKeyProvider;
  storage: SealedKv;
  /** Secret variables per worker (delivered via Olm later); merged into the config binding as `config.env`. */
  envProvider?: (worker: { id: string; shard?: string }) => Promise<Record<string, string>>;
  /** Outbound fetch allow-list: `host` (ports 80/443 only) or `host:port`. Default: nothing, not even loopback. */
  fetchAllow?: string[];
  limits?: SmartWorkerLimits;
  clock?: Clock;
  log?: Logger;
}

export type ScriptType = 'module' | 'classic';

/** A validated creation request. */
export interface WorkerSpec {
  code: string;
  type: ScriptType;
  /** The config object given to the worker as the `config` JSON binding. */
  config: Record<string, unknown>;
  /** Normalised cron (5 fields, 6 with seconds, or an @-macro); undefined = no schedule. */
  schedule?: string;
  name: string;
  shard?: string;
}

/** What is persisted per worker. */
export interface WorkerRecord extends WorkerSpec {
  v: 1;
  id: string;
  createdAt: number;
}

export type WorkerStatus = 'idle' | 'starting' | 'ready' | 'failed';

export interface RunSummary {
  at: number;
  trigger: 'create' | 'cron' | 'invoke';
  ok: boolean;
  error?: string;
}

export interface WorkerInfo {
  id: string;
  name: string;
  shard?: string;
  type: ScriptType;
  schedule?: string;
  /** Hex sha256 identity the Omni Keys are bound to. */
  identity: string;
  status: WorkerStatus;
  createdAt: number;
  lastRun?: RunSummary;
  lastError?: { at: number; message: string };
  nextRun?: number;
}

export interface LogLine {
  timestamp: number;
  level: string;
  message: string;
}

export interface InvocationBlockContext {
  blockNumber: number | bigint;
  blockHash: Uint8Array;
  /** Block timestamp in milliseconds. */
  timestamp: number;
  /** Extra STF entropy mixed into the worker seed (optional). */
  seed?: Uint8Array;
}

export interface InvocationRequest {
  input: Uint8Array;
  sender: Uint8Array;
  ctx: InvocationBlockContext;
}

export type InvocationResult = { ok: true; output: Uint8Array } | { ok: false; error: string };
