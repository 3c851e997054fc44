import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

import type { CallVerification, DecryptOutcome, FromDecryptWorker, ToDecryptWorker } from './decrypt-protocol.js';
import { EnclaveError } from './errors.js';
import { DECRYPT_CHUNK_MAX } from './settings.js';

/** `callSignatureValid` is set when the batch asked for call verification: true only for a correctly signed call. */
export type DecryptResult = { ok: true; plaintext: Uint8Array; callSignatureValid?: boolean } | { ok: false; error: EnclaveError };

interface Job {
  size: number;
  resolve: (results: DecryptOutcome[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Ciphertexts sent and not yet answered: the least-busy measure. */
  inFlight: number;
  jobs: Map<number, Job>;
}

const WORKER_URL = new URL('./decrypt-worker.js', import.meta.url);

/**
 * Shielded-ciphertext decryption on worker threads. Batches are split into chunks (≤ DECRYPT_CHUNK_MAX) that go
 * to the least-busy thread; single decrypt() calls made in the same tick are coalesced into one batch.
 */
export class DecryptPool {
  readonly #slots: Slot[];
  #nextId = 0;
  #failure: EnclaveError | undefined;
  #singles: Array<{ ciphertext: Uint8Array; resolve: (r: DecryptResult) => void; reject: (e: Error) => void }> = [];

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
        const worker = new Worker(WORKER_URL);
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
      slot.inFlight -= job.size;
      job.resolve(m.results);
    });
    const fail = (cause: unknown): void => {
      this.#failure ??= new EnclaveError('DECRYPT_POOL_FAILED', 'a decryption thread stopped', { cause });
      for (const job of slot.jobs.values()) job.reject(this.#failure);
      slot.jobs.clear();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
  }

  #send(ciphertexts: Uint8Array[], verifyCalls?: CallVerification): Promise<DecryptOutcome[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const slot = this.#slots.reduce((best, s) => (s.inFlight < best.inFlight ? s : best));
    const id = this.#nextId++;
    slot.inFlight += ciphertexts.length;
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { size: ciphertexts.length, resolve, reject });
      slot.worker.postMessage({ type: 'batch', id, ciphertexts, ...(verifyCalls && { verifyCalls }) } satisfies ToDecryptWorker);
    });
  }

  async decryptBatch(ciphertexts: Uint8Array[], verifyCalls?: CallVerification): Promise<DecryptResult[]> {
    if (!Array.isArray(ciphertexts) || ciphertexts.some((c) => !(c instanceof Uint8Array))) {
      throw new EnclaveError('INVALID_ARGUMENT', 'decryptBatch expects an array of Uint8Array');
    }
    const chunkSize = Math.min(DECRYPT_CHUNK_MAX, Math.max(1, Math.ceil(ciphertexts.length / this.#slots.length)));
    const chunks: Promise<DecryptOutcome[]>[] = [];
    for (let i = 0; i < ciphertexts.length; i += chunkSize) chunks.push(this.#send(ciphertexts.slice(i, i + chunkSize), verifyCalls));
    return (await Promise.all(chunks)).flat().map(toResult);
  }

  /** Single decryption; calls in the same tick share one message to the threads. */
  async decrypt(ciphertext: Uint8Array): Promise<Uint8Array> {
    if (!(ciphertext instanceof Uint8Array)) throw new EnclaveError('INVALID_ARGUMENT', 'ciphertext must be a Uint8Array');
    const result = await new Promise<DecryptResult>((resolve, reject) => {
      if (this.#singles.length === 0) setImmediate(() => this.#flushSingles());
      this.#singles.push({ ciphertext, resolve, reject });
    });
    if (!result.ok) throw result.error;
    return result.plaintext;
  }

  #flushSingles(): void {
    const singles = this.#singles;
    this.#singles = [];
    this.decryptBatch(singles.map((s) => s.ciphertext)).then(
      (results) => results.forEach((r, i) => singles[i]!.resolve(r)),
      (error: Error) => singles.forEach((s) => s.reject(error)),
    );
  }

  async close(): Promise<void> {
    this.#failure ??= new EnclaveError('ENCLAVE_CLOSED', 'decrypt pool is closed');
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

function toResult(outcome: DecryptOutcome): DecryptResult {
  return outcome.ok
    ? outcome
    : { ok: false, error: new EnclaveError('DECRYPT_FAILED', `${outcome.code}: ${outcome.message}`) };
}
