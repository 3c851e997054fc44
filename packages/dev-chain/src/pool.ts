import type { Extrinsic } from './runtime/extrinsic.js';

import { DevChainError } from './errors.js';

/** `author_extrinsicUpdate` results, as a Substrate node sends them. */
export type TxStatus = 'future' | 'ready' | 'invalid' | 'dropped' | { inBlock: string } | { finalized: string } | { retracted: string };

export interface PoolEntry {
  xt: Extrinsic;
  hashHex: string;
  sender: string;
  nonce: number;
  /** Whether this extrinsic alone should make instant sealing produce a block (see CallDecl.acknowledges). */
  triggers: boolean;
  watchers: Set<(status: TxStatus) => void>;
  /** Order in the ready queue (assigned when the entry becomes ready). */
  readySeq: number;
}

/** Maximum extrinsics waiting for a nonce gap to close, in total. */
export const MAX_FUTURE_EXTRINSICS = 4096;

/**
 * Transaction pool with ready and future queues: an extrinsic is ready when its nonce continues the sender's
 * on-chain nonce plus its ready predecessors, future when there is a gap, like Substrate's pool.
 */
export class TxPool {
  readonly #byHash = new Map<string, PoolEntry>();
  #ready: PoolEntry[] = [];
  /** sender → nonce the next ready extrinsic must have */
  #nextNonce = new Map<string, number>();
  /** sender → nonce → entry */
  #future = new Map<string, Map<number, PoolEntry>>();
  #futureCount = 0;
  #seq = 0;

  get size(): number {
    return this.#byHash.size;
  }

  has(hashHex: string): boolean {
    return this.#byHash.has(hashHex);
  }

  get(hashHex: string): PoolEntry | undefined {
    return this.#byHash.get(hashHex);
  }

  ready(): readonly PoolEntry[] {
    return this.#ready;
  }

  all(): PoolEntry[] {
    return [...this.#byHash.values()];
  }

  /** Inserts after validation; returns the entries that became ready (the new one and promoted futures). */
  insert(entry: PoolEntry, accountNonce: number): { status: 'ready' | 'future'; promoted: PoolEntry[] } {
    const next = this.#nextNonce.get(entry.sender) ?? accountNonce;
    const futures = this.#future.get(entry.sender);
    if (entry.nonce < next || futures?.has(entry.nonce)) {
      throw new DevChainError('TOO_LOW_PRIORITY', 'Priority is too low: (0 vs 0)', {
        data: 'The transaction has too low priority to replace another transaction already in the pool.',
      });
    }
    if (entry.nonce > next) {
      if (this.#futureCount >= MAX_FUTURE_EXTRINSICS) {
        throw new DevChainError('UNKNOWN_TRANSACTION', 'Immediately Dropped: the future queue is full', {
          data: 'The transaction could not enter the pool because the future queue is full',
        });
      }
      this.#byHash.set(entry.hashHex, entry);
      if (!futures) this.#future.set(entry.sender, new Map([[entry.nonce, entry]]));
      else futures.set(entry.nonce, entry);
      this.#futureCount++;
      return { status: 'future', promoted: [] };
    }
    this.#byHash.set(entry.hashHex, entry);
    const promoted: PoolEntry[] = [];
    let current: PoolEntry | undefined = entry;
    let nonce = entry.nonce;
    while (current) {
      current.readySeq = this.#seq++;
      this.#ready.push(current);
      promoted.push(current);
      nonce++;
      current = futures?.get(nonce);
      if (current) {
        futures!.delete(nonce);
        this.#futureCount--;
      }
    }
    if (futures && futures.size === 0) this.#future.delete(entry.sender);
    this.#nextNonce.set(entry.sender, nonce);
    return { status: 'ready', promoted: promoted.slice(1) };
  }

  /**
   * After a block: drops `gone` (included or rejected), then re-sorts everything against the new on-chain nonces.
   * Returns entries that became stale (nonce below the account nonce) and entries newly promoted to ready.
   */
  rebuild(gone: Iterable<string>, accountNonce: (sender: string) => number): { stale: PoolEntry[]; promoted: PoolEntry[] } {
    for (const h of gone) this.#byHash.delete(h);
    const wasReady = new Set(this.#ready.filter((e) => this.#byHash.has(e.hashHex)));
    const bySender = new Map<string, PoolEntry[]>();
    for (const e of this.#byHash.values()) {
      const list = bySender.get(e.sender);
      if (list) list.push(e);
      else bySender.set(e.sender, [e]);
    }
    this.#ready = [];
    this.#future = new Map();
    this.#futureCount = 0;
    this.#nextNonce = new Map();
    const stale: PoolEntry[] = [];
    const promoted: PoolEntry[] = [];
    for (const [sender, list] of bySender) {
      list.sort((a, b) => a.nonce - b.nonce);
      let next = accountNonce(sender);
      for (const e of list) {
        if (e.nonce < next) {
          stale.push(e);
          this.#byHash.delete(e.hashHex);
        } else if (e.nonce === next) {
          if (!wasReady.has(e)) {
            e.readySeq = this.#seq++;
            promoted.push(e);
          }
          this.#ready.push(e);
          next++;
        } else {
          let futures = this.#future.get(sender);
          if (!futures) this.#future.set(sender, (futures = new Map()));
          futures.set(e.nonce, e);
          this.#futureCount++;
        }
      }
      this.#nextNonce.set(sender, next);
    }
    this.#ready.sort((a, b) => a.readySeq - b.readySeq);
    return { stale, promoted };
  }
}
