import { randomUUID } from 'node:crypto';

import { INVOKE_HEADERS, INVOKE_URL } from '@sealbridge/smart-worker-sdk';

import { systemClock, type Clock } from './clock.js';
import {
  DEFAULT_INVOKE_TIMEOUT_MS,
  DEFAULT_TASK_TIMEOUT_MS,
  LOG_LINES_PER_WORKER,
  MAX_ERROR_CHARS,
  SEED_KEY_STORE,
} from './constants.js';
import { normalizeWorkerRequest, type RawWorkerRequest } from './create-request.js';
import { SmartWorkerError } from './errors.js';
import { handleEscrinRpc } from './escrin-service.js';
import { startRunnerServer, type ListenOptions, type RunnerServer } from './http-api.js';
import { invocationSeed, toHex, workerIdentity } from './identity.js';
import { InstanceTimeoutError, WorkerInstance, type InstanceLimits } from './instance.js';
import { noopLogger, type Logger } from './logger.js';
import { createOutboundService } from './outbound.js';
import { CronScheduler } from './scheduler.js';
import { WorkerStore } from './store.js';
import type {
  InvocationRequest,
  InvocationResult,
  LogLine,
  RunSummary,
  SmartWorkerRuntimeOptions,
  WorkerInfo,
  WorkerRecord,
  WorkerStatus,
} from './types.js';

interface Entry {
  record: WorkerRecord;
  identity: Uint8Array;
  status: WorkerStatus;
  instance?: Promise<WorkerInstance>;
  /** The started instance behind `instance`, for synchronous identity checks when recycling. */
  current?: WorkerInstance;
  removed: boolean;
  omniKeys: Map<string, Promise<Uint8Array>>;
  logs: LogLine[];
  lastRun?: RunSummary;
  lastError?: { at: number; message: string };
  tasksRunning: boolean;
}

export interface CreateOptions {
  /** Run `tasks()` once right after creation, as Escrin does (default true). */
  runTasksNow?: boolean;
}

/** Creates the runtime and restores every worker (and schedule) found in `options.storage`. */
export async function createSmartWorkerRuntime(options: SmartWorkerRuntimeOptions): Promise<SmartWorkerRuntime> {
  const runtime = new SmartWorkerRuntime(options);
  await runtime.restore();
  return runtime;
}

export class SmartWorkerRuntime {
  readonly #options: SmartWorkerRuntimeOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: WorkerStore;
  readonly #outbound: ReturnType<typeof createOutboundService>;
  readonly #scheduler: CronScheduler;
  readonly #entries = new Map<string, Entry>();
  readonly #servers = new Set<RunnerServer>();
  readonly #invokeTimeoutMs: number;
  readonly #taskTimeoutMs: number;
  readonly #instanceLimits: InstanceLimits;
  #closed = false;

  /** Prefer `createSmartWorkerRuntime`, which also restores persisted workers. */
  constructor(options: SmartWorkerRuntimeOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? noopLogger;
    this.#store = new WorkerStore(options.storage, this.#log);
    this.#outbound = createOutboundService(options.fetchAllow ?? []);
    this.#scheduler = new CronScheduler(this.#clock, (id, cron, at) => {
      const entry = this.#entries.get(id);
      if (entry) void this.#runTasks(entry, cron, at, 'cron');
    });
    const limits = options.limits ?? {};
    this.#invokeTimeoutMs = positive(limits.invokeTimeoutMs, 'invokeTimeoutMs') ?? DEFAULT_INVOKE_TIMEOUT_MS;
    this.#taskTimeoutMs = positive(limits.taskTimeoutMs, 'taskTimeoutMs') ?? DEFAULT_TASK_TIMEOUT_MS;
    this.#instanceLimits = { cpuMs: positive(limits.cpuMs, 'cpuMs'), memoryMb: positive(limits.memoryMb, 'memoryMb') };
  }

  /** Loads persisted workers and re-arms their schedules; isolates start lazily on first use. */
  async restore(): Promise<void> {
    for (const record of await this.#store.loadAll()) {
      if (this.#entries.has(record.id)) continue;
      this.#add(record);
    }
  }

  /** Validates, starts (so a broken script is rejected) and persists a worker. */
  async create(request: RawWorkerRequest, { runTasksNow = true }: CreateOptions = {}): Promise<WorkerInfo> {
    this.#assertOpen();
    const spec = normalizeWorkerRequest(request);
    const record: WorkerRecord = { v: 1, id: randomUUID(), createdAt: this.#clock.now(), ...spec };
    const entry = this.#newEntry(record);
    await this.#instance(entry); // throws ERR_SCRIPT_FAILED for scripts workerd cannot load
    try {
      this.#assertOpen(); // closed while starting: close() cannot see this entry yet, so dispose here
      await this.#store.put(record);
    } catch (e) {
      await this.#disposeInstance(entry);
      if (e instanceof SmartWorkerError) throw e;
      throw new SmartWorkerError('ERR_INTERNAL', 'could not persist the worker', { cause: e });
    }
    this.#add(record, entry);
    this.#log.log('info', 'smart worker created', { id: record.id, name: record.name, type: record.type });
    if (runTasksNow) void this.#runTasks(entry, '', this.#clock.now(), 'create');
    return this.#info(entry);
  }

  get(id: string): WorkerInfo | undefined {
    const entry = this.#entries.get(id);
    return entry && this.#info(entry);
  }

  list(): WorkerInfo[] {
    return [...this.#entries.values()].map((entry) => this.#info(entry));
  }

  /** The last `limit` console lines (and workerd errors) of a worker, oldest first. */
  logs(id: string, limit = LOG_LINES_PER_WORKER): LogLine[] {
    const entry = this.#entry(id);
    return limit > 0 ? entry.logs.slice(-limit) : [];
  }

  /** Stops the schedule, disposes the isolate and deletes the stored record. Returns false for unknown ids. */
  async remove(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#scheduler.unschedule(id);
    this.#entries.delete(id);
    entry.removed = true;
    await Promise.all([this.#store.delete(id), this.#disposeInstance(entry)]);
    this.#log.log('info', 'smart worker removed', { id });
    return true;
  }

  async bindToShard(id: string, shard: string): Promise<void> {
    const entry = this.#entry(id);
    const spec = normalizeWorkerRequest({ ...entry.record, shard });
    const record = { ...entry.record, shard: spec.shard };
    await this.#store.put(record);
    entry.record = record;
  }

  /**
   * The env of the workers bound to `shard` (all workers without it) changed: their isolates are stopped and start
   * again, with the new `config.env`, on their next call or schedule.
   */
  async reloadEnv(shard?: string): Promise<void> {
    const affected = [...this.#entries.values()].filter((e) => shard === undefined || e.record.shard === shard);
    await Promise.all(affected.filter((e) => e.instance).map((e) => this.#disposeInstance(e)));
  }

  workersForShard(shard: string): string[] {
    return [...this.#entries.values()].filter((e) => e.record.shard === shard).map((e) => e.record.id);
  }

  /** Runs `tasks()` now (a scheduled event with `cron: ''`, like Escrin's creation run) and reports the outcome. */
  runTasks(id: string): Promise<RunSummary> {
    return this.#runTasks(this.#entry(id), '', this.#clock.now(), 'create');
  }

  /**
   * Block-driven invocation. POSTs `input` to the worker's fetch handler at INVOKE_URL (or its `invoke` export)
   * with the block context in headers. Any failure, including an unknown worker, is `{ok:false}`; a timeout or a
   * broken isolate also recycles the isolate so the next call starts clean.
   */
  async invoke(id: string, { input, sender, ctx }: InvocationRequest): Promise<InvocationResult> {
    const entry = this.#entries.get(id);
    if (!entry || this.#closed) return { ok: false, error: entry ? 'runtime closed' : `unknown worker: ${id}` };
    let dispatching: WorkerInstance | undefined;
    try {
      const instance = await this.#instance(entry);
      const seed = invocationSeed(await this.#omniKey(entry, SEED_KEY_STORE), ctx.blockHash, ctx.seed);
      dispatching = instance;
      const res = await instance.fetch(
        INVOKE_URL,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            [INVOKE_HEADERS.sender]: toHex(sender),
            [INVOKE_HEADERS.blockNumber]: BigInt(ctx.blockNumber).toString(),
            [INVOKE_HEADERS.blockHash]: toHex(ctx.blockHash),
            [INVOKE_HEADERS.timestamp]: String(ctx.timestamp),
            [INVOKE_HEADERS.seed]: toHex(seed),
          },
          body: input,
        },
        this.#invokeTimeoutMs,
      );
      if (res.status >= 200 && res.status < 300) {
        entry.lastRun = { at: this.#clock.now(), trigger: 'invoke', ok: true };
        return { ok: true, output: res.body };
      }
      const error = `worker answered ${res.status}: ${new TextDecoder().decode(res.body)}`;
      return this.#failed(entry, 'invoke', truncate(error));
    } catch (e) {
      // A failed dispatch means the isolate is stuck (timeout) or gone (workerd crashed): replace it.
      if (dispatching) await this.#recycle(entry, dispatching);
      return this.#failed(entry, 'invoke', truncate(errorMessage(e)));
    }
  }

  /** Starts the Escrin-compatible runner HTTP API (see http-api.ts); closed by `close()`. */
  async listen(options: ListenOptions = {}): Promise<RunnerServer> {
    this.#assertOpen();
    const server = await startRunnerServer(this, options, this.#log);
    this.#servers.add(server);
    return {
      url: server.url,
      port: server.port,
      close: async () => {
        this.#servers.delete(server);
        await server.close();
      },
    };
  }

  /** Stops schedules and servers and kills every isolate. Stored workers stay for the next runtime. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.stop();
    await Promise.allSettled([...this.#servers].map((s) => s.close()));
    this.#servers.clear();
    await Promise.allSettled([...this.#entries.values()].map((e) => this.#disposeInstance(e)));
  }

  #newEntry(record: WorkerRecord): Entry {
    return {
      record,
      identity: workerIdentity(record.name, record.code),
      status: 'idle',
      omniKeys: new Map(),
      logs: [],
      tasksRunning: false,
      removed: false,
    };
  }

  #add(record: WorkerRecord, entry = this.#newEntry(record)): void {
    this.#entries.set(record.id, entry);
    if (record.schedule) this.#scheduler.schedule(record.id, record.schedule);
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new SmartWorkerError('ERR_NOT_FOUND', `unknown worker: ${id}`);
    return entry;
  }

  /** The worker's running instance, started on first use (and again after a failed start or a recycle). */
  #instance(entry: Entry): Promise<WorkerInstance> {
    if (!entry.instance) {
      entry.status = 'starting';
      const starting = this.#startInstance(entry);
      entry.instance = starting;
      starting.then(
        (instance) => {
          if (entry.instance !== starting) return;
          entry.current = instance;
          entry.status = 'ready';
        },
        (e: unknown) => {
          if (entry.instance !== starting) return;
          entry.instance = undefined;
          entry.status = 'failed';
          entry.lastError = { at: this.#clock.now(), message: truncate(errorMessage(e)) };
        },
      );
    }
    return entry.instance;
  }

  async #startInstance(entry: Entry): Promise<WorkerInstance> {
    const { record } = entry;
    const env = this.#options.envProvider ? await this.#options.envProvider({ id: record.id, shard: record.shard }) : undefined;
    const instance = await WorkerInstance.start({
      code: record.code,
      type: record.type,
      config: env ? { ...record.config, env } : record.config,
      escrin: (request) => handleEscrinRpc(request, (store) => this.#omniKey(entry, store), this.#log),
      outbound: this.#outbound,
      limits: this.#instanceLimits,
      onLog: (line) => {
        entry.logs.push(line);
        if (entry.logs.length > LOG_LINES_PER_WORKER) entry.logs.shift();
      },
    });
    // Closed or removed while starting: do not leak the process.
    if (this.#closed || entry.removed) {
      await instance.dispose();
      throw new SmartWorkerError('ERR_CLOSED', 'the worker was removed while starting');
    }
    return instance;
  }

  #omniKey(entry: Entry, store: string): Promise<Uint8Array> {
    let key = entry.omniKeys.get(store);
    if (!key) {
      key = Promise.resolve(this.#options.keys.getOmniKey(store, entry.identity)).then((bytes) => {
        if (bytes.length !== 32) throw new SmartWorkerError('ERR_INTERNAL', `Omni Key for ${store} is not 32 bytes`);
        return bytes;
      });
      entry.omniKeys.set(store, key);
      key.catch(() => entry.omniKeys.delete(store)); // retry failed lookups next time
    }
    return key;
  }

  async #runTasks(entry: Entry, cron: string, scheduledTime: number, trigger: RunSummary['trigger']): Promise<RunSummary> {
    if (entry.tasksRunning) {
      this.#log.log('warn', 'skipping tasks run: the previous one is still running', { id: entry.record.id, cron });
      return { at: this.#clock.now(), trigger, ok: false, error: 'the previous tasks run is still running' };
    }
    entry.tasksRunning = true;
    let instance: WorkerInstance | undefined;
    try {
      instance = await this.#instance(entry);
      const outcome = await instance.scheduled(cron, scheduledTime, this.#taskTimeoutMs);
      if (outcome !== 'ok') return this.#failed(entry, trigger, `tasks run ended with outcome: ${outcome}`);
      const run: RunSummary = { at: this.#clock.now(), trigger, ok: true };
      entry.lastRun = run;
      return run;
    } catch (e) {
      if (e instanceof InstanceTimeoutError && instance) await this.#recycle(entry, instance);
      return this.#failed(entry, trigger, truncate(errorMessage(e)));
    } finally {
      entry.tasksRunning = false;
    }
  }

  #failed(entry: Entry, trigger: RunSummary['trigger'], error: string): RunSummary & { ok: false; error: string } {
    const at = this.#clock.now();
    entry.lastRun = { at, trigger, ok: false, error };
    entry.lastError = { at, message: error };
    this.#log.log('warn', 'smart worker run failed', { id: entry.record.id, trigger, error });
    return { ok: false, error, at, trigger };
  }

  async #recycle(entry: Entry, instance: WorkerInstance): Promise<void> {
    if (entry.current === instance) {
      entry.instance = undefined;
      entry.current = undefined;
      entry.status = 'idle';
    }
    this.#log.log('warn', 'recycling smart worker isolate', { id: entry.record.id });
    await instance.dispose().catch((e: unknown) => this.#log.log('error', 'dispose failed', { error: String(e) }));
  }

  async #disposeInstance(entry: Entry): Promise<void> {
    const starting = entry.instance;
    entry.instance = undefined;
    entry.current = undefined;
    entry.status = 'idle';
    const instance = await starting?.catch(() => undefined);
    await instance?.dispose().catch((e: unknown) => this.#log.log('error', 'dispose failed', { error: String(e) }));
  }

  #info(entry: Entry): WorkerInfo {
    const { record } = entry;
    return {
      id: record.id,
      name: record.name,
      shard: record.shard,
      type: record.type,
      schedule: record.schedule,
      identity: toHex(entry.identity),
      status: entry.status,
      createdAt: record.createdAt,
      lastRun: entry.lastRun,
      lastError: entry.lastError,
      nextRun: this.#scheduler.nextRun(record.id),
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new SmartWorkerError('ERR_CLOSED', 'the smart worker runtime is closed');
  }
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new SmartWorkerError('ERR_INVALID_OPTIONS', `limits.${name} must be a positive number`);
  }
  return value;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
const truncate = (s: string) => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}…` : s);
