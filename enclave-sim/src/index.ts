// The host's view of the simulated enclave: how to spawn its process and the public constants of its boundary.
// Nothing here runs trusted code in the caller's process; the enclave's code lives in trusted/ and runs only in the
// process spawnEnclave starts (bundled and measured by the loader).
export { spawnEnclave, type EnclaveProcess, type SpawnEnclaveOptions } from './host/launch.js';
export { DEV_ATTESTATION_SERVICE_SEED_HEX } from './attestation-service.js';
export { DEV_VENDOR_PUBLIC_KEY_HEX, ENCLAVE_DIR, devMrsigner, measureEnclave } from './host/measurement.js';
export { defaultPlatformSecretPath } from './trusted/platform-secret.js';
export { DECRYPT_PRIORITIES } from './trusted/decrypt-pool.js';
export type { DecryptPriority } from './trusted/decrypt-pool.js';
export { ENCLAVE_ERROR_CODES, EnclaveError } from './trusted/errors.js';
export type { EnclaveErrorCode } from './trusted/errors.js';
/** libolm's one-time WASM init without its process-wide crash handlers; for client-side Olm (set_env senders). */
export { initOlm } from './trusted/olm-adapter.js';
export { preKeyMessageId as olmPreKeyMessageId } from './trusted/olm-vault.js';
export type { PreKeyMessage } from './trusted/olm-vault.js';
export { MAX_SHIELDED_BYTES } from './trusted/settings.js';
/** The trusted RPC server's limits and wire definitions (error codes, method names): public protocol facts. */
export { DEFAULT_RPC_LIMITS, DEFAULT_RPC_PORT, JSON_RPC_CODES, METHOD_NAMES, type RpcLimits } from './trusted/rpc/index.js';
