import { createLogger } from './log.js';
import { parseWorkerArgs, WORKER_USAGE } from './options.js';
import { startWorker } from './worker.js';

/**
 * The `sealbridge-worker` entry point (also `sealbridge worker`): starts the worker and stops it cleanly on
 * SIGINT/SIGTERM. Resolves with the process exit code.
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
  let worker;
  try {
    worker = await startWorker({ ...options, log });
  } catch (error) {
    log.error('worker failed to start', { error: (error as Error).message });
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      worker.stop().then(() => resolve(0), (error: unknown) => {
        log.error('shutdown failed', { error: (error as Error).message });
        resolve(1);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    worker.failed.then((error) => {
      log.error('worker stopped on a fatal error', { error: error.message });
      stop('fatal');
    });
  });
}
