import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SignedBlock } from '@polkadot/types/interfaces';
import type { EventRecord } from '@polkadot/types/interfaces/system';
import type { GenericExtrinsic } from '@polkadot/types';
import type { Vec } from '@polkadot/types-codec';
import { u8aToHex } from '@polkadot/util';

import type { Logger } from './log.js';

/** Longest wait for one parentchain request before the import loop retries. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface BlockRef {
  number: number;
  hash: string;
}

/** One finalized parentchain block as the importer needs it: decoded extrinsics and their events. */
export interface ParentchainBlock extends BlockRef {
  parentHash: string;
  extrinsics: GenericExtrinsic[];
  events: EventRecord[];
}

export interface ParentchainClientOptions {
  url: string;
  log: Logger;
  /** How long one connection attempt may take before it counts as failed. */
  connectTimeoutMs?: number;
}

/**
 * The worker's view of the parentchain through unmodified `@polkadot/api`. It reconnects by itself (WsProvider),
 * and everything it returns is decoded with the chain's own metadata, so it works against any Substrate node
 * that has the Teerex and EnclaveBridge pallets.
 */
export class ParentchainClient {
  readonly api: ApiPromise;
  readonly #log: Logger;
  #eventsKey: string;

  readonly #onClose: () => void;
  readonly #provider: WsProvider;

  private constructor(api: ApiPromise, provider: WsProvider, log: Logger, onClose: () => void) {
    this.api = api;
    this.#provider = provider;
    this.#log = log;
    this.#onClose = onClose;
    this.#eventsKey = api.query.system.events.key();
  }

  static async connect({ url, log, connectTimeoutMs = 10_000 }: ParentchainClientOptions): Promise<ParentchainClient> {
    const provider = new WsProvider(url, 1_000, {}, connectTimeoutMs);
    let closing = false;
    let connected = false;
    // One line per outage, not one per reconnection attempt.
    provider.on('disconnected', () => {
      if (!closing && connected) log.warn('parentchain connection lost, reconnecting', { url });
      connected = false;
    });
    provider.on('connected', () => {
      connected = true;
      log.info('parentchain connected', { url });
    });
    try {
      const api = await withTimeout(ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true }), connectTimeoutMs, `parentchain ${url} not reachable`);
      return new ParentchainClient(api, provider, log, () => {
        closing = true;
      });
    } catch (error) {
      await provider.disconnect().catch(() => undefined);
      throw error;
    }
  }

  get isConnected(): boolean {
    return this.api.isConnected;
  }

  get genesisHash(): string {
    return this.api.genesisHash.toHex();
  }

  async finalizedHead(): Promise<BlockRef> {
    return withTimeout((async () => {
      const hash = await this.api.rpc.chain.getFinalizedHead();
      const header = await this.api.rpc.chain.getHeader(hash);
      return { number: header.number.toNumber(), hash: hash.toHex() };
    })(), REQUEST_TIMEOUT_MS, 'parentchain did not answer chain_getFinalizedHead');
  }

  async blockHash(number: number): Promise<string | undefined> {
    const hash = await this.api.rpc.chain.getBlockHash(number);
    return hash.isEmpty ? undefined : hash.toHex();
  }

  /** A request that was in flight when the connection dropped may never be answered: every fetch has a deadline. */
  fetchBlock(number: number): Promise<ParentchainBlock> {
    return withTimeout(this.#fetchBlock(number), REQUEST_TIMEOUT_MS, `parentchain did not deliver block #${number}`);
  }

  async #fetchBlock(number: number): Promise<ParentchainBlock> {
    const hash = await this.api.rpc.chain.getBlockHash(number);
    if (hash.isEmpty) throw new Error(`parentchain has no block #${number}`);
    const [signed, rawEvents]: [SignedBlock, unknown] = await Promise.all([
      this.api.rpc.chain.getBlock(hash),
      this.api.rpc.state.getStorage(this.#eventsKey, hash),
    ]);
    const events = this.api.registry.createType<Vec<EventRecord>>('Vec<EventRecord>', (rawEvents as { toU8a(b: boolean): Uint8Array }).toU8a(true));
    const { header, extrinsics } = signed.block;
    return {
      number: header.number.toNumber(),
      hash: hash.toHex(),
      parentHash: header.parentHash.toHex(),
      extrinsics: [...extrinsics] as unknown as GenericExtrinsic[],
      events: [...events],
    };
  }

  /**
   * Yields blocks `from..to` in order while keeping `concurrency` requests in flight, so catching up is bound by
   * the node's throughput rather than by round trips.
   */
  async *fetchRange(from: number, to: number, concurrency = 16): AsyncGenerator<ParentchainBlock> {
    const inFlight: Promise<ParentchainBlock>[] = [];
    let next = from;
    const fill = () => {
      while (next <= to && inFlight.length < concurrency) {
        const block = this.fetchBlock(next++);
        // Marked handled now: if the import stops early, the blocks still in flight must not become unhandled rejections.
        block.catch(() => undefined);
        inFlight.push(block);
      }
    };
    fill();
    while (inFlight.length > 0) {
      const block = await inFlight.shift()!;
      fill();
      yield block;
    }
  }

  /** Calls `onHead` for every finalized head notification; returns an unsubscribe function. */
  async subscribeFinalizedHeads(onHead: (head: BlockRef) => void): Promise<() => void> {
    return this.api.rpc.chain.subscribeFinalizedHeads((header) => {
      onHead({ number: header.number.toNumber(), hash: header.hash.toHex() });
    });
  }

  async accountNonce(account: Uint8Array): Promise<number> {
    const nonce = await this.api.rpc.system.accountNextIndex(u8aToHex(account));
    return nonce.toNumber();
  }

  /**
   * `author_submitExtrinsic` straight through the provider: the outbox expects "already imported" answers
   * when it resends, and `api.rpc` would print each of them to the console as an error.
   */
  async submit(extrinsicHex: string): Promise<string> {
    return (await this.#provider.send('author_submitExtrinsic', [extrinsicHex])) as string;
  }

  async disconnect(): Promise<void> {
    this.#onClose();
    await this.api.disconnect().catch((error: unknown) => this.#log.debug('disconnect failed', { error }));
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
