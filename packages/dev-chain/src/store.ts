import { Level } from 'level';

import { DevChainError } from './errors.js';

/** A block as persisted: enough to replay it (its storage changes) and to check the replay (its hash). */
export interface StoredBlock {
  number: number;
  hash: string;
  parentHash: string;
  extrinsics: string[];
  changes: [string, string | null][];
}

export interface ChainStore {
  /** Canonical blocks from genesis in order, or null for an empty database. */
  load(): Promise<{ blocks: StoredBlock[]; finalized: number } | null>;
  /** Writes the block, the new best pointer and the finalized number in one atomic batch. */
  append(block: StoredBlock, finalized: number): Promise<void>;
  setFinalized(number: number): Promise<void>;
  close(): Promise<void>;
}

const blockKey = (n: number) => `block:${n.toString().padStart(10, '0')}`;

/** LevelDB-backed store (`--db <dir>`). */
export class LevelChainStore implements ChainStore {
  readonly #db: Level<string, string>;

  private constructor(db: Level<string, string>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<LevelChainStore> {
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (cause) {
      throw new DevChainError('DATABASE', `cannot open database at ${dir}: ${(cause as Error).message}`, { cause });
    }
    return new LevelChainStore(db);
  }

  async load(): Promise<{ blocks: StoredBlock[]; finalized: number } | null> {
    const best = await this.#db.get('meta:best');
    if (best === undefined) return null;
    const blocks: StoredBlock[] = [];
    for await (const value of this.#db.values({ gte: blockKey(0), lte: blockKey(Number(best)) })) blocks.push(JSON.parse(value) as StoredBlock);
    blocks.forEach((b, i) => {
      if (b.number !== i) throw new DevChainError('DATABASE', `database is missing block #${i}`);
    });
    return { blocks, finalized: Number((await this.#db.get('meta:finalized')) ?? 0) };
  }

  async append(block: StoredBlock, finalized: number): Promise<void> {
    await this.#db.batch([
      { type: 'put', key: blockKey(block.number), value: JSON.stringify(block) },
      { type: 'put', key: 'meta:best', value: String(block.number) },
      { type: 'put', key: 'meta:finalized', value: String(finalized) },
    ]);
  }

  async setFinalized(number: number): Promise<void> {
    await this.#db.put('meta:finalized', String(number));
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
