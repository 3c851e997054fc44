import fs from 'node:fs';

import { createLogger } from './log.js';
import { parseWorkerArgs, WORKER_USAGE } from './options.js';
import { startWorker } from './worker.js';

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * The `sealbridge-worker` entry point (also `sealbridge worker`): starts the worker and stops it cleanly on
 * SIGINT/SIGTERM — while starting too — closing everything it opened (Smart Worker processes, store, enclave lock)
 * and logging `stopped`. Resolves with the process exit code: 0 for a requested stop, 1 after a fatal error; a
 * second signal exits at once.
 */
export async function runWorkerCli(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseWorkerArgs(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${WORKER_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${WORKER_USAGE}\n`);
    return 0;
  }
  const log = createLogger({ level: options.logLevel, format: options.logFormat, component: 'worker' });
  const stop = new AbortController();
  const onSignal = (signal: StopSignal): void => {
    if (stop.signal.aborted) process.exit(SIGNAL_EXIT_CODES[signal]);
    log.info('shutting down', { signal });
    stop.abort(signal);
  };
  // Listening before the start: a signal while connecting or registering stops the start instead of killing it.
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.on(signal, onSignal);
  try {
    let worker;
    try {
      worker = await startWorker({ ...options, log, signal: stop.signal, recordBoundary: boundaryRecorder() });
    } catch (error) {
      if (!stop.signal.aborted) {
        log.error('worker failed to start', { error: (error as Error).message });
        return 1;
      }
      log.info('stopped', { signal: stop.signal.reason });
      return 0;
    }
    const requested = new Promise<undefined>((resolve) => stop.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const fatal = await Promise.race([requested, worker.failed]);
    if (fatal) log.error('worker stopped on a fatal error', { error: fatal.message });
    try {
      await worker.stop();
    } catch (error) {
      log.error('shutdown failed', { error: (error as Error).message });
      return 1;
    }
    log.info('stopped', fatal ? { error: fatal.message } : { signal: stop.signal.reason });
    return fatal ? 1 : 0;
  } finally {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) process.off(signal, onSignal);
  }
}

/**
 * Test hook, for the hostile-host spec (test/src/hostile-host.spec.ts), which must record the boundary of a worker
 * running in its own process: with `SEALBRIDGE_RECORD_BOUNDARY=<file>` every frame crossing the enclave boundary is
 * appended to that file as `u8 direction (0 = in, from the enclave; 1 = out, to the enclave) ‖ u32le length ‖ frame`,
 * synchronously. Off (undefined) when the variable is not set; not for production use.
 */
function boundaryRecorder(): ((direction: 'in' | 'out', frame: Uint8Array) => void) | undefined {
  const file = process.env.SEALBRIDGE_RECORD_BOUNDARY;
  if (!file) return undefined;
  return (direction, frame) => {
    const head = Buffer.allocUnsafe(5);
    head.writeUInt8(direction === 'in' ? 0 : 1, 0);
    head.writeUInt32LE(frame.length, 1);
    fs.appendFileSync(file, Buffer.concat([head, frame]));
  };
}
