import { Worker } from 'node:worker_threads';

import type { SignatureType, SignedPart } from './extrinsic.js';

import { verifySignature } from './extrinsic.js';

/** Checks extrinsic signatures; the pool awaits it so verification can run off the event loop. */
export interface SignatureVerifier {
  verify(signed: SignedPart, payload: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/** Verifies on the calling thread. */
export const INLINE_VERIFIER: SignatureVerifier = {
  verify: async (signed, payload) => verifySignature(signed, payload),
  close: async () => undefined,
};

export interface VerifyJob {
  signatureType: SignatureType;
  signature: Uint8Array;
  signer: Uint8Array;
  payload: Uint8Array;
}

/**
 * sr25519 verification dominates the cost of accepting a transaction, so it runs on worker threads. Requests
 * arriving in one event-loop turn go to a worker as one batch (postMessage per extrinsic would cost more
 * than the verification it saves).
 */
export class WorkerVerifier implements SignatureVerifier {
  readonly #workers: { worker: Worker; pending: Map<number, ((ok: boolean) => void)[]> }[];
  #queue: { job: VerifyJob; resolve: (ok: boolean) => void }[] = [];
  #batchId = 0;
  #next = 0;
  #scheduled = false;

  constructor(threads: number) {
    this.#workers = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./verifier-worker.js', import.meta.url));
      worker.unref();
      const pending = new Map<number, ((ok: boolean) => void)[]>();
      worker.on('message', ({ id, results }: { id: number; results: boolean[] }) => {
        const resolvers = pending.get(id)!;
        pending.delete(id);
        resolvers.forEach((r, i) => r(results[i]!));
      });
      worker.on('error', () => {
        // A crashed worker rejects its batches as bad signatures rather than hanging submitters.
        for (const rs of pending.values()) rs.forEach((r) => r(false));
        pending.clear();
      });
      return { worker, pending };
    });
  }

  verify(signed: SignedPart, payload: Uint8Array): Promise<boolean> {
    return new Promise((resolve) => {
      this.#queue.push({ job: { signatureType: signed.signatureType, signature: signed.signature, signer: signed.signer, payload }, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (!batch.length) return;
    const target = this.#workers[this.#next++ % this.#workers.length]!;
    const id = this.#batchId++;
    target.pending.set(id, batch.map((b) => b.resolve));
    target.worker.postMessage({ id, jobs: batch.map((b) => b.job) });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}
