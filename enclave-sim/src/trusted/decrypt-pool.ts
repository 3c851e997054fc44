import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

import { RSA_BLOCK_BYTES } from '@sealbridge/chain-types';

import type { CallVerification, DecryptOutcome, FromDecryptWorker, ToDecryptWorker } from './decrypt-protocol.js';
import { EnclaveError } from './errors.js';
import { DECRYPT_CHUNK_MAX, DECRYPT_RPC_CHUNK_MAX, DECRYPT_THREADS_KEPT_FOR_IMPORT, MAX_SHIELDED_BYTES } from './settings.js';
import { enclaveThreadData, enclaveThreadUrl } from './threads.js';

/** `callSignatureValid` is set when the batch asked for call verification: true only for a correctly signed call. */
export type DecryptResult = { ok: true; plaintext: Uint8Array; callSignatureValid?: boolean } | { ok: false; error: EnclaveError };

/**
 * Whose work it is: `import` = the chain's own invocations (block import), `rpc` = requests of RPC clients. Import
 * work always leaves the queue before waiting RPC work; RPC work is only given to a thread with nothing to do, and
 * never to the last free one (DECRYPT_THREADS_KEPT_FOR_IMPORT).
 */
export type DecryptPriority = 'import' | 'rpc';
export const DECRYPT_PRIORITIES: readonly DecryptPriority[] = Object.freeze(['import', 'rpc']);

export interface DecryptPoolStats {
  /** RSA blocks handed to the threads: one private-key operation each at most (a ciphertext stops at its first bad block). */
  privateKeyOps: Record<DecryptPriority, number>;
  /** Ciphertexts over MAX_SHIELDED_BYTES, refused without any private-key operation. */
  refusedOversized: Record<DecryptPriority, number>;
  /** Import messages sent to a thread while RPC work was waiting: how often the priority took effect. */
  importAheadOfRpc: number;
  /** Ciphertexts queued in the pool right now, not yet at a thread. */
  waiting: Record<DecryptPriority, number>;
}

export interface DecryptBatchRequest {
  verifyCalls?: CallVerification;
  /** Default `import`. */
  priority?: DecryptPriority;
}

interface Chunk {
  ciphertexts: Uint8Array[];
  verifyCalls?: CallVerification;
  priority: DecryptPriority;
  resolve: (results: DecryptOutcome[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Messages sent and not yet answered, by id. */
  jobs: Map<number, Chunk>;
  /** Ciphertexts in them: the least-busy measure. */
  inFlight: number;
}

interface Single {
  ciphertext: Uint8Array;
  resolve: (r: DecryptResult) => void;
  reject: (e: Error) => void;
}

const WORKER_URL = new URL('./decrypt-worker.js', import.meta.url);

const perPriority = <T>(value: () => T): Record<DecryptPriority, T> => ({ import: value(), rpc: value() });

/** Private-key operations a ciphertext can cost: shieldDecrypt pads one short block and refuses other odd lengths. */
function rsaBlocks(ciphertext: Uint8Array): number {
  if (ciphertext.length === 0) return 0;
  if (ciphertext.length < RSA_BLOCK_BYTES) return 1;
  return ciphertext.length % RSA_BLOCK_BYTES === 0 ? ciphertext.length / RSA_BLOCK_BYTES : 0;
}

const tooLarge = (ciphertext: Uint8Array): EnclaveError =>
  new EnclaveError('CIPHERTEXT_TOO_LARGE', `shielded payload of ${ciphertext.length} bytes is over the ${MAX_SHIELDED_BYTES}-byte cap; not decrypted`);

/**
 * Shielded-ciphertext decryption on worker threads. Batches are split into chunks (≤ DECRYPT_CHUNK_MAX for import,
 * DECRYPT_RPC_CHUNK_MAX for RPC). Import chunks go to the least-busy thread at once; RPC chunks wait in the pool
 * (not in the threads' message queues, where they could no longer be overtaken) until a thread is idle and no
 * import work is left, so the chain's work is delayed by at most one RPC ciphertext per thread.
 * Single decrypt() calls of one priority made in the same tick are queued together, each answered by its own chunk.
 */
export class DecryptPool {
  readonly #slots: Slot[];
  readonly #queues: Record<DecryptPriority, Chunk[]> = perPriority(() => []);
  readonly #singles: Record<DecryptPriority, Single[]> = perPriority(() => []);
  readonly #stats: DecryptPoolStats = {
    privateKeyOps: perPriority(() => 0),
    refusedOversized: perPriority(() => 0),
    importAheadOfRpc: 0,
    waiting: perPriority(() => 0),
  };
  #nextId = 0;
  /** Threads running an RPC message now (each holds at most one). */
  #rpcThreads = 0;
  #failure: EnclaveError | undefined;

  private constructor(slots: Slot[]) {
    this.#slots = slots;
    for (const slot of slots) this.#watch(slot);
  }

  static async start(privateKey: KeyObject, threads: number): Promise<DecryptPool> {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new EnclaveError('INVALID_ARGUMENT', `decrypt pool size must be a positive integer, got ${threads}`);
    }
    const started = await Promise.allSettled(
      Array.from({ length: threads }, async (): Promise<Slot> => {
        const worker = new Worker(enclaveThreadUrl(WORKER_URL), { workerData: enclaveThreadData('decrypt') });
        try {
          await new Promise<void>((resolve, reject) => {
            worker.once('message', (m: FromDecryptWorker) => (m.type === 'ready' ? resolve() : reject(new Error('unexpected first message'))));
            worker.once('error', reject);
            worker.postMessage({ type: 'key', privateKey } satisfies ToDecryptWorker);
          });
        } catch (error) {
          await worker.terminate();
          throw error;
        }
        return { worker, inFlight: 0, jobs: new Map() };
      }),
    );
    const slots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new EnclaveError('DECRYPT_POOL_FAILED', 'a decryption thread failed to start', { cause: failed.reason });
    }
    return new DecryptPool(slots);
  }

  #watch(slot: Slot): void {
    slot.worker.on('message', (m: FromDecryptWorker) => {
      if (m.type !== 'batch') return;
      const job = slot.jobs.get(m.id);
      if (!job) return;
      slot.jobs.delete(m.id);
      slot.inFlight -= job.ciphertexts.length;
      if (job.priority === 'rpc') this.#rpcThreads--;
      job.resolve(m.results);
      this.#pump();
    });
    const fail = (cause: unknown): void => this.#fail(new EnclaveError('DECRYPT_POOL_FAILED', 'a decryption thread stopped', { cause }));
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
  }

  /** The first failure sticks: every message sent or queued, and every later call, is rejected with it. */
  #fail(failure: EnclaveError): void {
    this.#failure ??= failure;
    for (const slot of this.#slots) {
      for (const job of slot.jobs.values()) job.reject(this.#failure);
      slot.jobs.clear();
      slot.inFlight = 0;
    }
    this.#rpcThreads = 0;
    for (const priority of DECRYPT_PRIORITIES) {
      for (const chunk of this.#queues[priority].splice(0)) chunk.reject(this.#failure);
      this.#stats.waiting[priority] = 0;
    }
  }

  #enqueue(ciphertexts: Uint8Array[], priority: DecryptPriority, verifyCalls: CallVerification | undefined): Promise<DecryptOutcome[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queues[priority].push({ ciphertexts, priority, resolve, reject, ...(verifyCalls && { verifyCalls }) });
      this.#stats.waiting[priority] += ciphertexts.length;
    });
  }

  /** Least-busy thread holding fewer than `maxMessages` messages, if any. */
  #freeSlot(maxMessages: number): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.jobs.size < maxMessages && (best === undefined || slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  /**
   * Hands queued chunks to threads: import ones while any thread has room, RPC ones only when no import work waits,
   * a thread is idle and RPC work would still leave one thread to the chain.
   */
  #pump(): void {
    const rpcThreadsMax = Math.max(1, this.#slots.length - DECRYPT_THREADS_KEPT_FOR_IMPORT);
    while (!this.#failure) {
      const priority: DecryptPriority = this.#queues.import.length > 0 ? 'import' : 'rpc';
      const queue = this.#queues[priority];
      if (queue.length === 0) return;
      if (priority === 'rpc' && this.#rpcThreads >= rpcThreadsMax) return;
      // Import work goes out at once, all of it: the main thread that would hand out more is busy executing the
      // previous block, and nothing it could reorder comes first anyway (RPC work only ever takes idle threads).
      const slot = this.#freeSlot(priority === 'import' ? Infinity : 1);
      if (slot === undefined) return;
      if (priority === 'rpc') this.#rpcThreads++;
      const chunk = queue.shift()!;
      this.#stats.waiting[priority] -= chunk.ciphertexts.length;
      if (priority === 'import' && this.#queues.rpc.length > 0) this.#stats.importAheadOfRpc++;
      for (const ciphertext of chunk.ciphertexts) this.#stats.privateKeyOps[priority] += rsaBlocks(ciphertext);
      const id = this.#nextId++;
      slot.jobs.set(id, chunk);
      slot.inFlight += chunk.ciphertexts.length;
      const { ciphertexts, verifyCalls } = chunk;
      slot.worker.postMessage({ type: 'batch', id, ciphertexts, ...(verifyCalls && { verifyCalls }) } satisfies ToDecryptWorker);
    }
  }

  async decryptBatch(ciphertexts: Uint8Array[], request: DecryptBatchRequest = {}): Promise<DecryptResult[]> {
    if (!Array.isArray(ciphertexts) || ciphertexts.some((c) => !(c instanceof Uint8Array))) {
      throw new EnclaveError('INVALID_ARGUMENT', 'decryptBatch expects an array of Uint8Array');
    }
    const priority = checkPriority(request.priority);
    const results: DecryptResult[] = new Array(ciphertexts.length);
    const accepted: number[] = [];
    ciphertexts.forEach((ciphertext, i) => {
      if (ciphertext.length <= MAX_SHIELDED_BYTES) accepted.push(i);
      else {
        this.#stats.refusedOversized[priority]++;
        results[i] = { ok: false, error: tooLarge(ciphertext) };
      }
    });
    const chunks = this.#submit(accepted.map((at) => ciphertexts[at]!), priority, request.verifyCalls);
    (await Promise.all(chunks.map((c) => c.outcomes))).flat().forEach((outcome, k) => (results[accepted[k]!] = toResult(outcome)));
    return results;
  }

  /** Queues ciphertexts in chunks (in order) and hands out what the threads can take now. */
  #submit(ciphertexts: Uint8Array[], priority: DecryptPriority, verifyCalls?: CallVerification): Array<{ size: number; outcomes: Promise<DecryptOutcome[]> }> {
    const chunkMax = priority === 'rpc' ? DECRYPT_RPC_CHUNK_MAX : DECRYPT_CHUNK_MAX;
    const chunkSize = Math.min(chunkMax, Math.max(1, Math.ceil(ciphertexts.length / this.#slots.length)));
    const chunks: Array<{ size: number; outcomes: Promise<DecryptOutcome[]> }> = [];
    for (let i = 0; i < ciphertexts.length; i += chunkSize) {
      const part = ciphertexts.slice(i, i + chunkSize);
      chunks.push({ size: part.length, outcomes: this.#enqueue(part, priority, verifyCalls) });
    }
    this.#pump();
    return chunks;
  }

  /** Single decryption; calls of one priority in the same tick share one batch. */
  async decrypt(ciphertext: Uint8Array, priority: DecryptPriority = 'import'): Promise<Uint8Array> {
    if (!(ciphertext instanceof Uint8Array)) throw new EnclaveError('INVALID_ARGUMENT', 'ciphertext must be a Uint8Array');
    checkPriority(priority);
    if (ciphertext.length > MAX_SHIELDED_BYTES) {
      this.#stats.refusedOversized[priority]++;
      throw tooLarge(ciphertext);
    }
    const singles = this.#singles[priority];
    const result = await new Promise<DecryptResult>((resolve, reject) => {
      if (singles.length === 0) setImmediate(() => this.#flushSingles(priority));
      singles.push({ ciphertext, resolve, reject });
    });
    if (!result.ok) throw result.error;
    return result.plaintext;
  }

  /** Each single is answered as soon as its own chunk is back, not when the whole coalesced batch is. */
  #flushSingles(priority: DecryptPriority): void {
    const singles = this.#singles[priority].splice(0);
    let at = 0;
    for (const { size, outcomes } of this.#submit(singles.map((s) => s.ciphertext), priority)) {
      const group = singles.slice(at, (at += size));
      outcomes.then(
        (outcomes) => outcomes.forEach((outcome, i) => group[i]!.resolve(toResult(outcome))),
        (error: Error) => group.forEach((s) => s.reject(error)),
      );
    }
  }

  stats(): DecryptPoolStats {
    const { privateKeyOps, refusedOversized, importAheadOfRpc, waiting } = this.#stats;
    return { privateKeyOps: { ...privateKeyOps }, refusedOversized: { ...refusedOversized }, importAheadOfRpc, waiting: { ...waiting } };
  }

  async close(): Promise<void> {
    this.#fail(new EnclaveError('ENCLAVE_CLOSED', 'decrypt pool is closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

function checkPriority(priority: DecryptPriority | undefined): DecryptPriority {
  if (priority === undefined) return 'import';
  if (!DECRYPT_PRIORITIES.includes(priority)) throw new EnclaveError('INVALID_ARGUMENT', `decrypt priority must be import or rpc, got ${String(priority)}`);
  return priority;
}

function toResult(outcome: DecryptOutcome): DecryptResult {
  return outcome.ok
    ? outcome
    : { ok: false, error: new EnclaveError('DECRYPT_FAILED', `${outcome.code}: ${outcome.message}`) };
}
