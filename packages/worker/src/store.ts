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

/** Everything one imported block changes, written in ONE LevelDB batch so a crash leaves all or nothing. */
export interface BlockCommit {
  block: BlockRef;
  /** The enclave's sealed writes for the block (state, env); undefined deletes. Keys are the enclave's, opaque. */
  sealedWrites: Array<{ key: string; value: Uint8Array | undefined }>;
  outboxAdd: OutboxEntry[];
  outboxRemove: string[];
  nextNonce: number;
}

const KEY = {
  meta: (name: string) => `m:${name}`,
  sealed: (key: string) => `s:${key}`,
  outbox: (hash: string) => `o:${hash}`,
};

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The worker's on-disk LevelDB. Under `s:` it keeps the enclave's sealed blobs, under keys the enclave chose (they
 * reveal no account or state key); the rest is public: the import cursor, the outbox of signed extrinsics, the nonce.
 */
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

  /** The enclave's account as of its last start (0x-hex in the store). */
  async enclaveAccount(): Promise<Uint8Array | undefined> {
    const hex = await this.#getJson<string>(KEY.meta('enclaveAccount'));
    return hex === undefined ? undefined : new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
  }

  async setEnclaveAccount(account: Uint8Array): Promise<void> {
    await this.#db.put(KEY.meta('enclaveAccount'), utf8.encode(JSON.stringify(`0x${Buffer.from(account).toString('hex')}`)), { sync: true });
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

  /** Every sealed blob whose (enclave-chosen) key starts with `prefix`, in key order. */
  async sealedScan(prefix: string): Promise<Array<[string, Uint8Array]>> {
    const from = KEY.sealed(prefix);
    const found: Array<[string, Uint8Array]> = [];
    for await (const [key, value] of this.#db.iterator({ gte: from, lt: `${from}\xff` })) found.push([key.slice(KEY.sealed('').length), value]);
    return found;
  }

  sealedGet(key: string): Promise<Uint8Array | undefined> {
    return this.#db.get(KEY.sealed(key));
  }

  sealedPut(key: string, value: Uint8Array): Promise<void> {
    return this.#db.put(KEY.sealed(key), value, { sync: true });
  }

  sealedDelete(key: string): Promise<void> {
    return this.#db.del(KEY.sealed(key));
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
    for (const { key, value } of commit.sealedWrites) {
      if (value === undefined) batch.del(KEY.sealed(key));
      else batch.put(KEY.sealed(key), value);
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

  close(): Promise<void> {
    return this.#db.close();
  }
}
