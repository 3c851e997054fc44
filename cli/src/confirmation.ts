import type { ApiPromise } from '@polkadot/api';
import type { WorkerClient } from '@sealbridge/client';
import type { Event } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { base58Encode } from '@polkadot/util-crypto';
import { toBytes } from './bytes.js';
import { CliError, CliErrorCode } from './errors.js';
import { rejectOnDisconnect, Subscription } from './parentchain.js';
import { StallWatch, stalledError, type ImportStall } from './worker-sync.js';

/** A decoded `EnclaveBridge.ProcessedParentchainBlock` event. */
export interface ProcessedBlock {
  readonly shard: string;
  readonly blockHash: string;
  readonly blockNumber: number;
  readonly merkleRoot: string;
  /** Number of the block whose events hold the confirmation. */
  readonly confirmedIn: number;
}

export interface WaitForProcessedOptions {
  /** Shard whose worker must confirm. */
  readonly shard: Uint8Array;
  /** The block that must be confirmed (the one holding the invocation). */
  readonly blockHash: string;
  readonly blockNumber: number;
  readonly timeoutMs: number;
  /** Called with each confirmation of this shard seen while waiting (progress display). */
  readonly onProgress?: (latest: ProcessedBlock) => void;
  /** The worker, asked while waiting whether its import is stalled before the block (`sealbridge_syncStatus`). */
  readonly worker?: WorkerClient;
  /** Called when the worker reports such a stall (progress display). */
  readonly onStall?: (stall: ImportStall) => void;
}

/** Field of a named-field event by name, tolerant of snake_case vs camelCase in the metadata. */
export function eventField(event: Event, name: string): unknown {
  const wanted = name.replace(/_/g, '').toLowerCase();
  const index = (event.data.names ?? []).findIndex((n) => n?.replace(/_/g, '').toLowerCase() === wanted);
  if (index < 0) throw new CliError(CliErrorCode.EXTRINSIC_FAILED, `event ${event.section}.${event.method} has no field ${name}`);
  return event.data[index];
}

export function decodeProcessedBlock(event: Event, confirmedIn: number): ProcessedBlock {
  return {
    shard: base58Encode(toBytes(eventField(event, 'shard'))),
    blockHash: u8aToHex(toBytes(eventField(event, 'block_hash'))),
    blockNumber: Number((eventField(event, 'block_number') as { toString(): string }).toString()),
    merkleRoot: u8aToHex(toBytes(eventField(event, 'trusted_calls_merkle_root'))),
    confirmedIn,
  };
}

/**
 * Waits for the shard's worker to confirm the given block with `ProcessedParentchainBlock` (integritee-cli
 * `send_indirect_request`): scans the events of every new block after it. Fails when the worker confirms a later
 * block without this one, when `worker` reports its import stalled before the block (for a while), or after
 * `timeoutMs` — saying what the worker reported, if anything.
 */
export async function waitForProcessedBlock(api: ApiPromise, options: WaitForProcessedOptions): Promise<ProcessedBlock> {
  const { shard, blockHash, blockNumber, timeoutMs } = options;
  const shardB58 = base58Encode(shard);
  let latest: ProcessedBlock | undefined;
  let next = blockNumber + 1;
  const subscription = new Subscription();
  let timer: NodeJS.Timeout | undefined;
  let stopWatching: (() => void) | undefined;
  const stalls = options.worker && new StallWatch(options.worker, blockNumber, { onStall: options.onStall });
  try {
    return await new Promise<ProcessedBlock>((resolve, reject) => {
      stopWatching = rejectOnDisconnect(api, reject);
      stalls?.failed.catch(reject);
      timer = setTimeout(() => {
        if (stalls?.stall) return reject(stalledError(stalls.stall, blockNumber));
        const last = latest ? `last confirmed #${latest.blockNumber}` : 'no confirmation seen meanwhile';
        const status = stalls?.status;
        const hint = status
          ? `the worker has imported up to block #${status.imported} of #${status.finalized} finalized`
          : `is the worker running and registered for shard ${shardB58}?`;
        reject(new CliError(CliErrorCode.TIMEOUT, `worker has not confirmed block #${blockNumber} after ${timeoutMs / 1000} s; ${last} — ${hint}`));
      }, timeoutMs);
      let scanning = Promise.resolve();
      const scanUpTo = async (head: number): Promise<void> => {
        for (; next <= head; next++) {
          const hash = await api.rpc.chain.getBlockHash(next);
          const records = await (await api.at(hash)).query.system.events();
          const confirmations = records
            .filter(({ event }) => api.events.enclaveBridge?.ProcessedParentchainBlock?.is(event))
            .map(({ event }) => decodeProcessedBlock(event, next))
            .filter((c) => c.shard === shardB58);
          const ours = confirmations.find((c) => c.blockHash === blockHash);
          if (ours) return resolve(ours);
          for (const c of confirmations) {
            latest = c;
            options.onProgress?.(c);
          }
          const skipped = confirmations.find((c) => c.blockNumber > blockNumber);
          if (skipped) {
            return reject(new CliError(
              CliErrorCode.TRUSTED_CALL_FAILED,
              `worker confirmed block #${skipped.blockNumber} but not block #${blockNumber} (${blockHash}) that holds the call`,
            ));
          }
        }
      };
      api.rpc.chain
        .subscribeNewHeads((header) => {
          scanning = scanning.then(() => scanUpTo(header.number.toNumber())).catch(reject);
        })
        .then(subscription.set)
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    stalls?.stop();
    stopWatching?.();
    subscription.end();
  }
}

/** The shard's on-chain `ShardStatus` signers, for a first progress line before any new confirmation arrives. */
export async function shardLastActivity(api: ApiPromise, shard: Uint8Array): Promise<number | undefined> {
  const statuses = (await api.query.enclaveBridge.shardStatus(shard)).toJSON() as { lastActivity?: number; last_activity?: number }[] | null;
  const numbers = (statuses ?? []).map((s) => Number(s.lastActivity ?? s.last_activity));
  return numbers.length ? Math.max(...numbers) : undefined;
}
