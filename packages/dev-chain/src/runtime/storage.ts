import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';

import type { ResolvedStorage, RuntimeMetadata } from '../metadata/build.js';
import type { ScaleValue as Value } from '@sealbridge/chain-types';
import type { StorageAccess, StorageHasher } from './pallet.js';

import { DevChainError } from '../errors.js';

/** The part of `PersistentTrie` the engine reads; one immutable snapshot per block. */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

function hash(hasher: StorageHasher, data: Uint8Array): Uint8Array {
  switch (hasher) {
    case 'Blake2_128':
      return blake2AsU8a(data, 128);
    case 'Blake2_256':
      return blake2AsU8a(data, 256);
    case 'Blake2_128Concat':
      return u8aConcat(blake2AsU8a(data, 128), data);
    case 'Twox128':
      return xxhashAsU8a(data, 128);
    case 'Twox256':
      return xxhashAsU8a(data, 256);
    case 'Twox64Concat':
      return u8aConcat(xxhashAsU8a(data, 64), data);
    case 'Identity':
      return data;
  }
}

/**
 * Copy-on-write layer over a state snapshot (or a parent layer). Keys are 0x-hex strings; `null` marks a
 * deletion. Transactional dispatch opens a child layer and either `commit`s it into the parent or drops it.
 */
export class Overlay {
  readonly changes = new Map<string, Uint8Array | null>();

  constructor(readonly parent: Overlay | StateReader) {}

  get(key: string): Uint8Array | null {
    const own = this.changes.get(key);
    if (own !== undefined) return own;
    if (this.parent instanceof Overlay) return this.parent.get(key);
    return this.parent.get(hexToU8a(key)) ?? null;
  }

  set(key: string, value: Uint8Array | null): void {
    this.changes.set(key, value);
  }

  child(): Overlay {
    return new Overlay(this);
  }

  commit(): void {
    if (!(this.parent instanceof Overlay)) throw new DevChainError('INVALID_ARGUMENT', 'cannot commit the root overlay');
    for (const [k, v] of this.changes) this.parent.changes.set(k, v);
  }
}

/** Hashed storage keys remembered (per layout) for byte/number map keys: accounts are looked up many times per block. */
const KEY_CACHE_MAX = 50_000;

/** Storage keys and typed access derived from the metadata. */
export class StorageLayout {
  readonly #keyCache = new Map<string, string>();

  constructor(readonly meta: RuntimeMetadata) {}

  entry(pallet: string, item: string): ResolvedStorage {
    const entry = this.meta.pallets.get(pallet)?.storage.get(item);
    if (!entry) throw new DevChainError('METADATA', `unknown storage item ${pallet}.${item}`);
    return entry;
  }

  key(entry: ResolvedStorage, keys: Value[] = []): Uint8Array {
    if (keys.length !== entry.keyTypes.length) {
      throw new DevChainError('INVALID_ARGUMENT', `${entry.pallet}.${entry.name} takes ${entry.keyTypes.length} keys, got ${keys.length}`);
    }
    if (keys.length === 0) return entry.prefix;
    const parts = keys.map((k, i) => hash(entry.hashers[i]!, this.meta.codec.encode(entry.keyTypes[i]!, k)));
    return u8aConcat(entry.prefix, ...parts);
  }

  keyHex(pallet: string, item: string, keys: Value[] = []): string {
    return this.#keyHexOf(this.entry(pallet, item), keys);
  }

  #keyHexOf(entry: ResolvedStorage, keys: Value[]): string {
    if (!keys.every((k) => k instanceof Uint8Array || typeof k === 'number')) return u8aToHex(this.key(entry, keys));
    const id = `${entry.pallet}.${entry.name}${keys.map((k) => (k instanceof Uint8Array ? `|${Buffer.from(k.buffer, k.byteOffset, k.length).toString('hex')}` : `#${k}`)).join('')}`;
    let hex = this.#keyCache.get(id);
    if (hex === undefined) {
      hex = u8aToHex(this.key(entry, keys));
      if (this.#keyCache.size >= KEY_CACHE_MAX) this.#keyCache.clear();
      this.#keyCache.set(id, hex);
    }
    return hex;
  }

  decodeValue(entry: ResolvedStorage, raw: Uint8Array | null | undefined): Value {
    if (raw === null || raw === undefined) return entry.modifier === 'Default' ? this.meta.codec.defaultValue(entry.valueType) : undefined;
    return this.meta.codec.decode(entry.valueType, raw);
  }

  /** Typed view over raw get/set functions. */
  access(raw: { get(key: string): Uint8Array | null; set(key: string, value: Uint8Array | null): void }): StorageAccess {
    return {
      get: (pallet, item, keys = []) => {
        const entry = this.entry(pallet, item);
        return this.decodeValue(entry, raw.get(this.#keyHexOf(entry, keys)));
      },
      has: (pallet, item, keys = []) => raw.get(this.keyHex(pallet, item, keys)) !== null,
      set: (pallet, item, keys, value) => {
        const entry = this.entry(pallet, item);
        raw.set(this.#keyHexOf(entry, keys), this.meta.codec.encode(entry.valueType, value));
      },
      remove: (pallet, item, keys = []) => raw.set(this.keyHex(pallet, item, keys), null),
      getRaw: (key) => raw.get(key),
      setRaw: (key, value) => raw.set(key, value),
    };
  }
}
