/** A seeded xorshift32 generator: specs that use random input print the seed and replay it with the same one. */
export class SeededRandom {
  readonly seed: number;
  #x: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#x = this.seed || 0x9e3779b9;
  }

  /** The next 32 bits, unsigned. */
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#x = x;
    return x;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** `n` deterministic pseudo-random bytes of `seed`. */
export function seededBytes(n: number, seed: number): Uint8Array {
  return new SeededRandom(seed).bytes(n);
}
