import { ApiPromise, WsProvider } from '@polkadot/api';
import type { Registry } from '@polkadot/types/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { BlockDecodeError, BlockDecoder, SealbridgeError, hexToBytes, type BlockEvent, type BlockExtrinsic } from '@sealbridge/chain-types';

import type { Logger } from './log.js';

/** Longest wait for one parentchain request before the import loop retries. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Blocks requested before the first one shows how large they are: one, so a full first block arrives alone. */
const INITIAL_FETCH_WINDOW = 1;
/** Extrinsics worth of blocks kept in flight while fetching ahead: up to sixteen small blocks, one or two full ones. */
const EXTRINSICS_IN_FLIGHT = 2_000;

export interface BlockRef {
  number: number;
  hash: string;
}

/** One finalized parentchain block as the importer needs it: decoded extrinsics and their events. */
export interface ParentchainBlock extends BlockRef {
  parentHash: string;
  extrinsics: BlockExtrinsic[];
  events: BlockEvent[];
  /** SCALE(Vec<EventRecord>) as the node sent it: the enclave decodes it again itself. */
  eventsBytes: Uint8Array | undefined;
}

/** A finalized block the worker cannot read: the import cannot pass it (it is never skipped). */
export class UndecodableBlockError extends SealbridgeError<'BLOCK_UNDECODABLE' | 'METADATA_UNSUPPORTED'> {
  readonly block: BlockRef;
  readonly extrinsicIndex: number | undefined;
  readonly eventIndex: number | undefined;
  /** Type path inside the extrinsic or event record. */
  readonly path: string;

  constructor(block: BlockRef, cause: BlockDecodeError) {
    super(cause.code, `parentchain block #${block.number} ${block.hash} does not decode: ${cause.message}`, { cause });
    this.block = { number: block.number, hash: block.hash };
    this.extrinsicIndex = cause.extrinsicIndex;
    this.eventIndex = cause.eventIndex;
    this.path = cause.path;
  }
}

interface RawBlock extends BlockRef {
  parentHash: string;
  extrinsics: string[];
  /** SCALE(Vec<EventRecord>) of `System.Events` at the block, or null if the node has none. */
  events: string | null;
}

/** An extrinsic or event record that does not decode makes the whole block fail: it is not silently dropped. */
function decodeBlock(decoder: BlockDecoder, raw: RawBlock): ParentchainBlock {
  try {
    const eventsBytes = raw.events ? hexToBytes(raw.events) : undefined;
    return {
      number: raw.number,
      hash: raw.hash,
      parentHash: raw.parentHash,
      extrinsics: raw.extrinsics.map((hex, index) => decoder.extrinsic(hexToBytes(hex), index)),
      events: eventsBytes ? decoder.events(eventsBytes) : [],
      eventsBytes,
    };
  } catch (error) {
    if (!(error instanceof BlockDecodeError)) throw error;
    throw new UndecodableBlockError(raw, error);
  }
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
  readonly #decoders = new WeakMap<Registry, BlockDecoder>();
  /** The decoder that read the last block yielded, valid for the next one unless that block upgraded the runtime. */
  #next: { number: number; decoder: BlockDecoder } | undefined;

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
    // Requests get the import's deadline, not the connect timeout: 16 blocks of 1,000 extrinsics in flight take a
    // node seconds to serve, and a request timing out there would only be sent again, forever.
    const provider = new WsProvider(url, 1_000, {}, REQUEST_TIMEOUT_MS);
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

  /**
   * Yields blocks `from..to` in order while keeping up to `concurrency` requests in flight, so catching up is bound
   * by the node's throughput rather than by round trips. Fewer when blocks are full: a node serves concurrent
   * requests interleaved, so sixteen blocks of 1,000 extrinsics would all arrive late together and the first one
   * — the one the import waits for — last. The window starts small and follows the size of the blocks seen.
   * Blocks are decoded in order with the metadata of the runtime that built them (a `System.CodeUpdated` event
   * switches to the next runtime's).
   */
  async *fetchRange(from: number, to: number, concurrency = 16): AsyncGenerator<ParentchainBlock> {
    const inFlight: Promise<RawBlock>[] = [];
    let next = from;
    let window = Math.min(concurrency, INITIAL_FETCH_WINDOW);
    const fill = () => {
      while (next <= to && inFlight.length < window) {
        const number = next++;
        const block = withTimeout(this.#fetchRaw(number), REQUEST_TIMEOUT_MS, `parentchain did not deliver block #${number}`);
        // Marked handled now: if the import stops early, the blocks still in flight must not become unhandled rejections.
        block.catch(() => undefined);
        inFlight.push(block);
      }
    };
    fill();
    let decoder = this.#next?.number === from ? this.#next.decoder : undefined;
    while (inFlight.length > 0) {
      const raw = await inFlight.shift()!;
      window = Math.max(1, Math.min(concurrency, Math.floor(EXTRINSICS_IN_FLIGHT / Math.max(1, raw.extrinsics.length))));
      fill();
      decoder ??= await this.#decoderAt(raw);
      const block = decodeBlock(decoder, raw);
      if (block.events.some(({ event }) => event.section === 'system' && event.method === 'CodeUpdated')) decoder = undefined;
      this.#next = decoder && { number: block.number + 1, decoder };
      yield block;
    }
  }

  /** One block, fetched and decoded on its own (for readers beside the import: the import's decoder hand-over stays as it is). */
  async block(number: number): Promise<ParentchainBlock> {
    const raw = await withTimeout(this.#fetchRaw(number), REQUEST_TIMEOUT_MS, `parentchain did not deliver block #${number}`);
    return decodeBlock(await this.#decoderAt(raw), raw);
  }

  /** The block as the node sends it (hex), without decoding it: that happens in order, in `fetchRange`. */
  async #fetchRaw(number: number): Promise<RawBlock> {
    const provider = this.#provider;
    const hash = (await provider.send('chain_getBlockHash', [number])) as string | null;
    if (!hash) throw new Error(`parentchain has no block #${number}`);
    const [signed, events] = (await Promise.all([
      provider.send('chain_getBlock', [hash]),
      provider.send('state_getStorage', [this.#eventsKey, hash]),
    ])) as [{ block: { header: { parentHash: string; number: string }; extrinsics: string[] } } | null, string | null];
    if (!signed) throw new Error(`parentchain did not return block #${number} ${hash}`);
    const headerNumber = Number(signed.block.header.number);
    if (headerNumber !== number) throw new Error(`parentchain returned block #${headerNumber} for #${number}`);
    return { number, hash, parentHash: signed.block.header.parentHash, extrinsics: signed.block.extrinsics, events };
  }

  /** Decoder over the metadata of the runtime that built `block` (polkadot-js caches one per runtime version). */
  async #decoderAt(block: BlockRef): Promise<BlockDecoder> {
    const { registry } = await this.api.getBlockRegistry(hexToU8a(block.hash));
    let decoder = this.#decoders.get(registry);
    if (!decoder) {
      try {
        decoder = new BlockDecoder(registry);
      } catch (error) {
        // A runtime whose metadata the decoder cannot follow stalls the import at its first block, like a bad block.
        if (error instanceof BlockDecodeError) throw new UndecodableBlockError(block, error);
        throw error;
      }
      this.#decoders.set(registry, decoder);
    }
    return decoder;
  }

  /** Calls `onHead` for every finalized head notification; returns an unsubscribe function. */
  async subscribeFinalizedHeads(onHead: (head: BlockRef) => void): Promise<() => void> {
    return this.api.rpc.chain.subscribeFinalizedHeads((header) => {
      onHead({ number: header.number.toNumber(), hash: header.hash.toHex() });
    });
  }

  /** One storage value at a block, as the node sends it (state_getStorage); undefined if there is none. */
  async storage(key: Uint8Array, at: string): Promise<Uint8Array | undefined> {
    const value = (await this.#provider.send('state_getStorage', [u8aToHex(key), at])) as string | null;
    return value === null ? undefined : hexToBytes(value);
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
