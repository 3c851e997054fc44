// Per-shard state: an immutable trie of storage-style keys plus the change set that produced it. Two workers
// that apply the same operations to the same state get byte-identical entries and roots.
import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';
import { ScaleReader, ScaleWriter, bytesEqual, bytesToHex, hexToBytes } from '@sealbridge/chain-types';
import { PersistentTrie } from '@sealbridge/trie';
import { ACCOUNT_ID_BYTES, HASH_BYTES, MAX_U128, MAX_U32 } from './constants.js';
import { StfError } from './errors.js';

export interface AccountData {
  free: bigint;
  reserved: bigint;
  nonce: number;
}

/** One changed key of a state transition; `value: null` means the key was deleted. */
export interface StateChange {
  key: Uint8Array;
  value: Uint8Array | null;
}

const EMPTY_ACCOUNT: Readonly<AccountData> = Object.freeze({ free: 0n, reserved: 0n, nonce: 0 });
const ACCOUNT_VALUE_BYTES = 4 + 16 + 16;

const prefix = (pallet: string, item: string): Uint8Array => u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128));
const blake2_128concat = (data: Uint8Array): Uint8Array => u8aConcat(blake2AsU8a(data, 128), data);

/** Storage prefixes, substrate style: twox128(pallet) ‖ twox128(item). */
export const STORAGE_PREFIX = Object.freeze({
  account: prefix('System', 'Account'),
  timestampNow: prefix('Timestamp', 'Now'),
  smartWorkerResult: prefix('SmartWorker', 'Results'),
  operationOutcome: prefix('Sealbridge', 'OperationOutcomes'),
  outcomesByBlock: prefix('Sealbridge', 'OutcomesByBlock'),
});

function expectLength(value: Uint8Array, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new StfError('InvalidEnvironment', `${what} must be ${length} bytes`);
  }
  return value;
}

/** System.Account ‖ blake2_128concat(who). */
export const accountKey = (who: Uint8Array): Uint8Array =>
  u8aConcat(STORAGE_PREFIX.account, blake2_128concat(expectLength(who, ACCOUNT_ID_BYTES, 'account id')));
/** Timestamp.Now (u64 LE, milliseconds of the parentchain). */
export const timestampKey = (): Uint8Array => STORAGE_PREFIX.timestampNow.slice();
/** SmartWorker.Results ‖ blake2_128concat(sender) ‖ blake2_128concat(callHash). */
export const smartWorkerResultKey = (sender: Uint8Array, callHash: Uint8Array): Uint8Array =>
  u8aConcat(
    STORAGE_PREFIX.smartWorkerResult,
    blake2_128concat(expectLength(sender, ACCOUNT_ID_BYTES, 'sender')),
    blake2_128concat(expectLength(callHash, HASH_BYTES, 'call hash')),
  );
/** Sealbridge.OperationOutcomes ‖ blake2_128concat(sender) ‖ topHash (identity: it is a blake2-256 already). */
export const operationOutcomeKey = (sender: Uint8Array, topHash: Uint8Array): Uint8Array =>
  u8aConcat(
    STORAGE_PREFIX.operationOutcome,
    blake2_128concat(expectLength(sender, ACCOUNT_ID_BYTES, 'sender')),
    expectLength(topHash, HASH_BYTES, 'TOP hash'),
  );
/**
 * Sealbridge.OutcomesByBlock ‖ block number as u32 big-endian (not SCALE): big-endian so that the trie lists the
 * blocks oldest first and pruning stops at the first one it keeps.
 */
export function outcomesByBlockKey(blockNumber: number): Uint8Array {
  const key = new Uint8Array(STORAGE_PREFIX.outcomesByBlock.length + 4);
  key.set(STORAGE_PREFIX.outcomesByBlock);
  new DataView(key.buffer).setUint32(STORAGE_PREFIX.outcomesByBlock.length, blockNumber, false);
  return key;
}
export const blockOfOutcomesByBlockKey = (key: Uint8Array): number =>
  new DataView(key.buffer, key.byteOffset, key.length).getUint32(STORAGE_PREFIX.outcomesByBlock.length, false);
/** Account value: SCALE { nonce: u32, free: u128, reserved: u128 } (36 bytes). Empty accounts are not stored. */
export function encodeAccount(a: AccountData): Uint8Array {
  if (!Number.isInteger(a.nonce) || a.nonce < 0 || a.nonce > MAX_U32) throw new StfError('Overflow', `nonce ${a.nonce} out of u32`);
  for (const v of [a.free, a.reserved]) if (v < 0n || v > MAX_U128) throw new StfError('Overflow', `balance ${v} out of u128`);
  return new ScaleWriter(ACCOUNT_VALUE_BYTES).u32(a.nonce).uint(a.free, 16).uint(a.reserved, 16).finish();
}

export function decodeAccount(value: Uint8Array): AccountData {
  if (value.length !== ACCOUNT_VALUE_BYTES) throw new StfError('MalformedState', `account value has ${value.length} bytes`);
  const r = new ScaleReader(value, 'AccountData');
  return { nonce: r.u32('nonce'), free: r.uint(16, 'free'), reserved: r.uint(16, 'reserved') };
}

const hexKey = (key: Uint8Array): string => bytesToHex(key, false);

/**
 * Immutable state of one shard, backed by a persistent Substrate trie: a new state shares every untouched
 * node with its parent, so one block costs O(changed keys · depth) and the root rehashes only changed paths.
 * `transaction()` gives a mutable overlay whose `commit()` yields the next state together with its `changes`.
 */
export class ShardState {
  readonly #trie: PersistentTrie;
  readonly #changes: readonly StateChange[];

  private constructor(trie: PersistentTrie, changes: readonly StateChange[]) {
    this.#trie = trie;
    this.#changes = changes;
  }

  static empty(): ShardState {
    return new ShardState(PersistentTrie.empty(), []);
  }

  /** Builds a state from raw entries (e.g. loaded from LevelDB). Empty values are rejected. */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>): ShardState {
    const checked: [Uint8Array, Uint8Array][] = [];
    for (const [k, v] of entries) {
      if (!(k instanceof Uint8Array) || !(v instanceof Uint8Array) || v.length === 0) {
        throw new StfError('MalformedState', 'state entries must be non-empty Uint8Array key/value pairs');
      }
      checked.push([k.slice(), v.slice()]);
    }
    return new ShardState(PersistentTrie.fromEntries(checked), []);
  }

  /** Snapshot format: SCALE Vec<(Vec<u8>, Vec<u8>)> in ascending key order. */
  static decode(bytes: Uint8Array): ShardState {
    try {
      const r = new ScaleReader(bytes, 'state snapshot');
      const count = r.length('entries', 2);
      const entries: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < count; i += 1) entries.push([r.bytesWithLength('key'), r.bytesWithLength('value')]);
      r.end();
      return ShardState.fromEntries(entries);
    } catch (cause) {
      if (cause instanceof StfError) throw cause;
      throw new StfError('MalformedState', `state snapshot does not decode: ${(cause as Error).message}`, { cause });
    }
  }

  encode(): Uint8Array {
    const entries = this.entries();
    const w = new ScaleWriter().compact(entries.length);
    for (const [k, v] of entries) w.bytesWithLength(k).bytesWithLength(v);
    return w.finish();
  }

  /** All entries (or those under `prefix`) in ascending key order. */
  entries(prefix?: Uint8Array): [Uint8Array, Uint8Array][] {
    return [...this.#trie.entries(prefix)];
  }

  get size(): number {
    return this.#trie.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.#trie.get(key);
  }

  account(who: Uint8Array): AccountData {
    const v = this.#trie.get(accountKey(who));
    return v ? decodeAccount(v) : { ...EMPTY_ACCOUNT };
  }

  /** The keys this state changed relative to the state it was committed from, ascending by key. */
  get changes(): readonly StateChange[] {
    return this.#changes;
  }

  diff(): StateChange[] {
    return this.#changes.map(({ key, value }) => ({ key: key.slice(), value: value && value.slice() }));
  }

  /** Substrate Patricia-Merkle root (blake2-256, state version 1) of all entries; memoised by the trie. */
  root(): Uint8Array {
    return this.#trie.root();
  }

  /** Storage read proof (`StorageProof` node set) for `keys` against `root()`. */
  proof(keys: readonly Uint8Array[]): Uint8Array[] {
    return this.#trie.proof(keys);
  }

  transaction(): StateTransaction {
    return new StateTransaction(this, (writes) => {
      const changes: StateChange[] = [];
      for (const k of [...writes.keys()].sort()) {
        const value = writes.get(k) as Uint8Array | null;
        const key = hexToBytes(k);
        const before = this.#trie.get(key);
        if (value === null ? before === undefined : (before !== undefined && bytesEqual(before, value))) continue;
        changes.push({ key, value });
      }
      const trie = this.#trie.setMany(changes.map((c) => [c.key, c.value] as const));
      return new ShardState(trie, changes);
    });
  }

  /** Convenience for setup code: one transaction around `fn`. */
  update(fn: (tx: StateTransaction) => void): ShardState {
    const tx = this.transaction();
    fn(tx);
    return tx.commit();
  }
}

/** Mutable overlay over a ShardState. Only `commit()` produces a new state; the base is never touched. */
export class StateTransaction {
  readonly #writes = new Map<string, Uint8Array | null>();
  readonly #commit: (writes: ReadonlyMap<string, Uint8Array | null>) => ShardState;
  readonly base: ShardState;

  /** Obtain one through `ShardState.transaction()`. */
  constructor(base: ShardState, commit: (writes: ReadonlyMap<string, Uint8Array | null>) => ShardState) {
    this.base = base;
    this.#commit = commit;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const w = this.#writes.get(hexKey(key));
    if (w !== undefined) return w === null ? undefined : w.slice();
    return this.base.get(key);
  }

  /** Stores `value`; an empty value deletes the key (a trie cannot tell empty from absent). */
  put(key: Uint8Array, value: Uint8Array): void {
    this.#writes.set(hexKey(key), value.length === 0 ? null : value.slice());
  }

  delete(key: Uint8Array): void {
    this.#writes.set(hexKey(key), null);
  }

  account(who: Uint8Array): AccountData {
    const v = this.get(accountKey(who));
    return v ? decodeAccount(v) : { ...EMPTY_ACCOUNT };
  }

  putAccount(who: Uint8Array, data: AccountData): void {
    const key = accountKey(who);
    if (data.free === 0n && data.reserved === 0n && data.nonce === 0) this.delete(key);
    else this.put(key, encodeAccount(data));
  }


  /** The next state; `changes` holds only keys whose value really differs from the base. */
  commit(): ShardState {
    return this.#commit(this.#writes);
  }
}
