import type { RpcRefusal } from './backend.js';
import { RpcServerError } from './errors.js';

export interface DecryptQueueLimits {
  /** Decryptions handed to the backend at once; the rest wait here, where their order is still ours. */
  maxRunning: number;
  /** Requests of one connection waiting or running; beyond it DECRYPT_QUEUE_FULL. */
  maxPerConnection: number;
  /** Requests waiting across all connections; beyond it SERVER_BUSY. */
  maxWaiting: number;
}

interface Job {
  cyphertext: Uint8Array;
  resolve: (plaintext: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/** One connection's place in the queue. */
export class DecryptLane {
  readonly jobs: Job[] = [];
  running = 0;
  readonly #queue: DecryptQueue;

  constructor(queue: DecryptQueue) {
    this.#queue = queue;
  }

  /** Throws (synchronously) RpcServerError DECRYPT_QUEUE_FULL or SERVER_BUSY instead of queueing beyond the limits. */
  decrypt(cyphertext: Uint8Array): Promise<Uint8Array> {
    return this.#queue.add(this, cyphertext);
  }

  /** The connection is gone: its waiting requests are dropped (nobody is left to answer), running ones finish. */
  close(): void {
    this.#queue.drop(this);
  }
}

/**
 * Fair queue in front of the backend's decryption for all RPC connections: requests wait per connection, and each
 * connection with waiting requests gets one turn per round (round-robin), so one client pipelining many requests
 * cannot push the others back. Bounded per connection and in total: a request over either limit is refused at once
 * with a coded error, never left to hang.
 */
export class DecryptQueue {
  readonly #limits: DecryptQueueLimits;
  readonly #run: (cyphertext: Uint8Array) => Promise<Uint8Array>;
  readonly #onRefused: (reason: RpcRefusal) => void;
  /** Lanes with waiting requests, in turn order. */
  #ring: DecryptLane[] = [];
  #running = 0;
  #waiting = 0;

  constructor(limits: DecryptQueueLimits, run: (cyphertext: Uint8Array) => Promise<Uint8Array>, onRefused: (reason: RpcRefusal) => void = () => {}) {
    this.#limits = limits;
    this.#run = run;
    this.#onRefused = onRefused;
  }

  lane(): DecryptLane {
    return new DecryptLane(this);
  }

  get waiting(): number {
    return this.#waiting;
  }

  get running(): number {
    return this.#running;
  }

  add(lane: DecryptLane, cyphertext: Uint8Array): Promise<Uint8Array> {
    const { maxPerConnection, maxRunning, maxWaiting } = this.#limits;
    if (lane.jobs.length + lane.running >= maxPerConnection) {
      this.#onRefused('decrypt_queue_full');
      throw new RpcServerError('DECRYPT_QUEUE_FULL', `more than ${maxPerConnection} shielded requests of this connection waiting for decryption`);
    }
    if (this.#running >= maxRunning && this.#waiting >= maxWaiting) {
      this.#onRefused('server_busy');
      throw new RpcServerError('SERVER_BUSY', `decryption queue full (${maxWaiting} requests waiting); retry later`);
    }
    return new Promise((resolve, reject) => {
      if (lane.jobs.length === 0) this.#ring.push(lane);
      lane.jobs.push({ cyphertext, resolve, reject });
      this.#waiting++;
      this.#next();
    });
  }

  drop(lane: DecryptLane): void {
    if (lane.jobs.length === 0) return;
    // Their promises are never settled: only the closed connection's handlers hold them, and it sends nothing more.
    this.#waiting -= lane.jobs.splice(0).length;
    this.#ring = this.#ring.filter((l) => l !== lane);
  }

  #next(): void {
    while (this.#running < this.#limits.maxRunning && this.#ring.length > 0) {
      const lane = this.#ring.shift()!;
      const job = lane.jobs.shift()!;
      this.#waiting--;
      if (lane.jobs.length > 0) this.#ring.push(lane);
      this.#running++;
      lane.running++;
      // The executor turns a backend that throws instead of rejecting into a rejection too.
      new Promise<Uint8Array>((resolve) => resolve(this.#run(job.cyphertext))).then(job.resolve, job.reject).finally(() => {
        this.#running--;
        lane.running--;
        this.#next();
      });
    }
  }
}
