import { Level } from 'level';

import type { BlockRef } from './parentchain.js';

/** An extrinsic the enclave signed and the worker must see included on the parentchain. */
export interface OutboxEntry {
  /** blake2-256 of the signed extrinsic, how the worker recognises it in an imported block. */
  hash: string;
  nonce: number;
  kind: string;
  /** The signed extrinsic, hex. Resent unchanged until included: the same nonce makes resending idempotent. */
  extrinsic: string;
  /** Parentchain block whose import produced it. */
  origin: number;
}

export interface ShardStateWrite {
  shard: string;
  /** hex key → sealed value, or null to delete. */
  changes: Array<[string, Uint8Array | null]>;
}

/** Everything one imported block changes, written in ONE LevelDB batch so a crash leaves all or nothing. */
export interface BlockCommit {
  block: BlockRef;
  shardWrites: ShardStateWrite[];
  outboxAdd: OutboxEntry[];
  outboxRemove: string[];
  nextNonce: number;
  /** Host key/value area writes (already sealed where secret), null deletes. */
  kvWrites?: Array<[string, Uint8Array | null]>;
}

const KEY = {
  meta: (name: string) => `m:${name}`,
  state: (shard: string, key: string) => `s:${shard}:${key}`,
  statePrefix: (shard: string) => `s:${shard}:`,
  outbox: (hash: string) => `o:${hash}`,
  kv: (key: string) => `k:${key}`,
};

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The worker's on-disk LevelDB. Values under `s:` are sealed by the enclave before they get here. */
export class WorkerStore {
  readonly #db: Level<string, Uint8Array>;

  private constructor(db: Level<string, Uint8Array>) {
    this.#db = db;
  }

  static async open(path: string): Promise<WorkerStore> {
    const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    return new WorkerStore(db);
  }

  async #getJson<T>(key: string): Promise<T | undefined> {
    const value = await this.#db.get(key);
    return value === undefined ? undefined : (JSON.parse(fromUtf8.decode(value)) as T);
  }

  lastImported(): Promise<BlockRef | undefined> {
    return this.#getJson<BlockRef>(KEY.meta('lastImported'));
  }

  genesisHash(): Promise<string | undefined> {
    return this.#getJson<string>(KEY.meta('genesis'));
  }

  async setGenesisHash(hash: string): Promise<void> {
    await this.#db.put(KEY.meta('genesis'), utf8.encode(JSON.stringify(hash)));
  }

  async nextNonce(): Promise<number> {
    return (await this.#getJson<number>(KEY.meta('nextNonce'))) ?? 0;
  }

  async setNextNonce(nonce: number): Promise<void> {
    await this.#db.put(KEY.meta('nextNonce'), utf8.encode(JSON.stringify(nonce)), { sync: true });
  }

  async *shardEntries(shard: string): AsyncGenerator<[string, Uint8Array]> {
    const prefix = KEY.statePrefix(shard);
    for await (const [key, value] of this.#db.iterator({ gte: prefix, lt: `${prefix}\xff` })) {
      yield [key.slice(prefix.length), value];
    }
  }

  async outbox(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for await (const value of this.#db.values({ gte: 'o:', lt: 'o:\xff' })) {
      entries.push(JSON.parse(fromUtf8.decode(value)) as OutboxEntry);
    }
    return entries.sort((a, b) => a.nonce - b.nonce);
  }

  async commitBlock(commit: BlockCommit): Promise<void> {
    const batch = this.#db.batch();
    for (const { shard, changes } of commit.shardWrites) {
      for (const [key, value] of changes) {
        if (value === null) batch.del(KEY.state(shard, key));
        else batch.put(KEY.state(shard, key), value);
      }
    }
    for (const [key, value] of commit.kvWrites ?? []) {
      if (value === null) batch.del(KEY.kv(key));
      else batch.put(KEY.kv(key), value);
    }
    for (const hash of commit.outboxRemove) batch.del(KEY.outbox(hash));
    for (const entry of commit.outboxAdd) batch.put(KEY.outbox(entry.hash), utf8.encode(JSON.stringify(entry)));
    batch.put(KEY.meta('nextNonce'), utf8.encode(JSON.stringify(commit.nextNonce)));
    batch.put(KEY.meta('lastImported'), utf8.encode(JSON.stringify(commit.block)));
    await batch.write({ sync: false });
  }

  async addOutboxEntry(entry: OutboxEntry, nextNonce: number): Promise<void> {
    await this.#db.batch([
      { type: 'put', key: KEY.outbox(entry.hash), value: utf8.encode(JSON.stringify(entry)) },
      { type: 'put', key: KEY.meta('nextNonce'), value: utf8.encode(JSON.stringify(nextNonce)) },
    ], { sync: true });
  }

  async replaceOutboxEntry(old: OutboxEntry, replacement: OutboxEntry, nextNonce: number): Promise<void> {
    await this.#db.batch([
      { type: 'del', key: KEY.outbox(old.hash) },
      { type: 'put', key: KEY.outbox(replacement.hash), value: utf8.encode(JSON.stringify(replacement)) },
      { type: 'put', key: KEY.meta('nextNonce'), value: utf8.encode(JSON.stringify(nextNonce)) },
    ], { sync: true });
  }

  /** Host-side key/value area for other components (Smart Worker records); values arrive sealed. */
  kvGet(key: string): Promise<Uint8Array | undefined> {
    return this.#db.get(KEY.kv(key));
  }

  kvPut(key: string, value: Uint8Array): Promise<void> {
    return this.#db.put(KEY.kv(key), value, { sync: true });
  }

  kvDel(key: string): Promise<void> {
    return this.#db.del(KEY.kv(key));
  }

  async kvKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const from = KEY.kv(prefix);
    for await (const key of this.#db.keys({ gte: from, lt: `${from}\xff` })) keys.push(key.slice(KEY.kv('').length));
    return keys;
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
