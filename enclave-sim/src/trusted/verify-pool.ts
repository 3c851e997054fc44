import { Worker } from 'node:worker_threads';

import { SealbridgeError } from '@sealbridge/chain-types';

import { enclaveThreadUrl } from './threads.js';
import {
  packedItemBytes,
  packVerifyBatch,
  VERIFY_SCHEMES,
  type FromVerifyThread,
  type ToVerifyThread,
  type VerifyItem,
  type VerifyScheme,
} from './verify-worker.js';

export type { VerifyItem, VerifyScheme } from './verify-worker.js';

/** Failure codes of SignatureVerifyPool. */
export const VERIFY_POOL_ERROR_CODES = [
  'INVALID_ARGUMENT', // not a VerifyItem (unknown scheme, a field that is not a Uint8Array), bad pool options
  'VERIFY_QUEUE_FULL', // maxWaiting requests already wait for a thread: shed load (answer "busy") instead of queueing
  'VERIFY_POOL_CLOSED', // close() was called; pending and later requests are rejected with it
  'VERIFY_POOL_FAILED', // a verification thread failed to start or stopped
] as const;
export type VerifyPoolErrorCode = (typeof VERIFY_POOL_ERROR_CODES)[number];

export class VerifyPoolError extends SealbridgeError<VerifyPoolErrorCode> {}

/*
 * Defaults, from enclave-sim/scripts/verify-pool-rate.mjs on the 2-core dev host (sr25519 at ~8,200/s a core there;
 * 20,000 fresh signatures, bursts of 64, undisturbed runs only):
 *  - 2 threads: 15,200–15,500/s, 94–96 % of two plain verification threads (16,200/s). With the RPC thread's own
 *    work per getter competing (0.24 of a verification, as in today's synchronous server), 12,100–12,600/s against
 *    7,600–8,100/s on 1 thread and 6,400–6,500/s synchronous; at ~6,100 getters/s p50/p99 6 / 17–24 ms on 2
 *    threads, 12 / 40–95 ms on 1. The third busy thread does not make 2 threads lose to 1.
 *  - batchMax 64: 8 costs ~10 % (13,600–14,000/s), 16 and 256 are within noise of 64; 64 keeps a message to ~8 ms here.
 *  - 2 messages per thread: the same as 1 without RPC work, 8 % more (12,100–12,600 vs 11,300/s) with it, when the
 *    busy main thread is slower to hand out the next batch.
 */
export const VERIFY_THREADS_DEFAULT = 2;
/** Requests per message at most (64 × ~125 µs of sr25519 work here, ~16 ms at 3,900/s). */
export const VERIFY_BATCH_MAX = 64;
/** Bytes per message at most (a request larger than that goes alone); getters are ~150 bytes with key and signature. */
export const VERIFY_BATCH_MAX_BYTES = 256 * 1024;
/** Messages a thread holds at once: one running, one queued behind it, so it never idles for the round trip. */
export const VERIFY_BATCHES_PER_THREAD = 2;
/**
 * Requests waiting for a thread at most; more are refused with VERIFY_QUEUE_FULL. Saturated, a request waits about
 * maxWaiting / rate (4096: 270–300 ms here, ~0.5 s at 3,900/s a core): lower it for a tighter latency bound.
 */
export const VERIFY_MAX_WAITING = 4096;

export interface VerifyPoolOptions {
  /** Default VERIFY_MAX_WAITING. */
  maxWaiting?: number;
  /** Default VERIFY_BATCH_MAX. */
  batchMax?: number;
  /** Default VERIFY_BATCH_MAX_BYTES. */
  batchMaxBytes?: number;
  /** Default VERIFY_BATCHES_PER_THREAD. */
  batchesPerThread?: number;
}

export interface VerifyPoolStats {
  /** Requests answered by a thread. */
  verified: number;
  /** Of those, valid signatures. */
  valid: number;
  /** Requests answered false in the pool without a thread: a key or signature length no scheme accepts. */
  malformed: number;
  /** Requests refused with VERIFY_QUEUE_FULL. */
  refused: number;
  /** Messages sent to the threads (verified / batches = mean batch size). */
  batches: number;
  /** Queue depth: requests accepted and not yet sent to a thread. */
  waiting: number;
  /** Requests at the threads, not yet answered. */
  inFlight: number;
  threads: number;
}

interface Pending {
  item: VerifyItem;
  bytes: number;
  resolve: (valid: boolean) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Messages sent and not yet answered, by id. */
  batches: Map<number, Pending[]>;
  /** Requests in them: the least-loaded measure. */
  inFlight: number;
}

/**
 * The thread's own module unbundled; bundled, enclaveThreadUrl gives the bootstrap, which loads the one bundle, whose
 * role dispatch (threads.ts runThreadEntry) must then run verify-worker.js for `sealbridgeThread: 'verify'`.
 */
const VERIFY_THREAD_URL = new URL('./verify-worker.js', import.meta.url);
const VERIFY_THREAD_DATA = Object.freeze({ sealbridgeThread: 'verify' });

/** Key and signature lengths each scheme can verify; anything else is false without a thread. */
const WELL_FORMED: Record<VerifyScheme, { keys: readonly number[]; signature: number }> = {
  sr25519: { keys: [32], signature: 64 },
  ed25519: { keys: [32], signature: 64 },
  ecdsa: { keys: [32, 33], signature: 65 },
};

/**
 * Signature verification for the trusted RPC server, on worker threads, in batches. Requests made in one event-loop
 * turn are sent together when the turn ends (setImmediate, so every request read in one poll phase joins): one
 * packed, transferred ArrayBuffer per message, answered with one packed Uint8Array. A turn's requests are split over
 * the idle threads (at most one message each, for latency); when no thread is idle they go as one message to the
 * least-loaded thread that has room. Each thread holds at most `batchesPerThread` messages; past that, requests wait
 * in the pool (at most `maxWaiting`) and leave, up to `batchMax` per message, as soon as a thread answers — so under
 * load batches grow to batchMax by themselves, and at low load a lone request goes at once, without a timer.
 *
 * Requests' byte arrays are read when they are packed (the end of the turn, or later while they wait): the caller
 * must not overwrite them before the promise settles.
 */
export class SignatureVerifyPool {
  readonly #slots: Slot[];
  readonly #maxWaiting: number;
  readonly #batchMax: number;
  readonly #batchMaxBytes: number;
  readonly #batchesPerThread: number;
  #queue: Pending[] = [];
  #flushScheduled = false;
  #nextId = 0;
  #failure: VerifyPoolError | undefined;
  readonly #stats = { verified: 0, valid: 0, malformed: 0, refused: 0, batches: 0 };

  private constructor(slots: Slot[], options: Required<VerifyPoolOptions>) {
    this.#slots = slots;
    this.#maxWaiting = options.maxWaiting;
    this.#batchMax = options.batchMax;
    this.#batchMaxBytes = options.batchMaxBytes;
    this.#batchesPerThread = options.batchesPerThread;
    for (const slot of slots) this.#watch(slot);
  }

  static async start(threads: number = VERIFY_THREADS_DEFAULT, options: VerifyPoolOptions = {}): Promise<SignatureVerifyPool> {
    const settings: Required<VerifyPoolOptions> = {
      maxWaiting: positiveInteger('maxWaiting', options.maxWaiting ?? VERIFY_MAX_WAITING),
      batchMax: positiveInteger('batchMax', options.batchMax ?? VERIFY_BATCH_MAX),
      batchMaxBytes: positiveInteger('batchMaxBytes', options.batchMaxBytes ?? VERIFY_BATCH_MAX_BYTES),
      batchesPerThread: positiveInteger('batchesPerThread', options.batchesPerThread ?? VERIFY_BATCHES_PER_THREAD),
    };
    positiveInteger('threads', threads);
    const started = await Promise.allSettled(Array.from({ length: threads }, startThread));
    const slots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new VerifyPoolError('VERIFY_POOL_FAILED', 'a signature verification thread failed to start', { cause: failed.reason });
    }
    return new SignatureVerifyPool(slots, settings);
  }

  /**
   * True only for a valid signature of `message` by `publicKey`; false for a wrong one and for malformed keys or
   * signatures. Rejects with VERIFY_QUEUE_FULL when maxWaiting requests already wait, VERIFY_POOL_CLOSED after
   * close(), VERIFY_POOL_FAILED when a thread stopped, INVALID_ARGUMENT for what is not a VerifyItem.
   */
  verify(item: VerifyItem): Promise<boolean> {
    if (this.#failure) return Promise.reject(this.#failure);
    const problem = itemProblem(item);
    if (problem) return Promise.reject(new VerifyPoolError('INVALID_ARGUMENT', problem));
    const lengths = WELL_FORMED[item.scheme];
    if (item.signature.length !== lengths.signature || !lengths.keys.includes(item.publicKey.length)) {
      this.#stats.malformed++;
      return Promise.resolve(false);
    }
    if (this.#queue.length >= this.#maxWaiting) {
      this.#stats.refused++;
      return Promise.reject(new VerifyPoolError('VERIFY_QUEUE_FULL', `${this.#queue.length} signature verifications already wait for a thread`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, bytes: packedItemBytes(item), resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#endOfTurn);
      }
    });
  }

  readonly #endOfTurn = (): void => {
    this.#flushScheduled = false;
    this.#pump();
  };

  #watch(slot: Slot): void {
    slot.worker.on('message', (m: FromVerifyThread) => {
      if (m.type !== 'results') return;
      const batch = slot.batches.get(m.id);
      if (!batch) return;
      if (m.results.length !== batch.length) {
        this.#fail(new VerifyPoolError('VERIFY_POOL_FAILED', `a verification thread answered ${m.results.length} of ${batch.length} requests`));
        return;
      }
      slot.batches.delete(m.id);
      slot.inFlight -= batch.length;
      this.#stats.verified += batch.length;
      // The thread gets its next batch before the answers are handed out.
      this.#pump();
      for (let i = 0; i < batch.length; i++) {
        const valid = m.results[i] === 1;
        if (valid) this.#stats.valid++;
        batch[i]!.resolve(valid);
      }
    });
    const fail = (cause: unknown): void => this.#fail(new VerifyPoolError('VERIFY_POOL_FAILED', 'a signature verification thread stopped', { cause }));
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`thread exited with code ${code}`)));
  }

  /** The first failure sticks: everything sent or waiting, and every later call, is rejected with it. */
  #fail(failure: VerifyPoolError): void {
    this.#failure ??= failure;
    for (const slot of this.#slots) {
      for (const batch of slot.batches.values()) for (const p of batch) p.reject(this.#failure);
      slot.batches.clear();
      slot.inFlight = 0;
    }
    for (const p of this.#queue.splice(0)) p.reject(this.#failure);
  }

  /** Least-loaded thread (fewest requests in flight) that holds fewer than batchesPerThread messages. */
  #slotWithRoom(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.batches.size < this.#batchesPerThread && (best === undefined || slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  /** Sends waiting requests while threads have room: split over the idle threads, else batchMax per message. */
  #pump(): void {
    if (this.#failure || this.#queue.length === 0) return;
    let idle = 0;
    for (const slot of this.#slots) if (slot.batches.size === 0) idle++;
    const perMessage = Math.min(this.#batchMax, Math.ceil(this.#queue.length / Math.max(1, idle)));
    let taken = 0;
    while (taken < this.#queue.length) {
      const slot = this.#slotWithRoom();
      if (!slot) break;
      let end = taken + 1;
      let bytes = this.#queue[taken]!.bytes;
      while (end < this.#queue.length && end - taken < perMessage && bytes + this.#queue[end]!.bytes <= this.#batchMaxBytes) {
        bytes += this.#queue[end++]!.bytes;
      }
      this.#send(slot, this.#queue.slice(taken, end), bytes);
      taken = end;
    }
    this.#queue = taken === this.#queue.length ? [] : this.#queue.slice(taken);
  }

  #send(slot: Slot, batch: Pending[], bytes: number): void {
    const id = this.#nextId++;
    const packed = packVerifyBatch(batch.map((p) => p.item), bytes);
    slot.batches.set(id, batch);
    slot.inFlight += batch.length;
    this.#stats.batches++;
    slot.worker.postMessage({ type: 'verify', id, batch: packed } satisfies ToVerifyThread, [packed]);
  }

  stats(): VerifyPoolStats {
    let inFlight = 0;
    for (const slot of this.#slots) inFlight += slot.inFlight;
    return { ...this.#stats, waiting: this.#queue.length, inFlight, threads: this.#slots.length };
  }

  /** Rejects everything waiting or at a thread with VERIFY_POOL_CLOSED (as every later call) and ends the threads. */
  async close(): Promise<void> {
    this.#fail(new VerifyPoolError('VERIFY_POOL_CLOSED', 'signature verification pool is closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

async function startThread(): Promise<Slot> {
  const worker = new Worker(enclaveThreadUrl(VERIFY_THREAD_URL), { workerData: VERIFY_THREAD_DATA });
  let onMessage: ((m: FromVerifyThread) => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  let onExit: ((code: number) => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onMessage = (m) => (m.type === 'ready' ? resolve() : reject(new Error(`unexpected first message ${m.type}`)));
      onError = reject;
      onExit = (code) => reject(new Error(`thread exited with code ${code} before it was ready`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  } finally {
    worker.off('message', onMessage!).off('error', onError!).off('exit', onExit!);
  }
  return { worker, batches: new Map(), inFlight: 0 };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new VerifyPoolError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  return value;
}

function itemProblem(item: VerifyItem): string | undefined {
  if (typeof item !== 'object' || item === null) return 'verify expects { scheme, publicKey, message, signature }';
  if (!VERIFY_SCHEMES.includes(item.scheme)) return `unknown signature scheme ${String(item.scheme)}; expected ${VERIFY_SCHEMES.join(', ')}`;
  for (const field of ['publicKey', 'message', 'signature'] as const) {
    if (!(item[field] instanceof Uint8Array)) return `${field} must be a Uint8Array`;
  }
  return undefined;
}
