import { shardToBase58 } from '@sealbridge/chain-types';
import type { WorkerInfo } from '@sealbridge/smart-worker';

import type { SyncStatus } from '../import-stall.js';
import type { Metrics } from '../metrics.js';
import type { ChainReader } from './chain-readings.js';
import { WORKER_VERSION } from './operator-metrics.js';
import type { RateSample, SyncHistory } from './sync-history.js';
import type { WarningLog, WarningRecord } from './warnings.js';

/** Ready = caught up: at most this many finalized blocks not yet imported, and no import stall. */
export const READY_MAX_LAG = 3;

/** Who the enclave is and how it registered; all of it public (it is on chain). */
export interface EnclaveIdentity {
  /** base58, as `list-workers` prints it, and 0x-hex. */
  mrenclave: string;
  mrenclaveHex: string;
  mrsigner: string;
  /** The enclave's parentchain account (SS58), which signs its confirmations. */
  account: string;
  attestation: 'Simulated' | 'Skip';
  registeredAt: { block: number; hash: string };
  rpcUrl: string | null;
}

export interface ConsoleSources {
  metrics: Metrics;
  sync: () => SyncStatus;
  parentchainConnected: () => boolean;
  outbox: { readonly size: number; readonly nextNonce: number };
  enclave: EnclaveIdentity;
  /** The shard the enclave serves; its size is a gauge the enclave sends. */
  shard: Uint8Array;
  smartWorkers: () => WorkerInfo[];
  chain: ChainReader;
  history: SyncHistory;
  warnings: WarningLog;
  /** The fatal error that stopped the import, once there is one. */
  fatal: () => Error | undefined;
  startedAt: number;
}

export interface Health {
  /** The process answers and its import has not stopped on a fatal error. */
  live: boolean;
  /** Caught up: parentchain connected, lag ≤ maxLag, no import stall. */
  ready: boolean;
  /** Why not ready (or not live), in words; empty when ready. */
  reasons: string[];
  imported: number;
  finalized: number;
  lag: number;
  maxLag: number;
  stalled: SyncStatus['stalled'];
  parentchainConnected: boolean;
}

export function health(sources: Pick<ConsoleSources, 'sync' | 'parentchainConnected' | 'fatal'>): Health {
  const sync = sources.sync();
  const connected = sources.parentchainConnected();
  const fatal = sources.fatal();
  const reasons: string[] = [];
  if (fatal) reasons.push(`the import stopped: ${fatal.message}`);
  if (!connected) reasons.push('the parentchain is not connected');
  if (sync.finalized === 0) reasons.push('no finalized parentchain block seen yet');
  if (sync.stalled) reasons.push(`the import is stalled at block #${sync.stalled.block} since ${new Date(sync.stalled.since * 1000).toISOString()}: ${sync.stalled.reason}`);
  if (sync.lag > READY_MAX_LAG) reasons.push(`${sync.lag} finalized blocks not imported yet (at most ${READY_MAX_LAG} for ready)`);
  return {
    live: !fatal,
    ready: reasons.length === 0,
    reasons,
    imported: sync.imported,
    finalized: sync.finalized,
    lag: sync.lag,
    maxLag: READY_MAX_LAG,
    stalled: sync.stalled,
    parentchainConnected: connected,
  };
}

/** What the console page shows: public facts only — no env values, no keys, no balances, no Smart Worker output. */
export interface ConsoleStatus {
  version: string;
  now: number;
  startedAt: number;
  health: Health;
  sync: {
    imported: number;
    finalized: number;
    lag: number;
    blocksPerSecond: number;
    rate: RateSample[];
  };
  confirmations: {
    /** Last parentchain block the chain has a confirmation of by this enclave, and where it landed. */
    lastConfirmed: number | null;
    lastConfirmedIn: number | null;
    /** Finalized block of the last chain reading, and when it was taken (ms). */
    readAtBlock: number | null;
    readAt: number | null;
    sent: number;
  };
  outbox: { pending: number; nextNonce: number };
  invocations: { ok: number; failed: number };
  enclave: EnclaveIdentity;
  shards: Array<{ shard: string; shardHex: string; entries: number; bytes: number }>;
  smartWorkers: Array<{
    id: string;
    name: string;
    shard: string | null;
    status: WorkerInfo['status'];
    schedule: string | null;
    /** The outcome only: an error text is the author's and may quote env values. */
    lastRun: { at: number; trigger: string; ok: boolean } | null;
    nextRun: number | null;
  }>;
  olm: { oneTimeKeysOnChain: number | null; published: number };
  warnings: { total: number; recent: WarningRecord[] };
}

const RECENT_WARNINGS = 20;

export function consoleStatus(sources: ConsoleSources): ConsoleStatus {
  const { metrics, chain, history, warnings, shard } = sources;
  const sync = sources.sync();
  const readings = chain.latest;
  const shardLabel = shardToBase58(shard);
  return {
    version: WORKER_VERSION,
    now: Date.now(),
    startedAt: sources.startedAt,
    health: health(sources),
    sync: {
      imported: sync.imported,
      finalized: sync.finalized,
      lag: sync.lag,
      blocksPerSecond: history.perSecondLastMinute(),
      rate: history.samples(),
    },
    confirmations: {
      lastConfirmed: readings?.lastConfirmed ?? null,
      lastConfirmedIn: readings?.lastConfirmedIn ?? null,
      readAtBlock: readings?.atBlock ?? null,
      readAt: readings?.readAt ?? null,
      sent: metrics.get('sealbridge_extrinsics_sent_total', { kind: 'confirm' }),
    },
    outbox: { pending: sources.outbox.size, nextNonce: sources.outbox.nextNonce },
    invocations: { ok: metrics.get('sealbridge_invocations_total', { result: 'ok' }), failed: metrics.get('sealbridge_invocations_total', { result: 'failed' }) },
    enclave: sources.enclave,
    shards: [{
      shard: shardLabel,
      shardHex: `0x${Buffer.from(shard).toString('hex')}`,
      entries: metrics.get('sealbridge_state_entries', { shard: shardLabel }),
      bytes: metrics.get('sealbridge_state_size_bytes', { shard: shardLabel }),
    }],
    smartWorkers: sources.smartWorkers().map((w) => ({
      id: w.id,
      name: w.name,
      shard: w.shard ?? null,
      status: w.status,
      schedule: w.schedule ?? null,
      lastRun: w.lastRun ? { at: w.lastRun.at, trigger: w.lastRun.trigger, ok: w.lastRun.ok } : null,
      nextRun: w.nextRun ?? null,
    })),
    olm: { oneTimeKeysOnChain: readings?.olmOneTimeKeys ?? null, published: metrics.get('sealbridge_olm_keys_published_total') },
    warnings: { total: warnings.total, recent: warnings.recent(RECENT_WARNINGS) },
  };
}
