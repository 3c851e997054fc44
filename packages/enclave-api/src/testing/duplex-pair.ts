import { Duplex } from 'node:stream';

export interface DuplexPairOptions {
  /** Deliver what one end writes to the other in pieces of at most this many bytes (default: as written). */
  chunkBytes?: number;
}

/** One end of an in-memory pipe: what it writes, the other end reads, on a later tick (as a socket would). */
class PairEnd extends Duplex {
  peer!: PairEnd;
  readonly #chunkBytes: number;

  constructor(chunkBytes: number) {
    super({ allowHalfOpen: false });
    this.#chunkBytes = chunkBytes;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A copy, so a writer reusing its buffer cannot change bytes already "on the wire".
    const bytes = Buffer.from(chunk);
    setImmediate(() => {
      for (let at = 0; at < bytes.length; at += this.#chunkBytes) {
        if (!this.peer.destroyed) this.peer.push(bytes.subarray(at, at + this.#chunkBytes));
      }
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Like a socket whose process died: the other end sees the end of its input and closes.
    setImmediate(() => {
      if (!this.peer.destroyed) {
        this.peer.push(null);
        this.peer.destroy();
      }
    });
    callback(error);
  }
}

/** Two connected in-memory duplex streams, a stand-in for the socket pair on the enclave's fd 3. */
export function duplexPair(options: DuplexPairOptions = {}): [Duplex, Duplex] {
  const chunkBytes = options.chunkBytes ?? Number.POSITIVE_INFINITY;
  const a = new PairEnd(chunkBytes);
  const b = new PairEnd(chunkBytes);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
