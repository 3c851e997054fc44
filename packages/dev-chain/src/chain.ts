import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { PersistentTrie, extrinsicsRootStateVersion, orderedTrieRoot } from '@sealbridge/trie';

import type { Logger } from './log.js';
import type { PoolEntry, TxStatus } from './pool.js';
import type { Extrinsic } from './runtime/extrinsic.js';
import type { ChainView } from './runtime/runtime.js';
import type { StorageAccess } from './runtime/pallet.js';
import type { SignatureVerifier } from './runtime/verifier.js';
import type { ChainStore, StoredBlock } from './store.js';

import { DevChainError } from './errors.js';
import { GRANDPA_ENGINE_ID } from './grandpa/codec.js';
import { GrandpaFinality, type GrandpaOptions } from './grandpa/finality.js';
import { NOOP_LOGGER } from './log.js';
import { TxPool } from './pool.js';
import { RUNTIME_VERSION, Runtime, invalidTransaction } from './runtime/runtime.js';
import { INLINE_VERIFIER } from './runtime/verifier.js';
import { ScaleWriter } from '@sealbridge/chain-types';

export type SealMode = 'instant' | 'interval' | 'manual';

/** Finality (and its notification) trails block import by at least this much: see the InBlock/Finalized pitfall. */
export const FINALITY_NOTIFY_DELAY_MS = 100;
/** Instant sealing collects what arrives within this window into one block. */
export const INSTANT_BATCH_MS = 50;
export const DEFAULT_MAX_EXTRINSICS_PER_BLOCK = 2000;
/** Longest wait of non-triggering extrinsics (acknowledgements of acknowledgement-only blocks) in instant mode. */
export const ACK_SEAL_DELAY_MS = 6000;

export interface HeaderJson {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

export interface BlockRecord {
  number: number;
  hash: string;
  parentHash: string;
  header: HeaderJson;
  /** SCALE header (what the hash is of; FinalityProof's unknown_headers). */
  encodedHeader: Uint8Array;
  /** The digest's items, each a SCALE `DigestItem` (the `System.Digest` the block left in its state). */
  digest: Uint8Array[];
  /** SCALE extrinsics with length prefix; index 0 is the timestamp inherent. */
  extrinsics: Uint8Array[];
  state: PersistentTrie;
  /** Storage changes of this block (hex key → value or null), what storage subscriptions and the DB use. */
  changes: Map<string, Uint8Array | null>;
  importedAt: number;
  /** Acknowledgement calls (e.g. worker confirmations) besides the inherent, nothing else: acknowledging it does not trigger instant sealing. */
  ackOnly: boolean;
}

export interface ChainOptions {
  runtime: Runtime;
  mode: SealMode;
  /** Interval mode period. */
  blockTimeMs: number;
  /** Finalized = best − finalityLag (instant and interval modes). */
  finalityLag: number;
  maxExtrinsicsPerBlock: number;
  endowed: { account: Uint8Array; free: bigint }[];
  sudoKey: Uint8Array | null;
  logger?: Logger;
  store?: ChainStore;
  /** Signature checks of submitted extrinsics; default: on the event loop. */
  verifier?: SignatureVerifier;
  /** GRANDPA: genesis authority set, the node's keys, justification period. */
  grandpa: GrandpaOptions;
}

export interface CreateBlockOptions {
  createEmpty?: boolean;
  finalize?: boolean;
  parentHash?: string;
}

type Listener<T> = (value: T) => void;

/** No `System.Digest` (genesis): a digest without logs. */
const EMPTY_DIGEST = Uint8Array.of(0);

/** `sp_runtime::generic::Header`; `digest` is the SCALE `Digest` (`Vec<DigestItem>`). */
function encodeHeader(parentHash: Uint8Array, number: number, stateRoot: Uint8Array, extrinsicsRoot: Uint8Array, digest: Uint8Array): Uint8Array {
  const w = new ScaleWriter();
  w.bytes(parentHash);
  w.compact(number);
  w.bytes(stateRoot);
  w.bytes(extrinsicsRoot);
  w.bytes(digest);
  return w.finish();
}

/**
 * The chain engine: block production (instant / interval / manual), the transaction pool, finality and
 * notifications. Transport-agnostic; the RPC server subscribes to its listeners.
 */
export class Chain {
  readonly runtime: Runtime;
  readonly pool = new TxPool();
  readonly #opts: ChainOptions;
  readonly #log: Logger;
  readonly #verifier: SignatureVerifier;
  readonly #blocks = new Map<string, BlockRecord>();
  #canonical: BlockRecord[] = [];
  #finalized!: BlockRecord;
  #announcedFinal = 0;
  readonly #awaitingFinality = new Map<string, PoolEntry[]>();
  /** Recently included extrinsic hashes (resubmission → "temporarily banned"). */
  readonly #banned = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #sealTimer: NodeJS.Timeout | undefined;
  #sealAt = 0;
  #interval: NodeJS.Timeout | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #stopped = false;
  readonly #newBlock = new Set<Listener<BlockRecord>>();
  readonly #finalizedListeners = new Set<Listener<BlockRecord>>();
  /** The GRANDPA side of finality: authority sets, justifications, finality proofs. */
  readonly grandpa: GrandpaFinality;
  readonly #digestKey: Uint8Array;

  private constructor(opts: ChainOptions) {
    this.#opts = opts;
    this.runtime = opts.runtime;
    this.#log = opts.logger ?? NOOP_LOGGER;
    this.#verifier = opts.verifier ?? INLINE_VERIFIER;
    this.grandpa = new GrandpaFinality(opts.grandpa, (bytes) => opts.runtime.decodeDigestItem(bytes), this.#log);
    this.#digestKey = hexToU8a(opts.runtime.layout.keyHex('System', 'Digest'));
  }

  static async create(opts: ChainOptions): Promise<Chain> {
    const chain = new Chain(opts);
    const grandpaAuthorities = opts.grandpa.authorities.map((a): [Uint8Array, bigint] => [a.id, a.weight]);
    const changes = opts.runtime.genesis({ endowed: opts.endowed, sudoKey: opts.sudoKey, grandpaAuthorities });
    const state = PersistentTrie.empty(1).setMany([...changes].map(([k, v]) => [hexToU8a(k), v] as const));
    const genesis = chain.#record(new Uint8Array(32), 0, state, [], changes, 0);
    chain.#blocks.set(genesis.hash, genesis);
    chain.#canonical = [genesis];
    chain.#finalized = genesis;
    if (opts.store) await chain.#resume(opts.store, genesis);
    if (opts.mode === 'interval') {
      chain.#interval = setInterval(() => {
        if (!chain.#busy) void chain.createBlock({ createEmpty: true }).catch((e) => chain.#log.log('error', 'interval block failed', { error: String(e) }));
      }, opts.blockTimeMs);
    }
    return chain;
  }

  #busy = false;

  // --- queries ---------------------------------------------------------------------------------------------

  get genesisHash(): string {
    return this.#canonical[0]!.hash;
  }
  get best(): BlockRecord {
    return this.#canonical[this.#canonical.length - 1]!;
  }
  get bestNumber(): number {
    return this.best.number;
  }
  get finalized(): BlockRecord {
    return this.#finalized;
  }
  get finalizedNumber(): number {
    return this.#finalized.number;
  }
  get mode(): SealMode {
    return this.#opts.mode;
  }

  blockByHash(hash: string): BlockRecord | undefined {
    return this.#blocks.get(hash.toLowerCase());
  }

  blockByNumber(n: number): BlockRecord | undefined {
    return this.#canonical[n];
  }

  /**
   * `chain_getBlock`'s `justifications`: the GRANDPA one of a finalized canonical block that keeps it (every
   * justification period and at set changes), else none. As a node serializes them: `[[engineId, bytes]]`, both as
   * arrays of numbers.
   */
  justificationsOf(block: BlockRecord): [number[], number[]][] | null {
    if (this.#canonical[block.number] !== block || !this.grandpa.isKept(block.number)) return null;
    return [[Array.from(GRANDPA_ENGINE_ID), Array.from(this.grandpa.justification(block))]];
  }

  /** `grandpa_proveFinality`: SCALE `FinalityProof` for the finalized block number `n` (`docs/dev-parentchain.md §4.2`), or null. */
  proveFinality(n: number): Uint8Array | null {
    return this.grandpa.proveFinality(n, (i) => this.#canonical[i]);
  }

  /** Block for an optional `at` hash (best when omitted); unknown hash → UNKNOWN_BLOCK. */
  blockAt(at?: string | null): BlockRecord {
    if (at === undefined || at === null) return this.best;
    const block = this.blockByHash(at);
    if (!block) throw new DevChainError('UNKNOWN_BLOCK', `Client error: UnknownBlock: header not found for ${at}`);
    return block;
  }

  storageAt(block: BlockRecord): StorageAccess {
    return this.runtime.layout.access({
      get: (k) => block.state.get(hexToU8a(k)) ?? null,
      set: () => {
        throw new DevChainError('INVALID_ARGUMENT', 'block state is read-only');
      },
    });
  }

  get view(): ChainView {
    const genesisHash = hexToU8a(this.genesisHash);
    return { genesisHash, hashAt: (n) => (this.#canonical[n] ? hexToU8a(this.#canonical[n]!.hash) : undefined) };
  }

  onNewBlock(listener: Listener<BlockRecord>): () => void {
    this.#newBlock.add(listener);
    return () => this.#newBlock.delete(listener);
  }

  onFinalized(listener: Listener<BlockRecord>): () => void {
    this.#finalizedListeners.add(listener);
    return () => this.#finalizedListeners.delete(listener);
  }

  // --- transactions ----------------------------------------------------------------------------------------

  /**
   * Validates and queues an extrinsic like a node's `author_submitExtrinsic`; rejects with DevChainError with the
   * pool error (INVALID_TRANSACTION, ALREADY_IMPORTED, …). `watch` receives status updates from "ready"/"future" on.
   */
  async submit(bytes: Uint8Array, watch?: (status: TxStatus) => void): Promise<string> {
    if (this.#stopped) throw new DevChainError('STOPPED', 'chain is stopped');
    const xt = this.runtime.decodeExtrinsic(bytes);
    const hashHex = u8aToHex(xt.hash);
    this.#checkNew(hashHex);
    const payload = this.runtime.checkedPayload(xt, this.best.number + 1, this.view);
    if (!(await this.#verifier.verify(xt.signed!, payload))) throw invalidTransaction('BadProof');
    // State may have moved on while the signature was checked.
    this.#checkNew(hashHex);
    const { accountNonce } = this.runtime.checkFunds(xt, this.storageAt(this.best));
    const acknowledged = this.runtime.acknowledgedBlock(xt.call);
    const entry: PoolEntry = {
      xt,
      hashHex,
      sender: u8aToHex(xt.signed!.signer),
      nonce: xt.signed!.nonce,
      triggers: !acknowledged || !this.blockByHash(u8aToHex(acknowledged))?.ackOnly,
      watchers: new Set(watch ? [watch] : []),
      readySeq: 0,
    };
    const { status, promoted } = this.pool.insert(entry, accountNonce);
    watch?.(status);
    for (const p of promoted) this.#notify(p, 'ready');
    if (status === 'ready') this.#scheduleInstant();
    return hashHex;
  }

  #checkNew(hashHex: string): void {
    if (this.pool.has(hashHex)) throw new DevChainError('ALREADY_IMPORTED', 'Transaction Already Imported', { data: 'Transaction Already Imported' });
    if (this.#banned.has(hashHex)) throw new DevChainError('TEMPORARILY_BANNED', 'Transaction is temporarily banned', { data: 'Transaction is temporarily banned' });
  }

  #notify(entry: PoolEntry, status: TxStatus): void {
    for (const w of entry.watchers) w(status);
  }

  // --- block production ------------------------------------------------------------------------------------

  /**
   * Instant sealing: a block INSTANT_BATCH_MS after a triggering extrinsic arrives. Extrinsics that only acknowledge
   * an acknowledgement-only block (a worker confirming the block that carried its previous confirmation) do not
   * trigger; they ride along with the next block, at the latest after ACK_SEAL_DELAY_MS — so a worker that confirms
   * every block paces the chain at that period instead of making it spin.
   */
  #scheduleInstant(delayMs = INSTANT_BATCH_MS): void {
    if (this.#opts.mode !== 'instant' || this.#stopped) return;
    const ready = this.pool.ready();
    if (!ready.length) return;
    const delay = ready.some((e) => e.triggers) ? delayMs : ACK_SEAL_DELAY_MS;
    const at = Date.now() + delay;
    if (this.#sealTimer && this.#sealAt <= at) return;
    clearTimeout(this.#sealTimer);
    this.#sealAt = at;
    this.#sealTimer = setTimeout(() => {
      this.#sealTimer = undefined;
      this.createBlock({})
        .catch((e) => this.#log.log('error', 'instant block failed', { error: String(e) }))
        .finally(() => this.#scheduleInstant(0));
    }, delay);
  }

  /** Seals a block (manual-seal `engine_createBlock`); resolves after import (and finalization if requested). */
  createBlock(options: CreateBlockOptions = {}): Promise<BlockRecord> {
    const run = this.#lock.then(() => this.#produce(options));
    this.#lock = run.catch(() => undefined);
    return run.then(async (block) => {
      if (options.finalize) await this.finalize(block.hash);
      return block;
    });
  }

  async #produce({ createEmpty = true, parentHash }: CreateBlockOptions): Promise<BlockRecord> {
    if (this.#stopped) throw new DevChainError('STOPPED', 'chain is stopped');
    this.#busy = true;
    try {
      const parent = parentHash ? this.blockAt(parentHash) : this.best;
      if (parent.number < this.#finalized.number || (parent.number === this.#finalized.number && parent.hash !== this.#finalized.hash)) {
        throw new DevChainError('INVALID_ARGUMENT', `cannot build on ${parent.hash}: it is not a descendant of the finalized block`);
      }
      const ready = this.pool.ready();
      if (!ready.length && !createEmpty) throw new DevChainError('INVALID_ARGUMENT', 'no transactions to seal and createEmpty is false');
      const parentNow = this.storageAt(parent).get('Timestamp', 'Now') as bigint;
      const now = BigInt(Date.now()) > parentNow ? BigInt(Date.now()) : parentNow + 1n;
      const out = this.runtime.executeBlock({
        parent: parent.state,
        parentHash: hexToU8a(parent.hash),
        number: parent.number + 1,
        now,
        candidates: ready.map((e) => e.xt),
        view: this.view,
        maxExtrinsics: this.#opts.maxExtrinsicsPerBlock,
      });
      const state = parent.state.setMany([...out.changes].map(([k, v]) => [hexToU8a(k), v] as const));
      const block = this.#record(hexToU8a(parent.hash), parent.number + 1, state, out.extrinsics, out.changes, Date.now(), out.included);
      await this.#opts.store?.append(toStored(block), this.#finalized.number);
      this.#import(block);

      const gone: string[] = [];
      const inBlock = { inBlock: block.hash };
      for (const xt of out.included) {
        const h = u8aToHex(xt.hash);
        gone.push(h);
        this.#banned.set(h, block.number);
        const entry = this.pool.get(h);
        if (entry?.watchers.size) {
          this.#notify(entry, inBlock);
          const list = this.#awaitingFinality.get(block.hash) ?? [];
          list.push(entry);
          this.#awaitingFinality.set(block.hash, list);
        }
      }
      for (const { xt, error } of out.rejected) {
        const h = u8aToHex(xt.hash);
        gone.push(h);
        const entry = this.pool.get(h);
        if (entry) this.#notify(entry, 'invalid');
        this.#log.log('debug', 'extrinsic rejected at block building', { hash: h, reason: error.data });
      }
      const storage = this.storageAt(block);
      const { stale, promoted } = this.pool.rebuild(gone, (sender) => (storage.get('System', 'Account', [hexToU8a(sender)]) as { nonce: number }).nonce);
      for (const e of stale) this.#notify(e, 'invalid');
      for (const e of promoted) this.#notify(e, 'ready');
      this.#pruneBanned(block.number);

      this.#log.log('info', 'imported block', { number: block.number, hash: block.hash, extrinsics: block.extrinsics.length });
      for (const l of this.#newBlock) l(block);
      if (this.#opts.mode !== 'manual') this.#scheduleAutoFinality();
      return block;
    } finally {
      this.#busy = false;
    }
  }

  /** `signed`: the block's decoded signed extrinsics when at hand (else decoded from `extrinsics`). */
  #record(
    parentHash: Uint8Array,
    number: number,
    state: PersistentTrie,
    extrinsics: Uint8Array[],
    changes: Map<string, Uint8Array | null>,
    importedAt: number,
    signed: Extrinsic[] = extrinsics.slice(1).map((bytes) => this.runtime.decodeExtrinsic(bytes)),
  ): BlockRecord {
    const stateRoot = state.root();
    const extrinsicsRoot = orderedTrieRoot(extrinsics, extrinsicsRootStateVersion(RUNTIME_VERSION.stateVersion));
    // The header's digest is what the block left in System.Digest (frame_system::finalize), so a replay rebuilds it.
    const rawDigest = state.get(this.#digestKey) ?? EMPTY_DIGEST;
    const digest = this.runtime.digestLogs(rawDigest);
    const encodedHeader = encodeHeader(parentHash, number, stateRoot, extrinsicsRoot, rawDigest);
    const hash = u8aToHex(blake2AsU8a(encodedHeader, 256));
    const header: HeaderJson = {
      parentHash: u8aToHex(parentHash),
      number: `0x${number.toString(16)}`,
      stateRoot: u8aToHex(stateRoot),
      extrinsicsRoot: u8aToHex(extrinsicsRoot),
      digest: { logs: digest.map((item) => u8aToHex(item)) },
    };
    const ackOnly = signed.length > 0 && signed.every((xt) => this.runtime.acknowledgedBlock(xt.call) !== undefined);
    return { number, hash, parentHash: header.parentHash, header, encodedHeader, digest, extrinsics, state, changes, importedAt, ackOnly };
  }

  /** Makes `block` the best block (reorganising the canonical chain when it builds on a fork). */
  #import(block: BlockRecord): void {
    this.#blocks.set(block.hash, block);
    const route: BlockRecord[] = [block];
    let cursor = this.#blocks.get(block.parentHash)!;
    while (this.#canonical[cursor.number]?.hash !== cursor.hash) {
      route.unshift(cursor);
      cursor = this.#blocks.get(cursor.parentHash)!;
    }
    this.#canonical = [...this.#canonical.slice(0, cursor.number + 1), ...route];
  }

  #pruneBanned(number: number): void {
    // Keep bans for as long as an extrinsic could still be valid (its mortal era), at most BlockHashCount blocks.
    if (this.#banned.size < 10_000) return;
    for (const [h, n] of this.#banned) if (n < number - 256) this.#banned.delete(h);
  }

  // --- finality --------------------------------------------------------------------------------------------

  #scheduleAutoFinality(): void {
    this.#later(FINALITY_NOTIFY_DELAY_MS, () => {
      const target = this.best.number - this.#opts.finalityLag;
      const block = this.#canonical[target];
      if (block && target > this.#finalized.number) void this.finalize(block.hash).catch((e) => this.#log.log('error', 'finalize failed', { error: String(e) }));
    });
  }

  /**
   * Finalizes a canonical block (and its ancestors). Subscribers are notified no earlier than
   * FINALITY_NOTIFY_DELAY_MS after the block's import; the promise resolves once they were notified.
   */
  async finalize(hash: string): Promise<BlockRecord> {
    const block = this.blockAt(hash);
    if (this.#canonical[block.number]?.hash !== block.hash) throw new DevChainError('INVALID_ARGUMENT', `block ${hash} is not on the best chain`);
    if (block.number <= this.#finalized.number) return this.#finalized;
    const from = this.#finalized.number;
    this.#finalized = block;
    // GRANDPA rounds up to this block: set-change blocks in between are justified by their old set.
    const rounds = this.grandpa.finalize(this.#canonical.slice(from + 1, block.number + 1));
    await this.#opts.store?.setFinalized(block.number);
    const delay = Math.max(0, block.importedAt + FINALITY_NOTIFY_DELAY_MS - Date.now());
    await new Promise<void>((resolve) => this.#later(delay, resolve));
    this.#announceFinalized(block);
    this.grandpa.emit(rounds);
    return block;
  }

  #announceFinalized(block: BlockRecord): void {
    if (block.number <= this.#announcedFinal) return;
    for (let n = this.#announcedFinal + 1; n <= block.number; n++) {
      const b = this.#canonical[n];
      if (!b) continue;
      const entries = this.#awaitingFinality.get(b.hash);
      this.#awaitingFinality.delete(b.hash);
      for (const e of entries ?? []) {
        this.#notify(e, { finalized: b.hash });
        e.watchers.clear();
      }
    }
    this.#announcedFinal = block.number;
    for (const l of this.#finalizedListeners) l(block);
  }

  #later(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  // --- persistence -----------------------------------------------------------------------------------------

  async #resume(store: ChainStore, genesis: BlockRecord): Promise<void> {
    const stored = await store.load();
    if (!stored) {
      await store.append(toStored(genesis), 0);
      return;
    }
    if (stored.blocks[0]?.hash !== genesis.hash) {
      throw new DevChainError('DATABASE', `database genesis ${stored.blocks[0]?.hash} differs from this configuration's genesis ${genesis.hash}`);
    }
    let parent = genesis;
    for (const sb of stored.blocks.slice(1)) {
      const changes = new Map(sb.changes.map(([k, v]) => [k, v === null ? null : hexToU8a(v)] as const));
      const state = parent.state.setMany([...changes].map(([k, v]) => [hexToU8a(k), v] as const));
      const block = this.#record(hexToU8a(sb.parentHash), sb.number, state, sb.extrinsics.map((x) => hexToU8a(x)), changes, 0);
      if (block.hash !== sb.hash) throw new DevChainError('DATABASE', `replayed block #${sb.number} hash ${block.hash} differs from stored ${sb.hash}`);
      this.#import(block);
      parent = block;
    }
    this.#finalized = this.#canonical[Math.min(stored.finalized, this.best.number)]!;
    this.#announcedFinal = this.#finalized.number;
    // The authority sets follow from the finalized blocks' digests, as a node's would after a resync.
    this.grandpa.finalize(this.#canonical.slice(1, this.#finalized.number + 1));
    this.#log.log('info', 'resumed chain from database', { best: this.best.number, hash: this.best.hash, finalized: this.#finalized.number });
  }

  /** Stops timers and refuses further work; pending watchers get "dropped". */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#sealTimer);
    clearInterval(this.#interval);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#lock;
    for (const e of this.pool.all()) this.#notify(e, 'dropped');
    await this.#verifier.close();
    await this.#opts.store?.close();
  }
}

function toStored(block: BlockRecord): StoredBlock {
  return {
    number: block.number,
    hash: block.hash,
    parentHash: block.parentHash,
    extrinsics: block.extrinsics.map((x) => u8aToHex(x)),
    changes: [...block.changes].map(([k, v]) => [k, v === null ? null : u8aToHex(v)]),
  };
}
