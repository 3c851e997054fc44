/** One point of the import-rate chart. */
export interface RateSample {
  /** ms since the epoch, end of the interval. */
  at: number;
  blocksPerSecond: number;
}

export const SAMPLE_EVERY_MS = 2_000;
/** Ten minutes of samples. */
const MAX_SAMPLES = 300;

/** Blocks imported per second over the last minutes, sampled from the last imported block number. */
export class SyncHistory {
  readonly #imported: () => number;
  readonly #now: () => number;
  readonly #samples: RateSample[] = [];
  #last: { at: number; imported: number };

  constructor(imported: () => number, now: () => number = Date.now) {
    this.#imported = imported;
    this.#now = now;
    this.#last = { at: now(), imported: imported() };
  }

  /** Records the rate since the previous sample. */
  sample(): void {
    const at = this.#now();
    const imported = this.#imported();
    const seconds = (at - this.#last.at) / 1000;
    if (seconds <= 0) return;
    this.#samples.push({ at, blocksPerSecond: Math.max(0, imported - this.#last.imported) / seconds });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.shift();
    this.#last = { at, imported };
  }

  samples(): RateSample[] {
    return [...this.#samples];
  }

  /** Mean rate over the last minute (0 before the first sample). */
  perSecondLastMinute(): number {
    const recent = this.#samples.filter((s) => s.at > this.#now() - 60_000);
    return recent.length === 0 ? 0 : recent.reduce((sum, s) => sum + s.blocksPerSecond, 0) / recent.length;
  }
}
