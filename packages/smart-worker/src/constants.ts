/** Escrin creates every worker with this compatibility date (runner/src/service/runner.ts); we keep it. */
export const COMPATIBILITY_DATE = '2023-02-28';
export const DEFAULT_INVOKE_TIMEOUT_MS = 5_000;
/** Escrin puts no bound on tasks(); NFTrout runs take minutes, so the default is generous. */
export const DEFAULT_TASK_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const LOG_LINES_PER_WORKER = 500;
export const MAX_NAME_CHARS = 128;
export const MAX_SHARD_CHARS = 128;
/** Error strings returned to callers are cut to this length (stack traces from workerd can be long). */
export const MAX_ERROR_CHARS = 1_000;
/** Domain tags for the hashes that give workers their identity and per-block seed. */
export const IDENTITY_TAG = 'sealbridge-smart-worker-v1';
export const SEED_TAG = 'sealbridge-smart-worker-seed-v1';
/** Omni Key store whose key seeds invocations. */
export const SEED_KEY_STORE = 'sapphire-mainnet';
/** SealedKv key prefix for persisted worker records. */
export const STORAGE_PREFIX = 'smart-worker/workers/';
