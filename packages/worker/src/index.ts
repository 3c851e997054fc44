export { startWorker, type StartWorkerOptions, type WorkerHandle } from './worker.js';
export { runWorkerCli } from './run-cli.js';
export { parseWorkerArgs, WORKER_USAGE, DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './options.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
export { Metrics } from './metrics.js';
export { ENV_MESSAGE_VERSION, ENV_NAME_PATTERN, OLM_ENV_LOW_WATER, OLM_ENV_TARGET_KEYS, type EnvMessage, type SetEnvStatus } from '@sealbridge/chain-types';
export { prepareSetEnv, resolveEnvTarget, SET_ENV_ERROR_CODES, SetEnvError, waitForEnvResult, type EnvTarget, type PrepareSetEnvOptions, type PreparedSetEnv } from './olm-env-sender.js';
