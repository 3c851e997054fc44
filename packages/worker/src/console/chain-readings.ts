import { u8aEq } from '@polkadot/util';
import { bytesEqual } from '@sealbridge/chain-types';

import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { withTimeout, type ParentchainClient } from '../parentchain.js';

/** Checked this often: a new finalized block is read at once… */
const CHECK_EVERY_MS = 2_000;
/** …and the chain at least this often when none comes (a top-up of the balance changes nothing the worker sees). */
const READ_AT_LEAST_EVERY_MS = 30_000;
const READ_TIMEOUT_MS = 15_000;

/** What the worker reads back from the parentchain about itself, at the latest finalized block. */
export interface ChainReadings {
  /** Finalized block the values were read at, and when. */
  atBlock: number;
  readAt: number;
  /** Parentchain block number the chain last recorded a confirmation of (`ProcessedParentchainBlock` by our enclave). */
  lastConfirmed: number | null;
  /** The parentchain block that confirmation was included in (`EnclaveBridge.ShardStatus` last_activity). */
  lastConfirmedIn: number | null;
  /** Unclaimed Olm one-time keys of the enclave on chain; null where the chain has no WorkerEnv pallet. */
  olmOneTimeKeys: number | null;
  /** The enclave account's free balance (kept for /metrics only: the console shows no balances). */
  freeBalance: bigint;
}

interface ShardSignerStatus {
  signer: { toU8a(): Uint8Array };
  last_activity?: { toNumber(): number };
  lastActivity?: { toNumber(): number };
}

export interface ChainReaderDeps {
  client: ParentchainClient;
  metrics: Metrics;
  log: Logger;
  shard: Uint8Array;
  account: Uint8Array;
  /** The latest finalized block number the worker saw (ImportMonitor). */
  finalized: () => number;
}

/**
 * Reads the enclave's standing on the parentchain at each new finalized block (checked every 2 s): its free balance, the last block the chain
 * recorded as confirmed by it (ShardStatus says in which block our last confirmation landed; that block's events and
 * extrinsics say which parentchain block it confirmed) and its Olm one-time keys left. Sets the matching gauges.
 */
export class ChainReader {
  readonly #deps: ChainReaderDeps;
  #latest: ChainReadings | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #failing = false;

  constructor(deps: ChainReaderDeps) {
    this.#deps = deps;
    deps.metrics.define('sealbridge_enclave_account_free_balance', 'gauge', 'Free balance of the enclave account on the parentchain, in its smallest unit');
    deps.metrics.define('sealbridge_last_confirmed_block', 'gauge', 'Last parentchain block whose confirmation by this enclave (ProcessedParentchainBlock) is on chain, read back from the chain');
    deps.metrics.define('sealbridge_olm_one_time_keys_available', 'gauge', 'Unclaimed Olm one-time keys of the enclave on chain');
  }

  get latest(): ChainReadings | undefined {
    return this.#latest;
  }

  start(): void {
    let readFinalized = -1;
    let readAt = 0;
    const tick = () => {
      const finalized = this.#deps.finalized();
      if (this.#reading || (finalized === readFinalized && Date.now() - readAt < READ_AT_LEAST_EVERY_MS)) return;
      readFinalized = finalized;
      readAt = Date.now();
      this.#reading = this.read().finally(() => (this.#reading = undefined));
    };
    tick();
    this.#timer = setInterval(tick, CHECK_EVERY_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#reading;
  }

  /** One reading; a failure is logged once per streak and leaves the previous values in place. */
  async read(): Promise<void> {
    const { client, log } = this.#deps;
    try {
      this.#latest = await withTimeout(this.#read(), READ_TIMEOUT_MS, 'parentchain did not answer the enclave readings in time');
      this.#setGauges(this.#latest);
      if (this.#failing) log.info('parentchain readings resumed');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing && client.isConnected) log.warn('reading the enclave account from the parentchain failed, will retry', { error: (error as Error).message });
      this.#failing = true;
    }
  }

  async #read(): Promise<ChainReadings> {
    const { client, shard, account } = this.#deps;
    const head = await client.finalizedHead();
    const at = await client.api.at(head.hash);
    const [accountInfo, shardStatus, oneTimeKeys] = await Promise.all([
      at.query.system.account(account),
      at.query.enclaveBridge?.shardStatus?.(shard),
      at.query.workerEnv?.oneTimeKeys?.(account),
    ]);
    const freeBalance = (accountInfo as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt();
    const signers = (shardStatus as unknown as { isSome?: boolean; unwrap(): ShardSignerStatus[] } | undefined);
    const mine = signers?.isSome ? signers.unwrap().find((s) => u8aEq(s.signer.toU8a(), account)) : undefined;
    const lastConfirmedIn = (mine?.last_activity ?? mine?.lastActivity)?.toNumber() ?? null;

    let lastConfirmed = this.#latest?.lastConfirmed ?? null;
    if (lastConfirmedIn !== null && lastConfirmedIn !== this.#latest?.lastConfirmedIn) {
      // The block of our last activity may hold no confirmation (an unshield payout): the previous value stands then.
      lastConfirmed = (await this.#confirmedIn(lastConfirmedIn)) ?? lastConfirmed;
    }
    return {
      atBlock: head.number,
      readAt: Date.now(),
      lastConfirmed,
      lastConfirmedIn,
      olmOneTimeKeys: oneTimeKeys === undefined ? null : (oneTimeKeys as unknown as unknown[]).length,
      freeBalance,
    };
  }

  /**
   * The highest block number our enclave confirmed for our shard in parentchain block `number`. The block is read
   * with the worker's own decoder: a block full of confirmations costs polkadot-js codecs far more than the import.
   */
  async #confirmedIn(number: number): Promise<number | undefined> {
    const { client, shard, account } = this.#deps;
    const block = await client.block(number);
    let confirmed: number | undefined;
    for (const { applyExtrinsic, event } of block.events) {
      if (applyExtrinsic === undefined || event.section !== 'enclaveBridge' || event.method !== 'ProcessedParentchainBlock') continue;
      const signer = block.extrinsics[applyExtrinsic]?.signer;
      // The signer's Address: an AccountId, or MultiAddress::Id (index 0) of one.
      if (!signer || !(bytesEqual(signer, account) || (signer[0] === 0 && bytesEqual(signer.subarray(1), account)))) continue;
      // ProcessedParentchainBlock { shard, block_hash, trusted_calls_merkle_root, block_number }, read by position.
      const [confirmedShard, , , blockNumber] = Object.values(event.fields) as [Uint8Array, unknown, unknown, number | bigint];
      if (!bytesEqual(confirmedShard, shard)) continue;
      confirmed = Math.max(confirmed ?? 0, Number(blockNumber));
    }
    return confirmed;
  }

  #setGauges(readings: ChainReadings): void {
    const { metrics } = this.#deps;
    // A gauge is a double: exact up to 2^53 of the smallest unit (9,007 UNIT at 12 decimals), close enough beyond.
    metrics.set('sealbridge_enclave_account_free_balance', Number(readings.freeBalance));
    if (readings.lastConfirmed !== null) metrics.set('sealbridge_last_confirmed_block', readings.lastConfirmed);
    if (readings.olmOneTimeKeys !== null) metrics.set('sealbridge_olm_one_time_keys_available', readings.olmOneTimeKeys);
  }
}
