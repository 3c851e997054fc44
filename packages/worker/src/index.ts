export { startWorker, type StartWorkerOptions, type WorkerHandle } from './worker.js';
export { runWorkerCli } from './run-cli.js';
export { parseWorkerArgs, WORKER_USAGE, DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './options.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
export { Metrics } from './metrics.js';
export * from './rpc/index.js';
