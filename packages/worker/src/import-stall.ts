import { BlockDecodeError, ScaleDecodeError } from '@sealbridge/chain-types';

import type { Logger, LogFields } from './log.js';
import type { Metrics } from './metrics.js';
import { UndecodableBlockError, type BlockRef } from './parentchain.js';

/** The worker's parentchain import (`sealbridge_syncStatus`); `since` is unix seconds of the stall's first failure. */
export interface SyncStatus {
  imported: number;
  finalized: number;
  lag: number;
  stalled: { since: number; block: number; reason: string } | null;
}

/** A stall's log line is repeated this long after its first line, each further repeat twice as late as the last… */
export const STALL_LOG_FIRST_REPEAT_MS = 5_000;
/** …but at least this often, so a stuck worker never goes silent in its logs. */
export const STALL_LOG_MAX_REPEAT_MS = 10 * 60_000;
/** Longest reason handed to RPC clients (a decode error quotes type paths, never payloads). */
const MAX_REASON_CHARS = 500;
const MAX_CAUSE_DEPTH = 8;

/** Where a parentchain block failed to decode, as far as the error says. */
export interface BlockDecodeFailure {
  /** Absent when the decoder failed before it had a block (metadata it cannot use). */
  block?: BlockRef;
  /** Index of the extrinsic in the block, or of the event record in `System.Events`. */
  extrinsicIndex?: number;
  eventIndex?: number;
  /** Type path inside the extrinsic or event record (`.call::Balances::transfer_keep_alive.value`). */
  path?: string;
  /** The SCALE type and byte offset where reading stopped. */
  typeName?: string;
  offset?: number;
}

/**
 * The decode failure `error` reports — an `UndecodableBlockError` (or a bare `BlockDecodeError` of the decoder)
 * anywhere in its `cause` chain, with the `ScaleDecodeError` under it — or undefined for any other error.
 */
export function blockDecodeFailure(error: unknown): BlockDecodeFailure | undefined {
  let failure: BlockDecodeFailure | undefined;
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth++, current = current.cause) {
    if (current instanceof UndecodableBlockError || current instanceof BlockDecodeError) {
      failure ??= {
        block: current instanceof UndecodableBlockError ? current.block : undefined,
        extrinsicIndex: current.extrinsicIndex,
        eventIndex: current.eventIndex,
        path: current.path || undefined,
      };
    } else if (current instanceof ScaleDecodeError && failure) {
      failure.typeName = current.typeName;
      failure.offset = current.offset;
      failure.path ??= current.path.join('') || undefined;
      break;
    }
  }
  return failure;
}

/** Fields without the unknown ones (a pretty log line would print them as `undefined`). */
const defined = (fields: LogFields): LogFields => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

interface Stall {
  /** The block the import is stuck before (last imported + 1). */
  block: number;
  /** ms since the epoch of the stall's first failure. */
  since: number;
  reason: string;
  failures: number;
  nextLogAt: number;
  repeatMs: number;
  hash?: string;
}

export interface ImportMonitorDeps {
  log: Logger;
  metrics: Metrics;
  /** Canonical hash of a block, for a decode failure whose error names no block. */
  blockHash?: (number: number) => Promise<string | undefined>;
  now?: () => number;
}

/**
 * The import's health as operators and clients see it: the last imported and finalized blocks, the lag between them
 * (kept current whichever of the two moves, stuck or not) and the current stall — the import failing at one block
 * with no progress since. A stall is logged at once, then again at a falling rate (5 s, 10 s, 20 s … at most every
 * 10 min) while the follower keeps retrying quietly; a block that does not decode is logged as an error, being no
 * outage that passes by itself.
 */
export class ImportMonitor {
  readonly #deps: ImportMonitorDeps;
  readonly #now: () => number;
  #imported = 0;
  #finalized = 0;
  #stall: Stall | undefined;

  constructor(deps: ImportMonitorDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  status(): SyncStatus {
    const stall = this.#stall;
    return {
      imported: this.#imported,
      finalized: this.#finalized,
      lag: this.#lag(),
      stalled: stall ? { since: Math.floor(stall.since / 1000), block: stall.block, reason: stall.reason.slice(0, MAX_REASON_CHARS) } : null,
    };
  }

  /** A finalized head seen (finality never goes back on one chain, so an older answer is ignored). */
  finalized(number: number): void {
    if (number <= this.#finalized) return;
    this.#finalized = number;
    this.#deps.metrics.set('sealbridge_last_finalized_block', number);
    this.#updateLag();
  }

  /** A block committed (or, at start, the block the import resumes after). */
  imported(number: number): void {
    this.#imported = number;
    this.#deps.metrics.set('sealbridge_last_imported_block', number);
    this.#updateLag();
    if (this.#stall && number >= this.#stall.block) this.#resumed();
  }

  /** A sync round ended without an error. */
  succeeded(): void {
    if (this.#stall) this.#resumed();
  }

  /** A sync round failed before `block` could be imported; logs when the schedule says so. */
  async failed(error: unknown, block: number): Promise<void> {
    const { log, metrics } = this.#deps;
    const now = this.#now();
    const reason = error instanceof Error ? error.message : String(error);
    let stall = this.#stall;
    if (!stall || stall.block !== block) {
      stall = this.#stall = { block, since: now, reason, failures: 0, nextLogAt: now, repeatMs: STALL_LOG_FIRST_REPEAT_MS };
      metrics.set('sealbridge_import_stalled', Math.floor(now / 1000));
    }
    stall.failures++;
    if (reason !== stall.reason) {
      // Something new to say: said at once, and the repeats start over.
      stall.reason = reason;
      stall.nextLogAt = now;
      stall.repeatMs = STALL_LOG_FIRST_REPEAT_MS;
    }
    if (now < stall.nextLogAt) return;
    stall.nextLogAt = now + stall.repeatMs;
    stall.repeatMs = Math.min(stall.repeatMs * 2, STALL_LOG_MAX_REPEAT_MS);

    const repeat: LogFields = stall.failures > 1
      ? { failures: stall.failures, stalledSeconds: Math.round((now - stall.since) / 1000), nextReportInSeconds: Math.round((stall.nextLogAt - now) / 1000) }
      : {};
    const undecodable = blockDecodeFailure(error);
    if (!undecodable) {
      log.warn('import failed, retrying', { block, error: reason, ...repeat });
      return;
    }
    stall.hash ??= undecodable.block?.hash ?? (await this.#deps.blockHash?.(block).catch(() => undefined));
    log.error('parentchain block does not decode; the import stays before it and keeps retrying', defined({
      block: undecodable.block?.number ?? block,
      hash: stall.hash,
      extrinsic: undecodable.extrinsicIndex,
      event: undecodable.eventIndex,
      path: undecodable.path,
      typeName: undecodable.typeName,
      offset: undecodable.offset,
      error: reason,
      ...repeat,
    }));
  }

  #resumed(): void {
    const stall = this.#stall!;
    this.#stall = undefined;
    this.#deps.metrics.set('sealbridge_import_stalled', 0);
    this.#deps.log.info('import resumed', { block: stall.block, failures: stall.failures, stalledSeconds: Math.round((this.#now() - stall.since) / 1000) });
  }

  #lag(): number {
    return Math.max(0, this.#finalized - this.#imported);
  }

  #updateLag(): void {
    this.#deps.metrics.set('sealbridge_confirmation_lag_blocks', this.#lag());
  }
}
