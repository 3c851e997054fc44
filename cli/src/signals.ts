/** Resolves when the command is interrupted (SIGINT/SIGTERM wired to `signal` by bin.ts). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
