import { bytes, f64, h256, names, option, str, struct, tuple, u32, u64, unit, vec, type Infer } from './codec.js';
import { SignedExtrinsic, type CallSpec } from './ecalls.js';

/**
 * Every OCALL: what the enclave process may ask of the host. The host answers with bytes it can see anyway (chain
 * data, sealed blobs it stores) or takes bytes to carry (log records, metric updates, signed extrinsics). One-way
 * OCALLs get no reply. Ids are disjoint from the ECALLs' so a stray message can never be taken for the other kind.
 */

export const LogRecord = struct('LogRecord', {
  level: names('LogLevel', ['debug', 'info', 'warn', 'error'] as const),
  /** Below the host's own component (`enclave`, `stf`, `rpc`, …). */
  component: str,
  msg: str,
  /** JSON object of the record's fields; the enclave never logs secrets into it. */
  fields: str,
});

/** One series' updates of a batch, coalesced: `inc` sums, `set` keeps the last value, `observe` lists every observation. */
export const MetricOp = struct('MetricOp', {
  op: names('MetricOpKind', ['define', 'inc', 'set', 'observe'] as const),
  name: str,
  /** JSON object of labels; for `define` the definition `{type, help, labelNames?, buckets?}`. */
  labels: str,
  /** `inc`: the sum; `set`: the value; `observe`: each observation; `define`: none. */
  values: vec(f64),
});

export const SyncStatus = struct('SyncStatus', {
  imported: u32,
  finalized: u32,
  lag: u32,
  stalled: option(struct('Stall', { since: u64, block: u32, reason: str })),
});

const oneWay = <A>(id: number, arg: CallSpec<A, void>['arg'], doc: string) => ({ id, arg, result: unit, doc, oneWay: true as const });
const call = <A, R>(id: number, arg: CallSpec<A, R>['arg'], result: CallSpec<A, R>['result'], doc: string) => ({ id, arg, result, doc, oneWay: false as const });

export const OCALLS = {
  log: oneWay(101, LogRecord, 'A log record, written by the host in its log schema.'),
  metrics: oneWay(102, vec(MetricOp), 'Metric definitions and updates (counts and times, no values of state).'),
  send_extrinsic: call(103, struct('Outgoing', { extrinsic: SignedExtrinsic, origin: u32 }), unit, 'An extrinsic signed outside a block import (a relayed direct call, Olm keys): the host persists it in its outbox before replying, then sends it.'),
  read_storage: call(104, struct('StorageQuery', { keys: vec(bytes), at: option(h256) }), vec(option(bytes)), 'Parentchain storage values (state_getStorage) at a block, latest finalized if None.'),
  sealed_get: call(105, str, option(bytes), 'A sealed blob the enclave stored under its key.'),
  sealed_put: call(106, tuple(str, bytes), unit, 'Stores a sealed blob, durably, outside any block commit (Smart Worker records).'),
  sealed_delete: call(107, str, unit, 'Deletes a sealed blob.'),
  sealed_scan: call(108, str, vec(tuple(str, bytes)), 'Every sealed blob whose key starts with the prefix, in key order.'),
  sync_status: call(109, unit, SyncStatus, "The host's view of the import: finalized head, lag, stall (for sealbridge_syncStatus)."),
} as const;

export type OcallName = keyof typeof OCALLS;
export type OcallArg<N extends OcallName> = Infer<(typeof OCALLS)[N]['arg']>;
export type OcallResult<N extends OcallName> = Infer<(typeof OCALLS)[N]['result']>;
export type LogRecord = Infer<typeof LogRecord>;
export type MetricOp = Infer<typeof MetricOp>;
export type SyncStatus = Infer<typeof SyncStatus>;
