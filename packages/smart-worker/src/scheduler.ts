import type { Clock } from './clock.js';
import { nextRunAfter } from './schedule.js';

interface Armed {
  cron: string;
  next: number;
  timer: unknown;
}

/**
 * Fires `onFire(id, cron, scheduledTime)` at each cron time of each scheduled worker, using the injected clock.
 * Unlike Escrin's `setInterval` from creation time, times are aligned to the cron expression (UTC).
 */
export class CronScheduler {
  readonly #armed = new Map<string, Armed>();

  constructor(
    private readonly clock: Clock,
    private readonly onFire: (id: string, cron: string, scheduledTime: number) => void,
  ) {}

  schedule(id: string, cron: string): void {
    this.unschedule(id);
    const entry: Armed = { cron, next: nextRunAfter(cron, this.clock.now()), timer: undefined };
    this.#armed.set(id, entry);
    this.#arm(id, entry);
  }

  unschedule(id: string): void {
    const entry = this.#armed.get(id);
    if (entry) this.clock.clearTimer(entry.timer);
    this.#armed.delete(id);
  }

  nextRun(id: string): number | undefined {
    return this.#armed.get(id)?.next;
  }

  stop(): void {
    for (const id of [...this.#armed.keys()]) this.unschedule(id);
  }

  #arm(id: string, entry: Armed): void {
    entry.timer = this.clock.setTimer(() => this.#tick(id, entry), Math.max(0, entry.next - this.clock.now()));
  }

  #tick(id: string, entry: Armed): void {
    if (this.#armed.get(id) !== entry) return; // unscheduled or rescheduled meanwhile
    const now = this.clock.now();
    // Timers may fire early (clamped long waits); only a due entry runs.
    if (now >= entry.next) {
      this.onFire(id, entry.cron, entry.next);
      entry.next = nextRunAfter(entry.cron, Math.max(now, entry.next));
    }
    this.#arm(id, entry);
  }
}
