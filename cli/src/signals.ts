import { CliError, CliErrorCode } from './errors.js';
import { STOP_SIGNALS, type StopSignal } from './stop-signals.js';

/** Resolves when the command is interrupted (SIGINT/SIGTERM wired to `signal` by bin.ts). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Exit code of a command stopped by `signal` (its reason is the signal name, as bin.ts aborts it). */
export function interruptedExitCode(signal: AbortSignal): number {
  return STOP_SIGNALS[signal.reason as StopSignal] ?? STOP_SIGNALS.SIGINT;
}

/**
 * `work`, or ERR_INTERRUPTED as soon as `signal` aborts: whatever the command waits for (a block, the worker, a
 * subscription), Ctrl-C ends the wait at once. The abandoned work ends with the process.
 */
export function interruptible<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CliError(CliErrorCode.INTERRUPTED, `interrupted by ${String(signal.reason ?? 'SIGINT')}`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
