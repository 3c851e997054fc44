import { RSA_BLOCK_BYTES } from '@sealbridge/chain-types';

/** Names (= host file names) of the enclave's sealed state. */
export const SHIELDING_KEY_FILE = 'shielding-key.sealed';
export const SIGNING_KEY_FILE = 'signing-key.sealed';
export const OLM_ACCOUNT_FILE = 'olm-account.sealed';
export const OMNI_KEYS_FILE = 'omni-keys.sealed';

/** Persistent keys use MRSIGNER, like SGX Protected FS auto keys in Integritee: they survive an enclave upgrade by the same vendor. */
export const KEY_SEAL_POLICY = 'MRSIGNER' as const;

export const SHIELDING_KEY_BITS = 3072;
/** Integritee/SGX SDK default exponent (SGX_RSA3072_DEFAULT_E), not 65537. */
export const SHIELDING_KEY_PUBLIC_EXPONENT = 0x01000001;
export const RA_TLS_KEY_BITS = 2048;
export const OMNI_KEY_BYTES = 32;
/** Upper bound for one olmGenerateOneTimeKeys call (libolm stores at most 100). */
export const MAX_OLM_ONE_TIME_KEYS_PER_CALL = 50;
/** Ciphertexts per message to a decryption thread: amortises postMessage cost without starving other threads. */
export const DECRYPT_CHUNK_MAX = 64;
/** RPC work goes to the threads one ciphertext per message, so import work waits behind at most one of them. */
export const DECRYPT_RPC_CHUNK_MAX = 1;
/**
 * Threads RPC work leaves free (when there is more than one): the chain's work always finds one idle, and on a
 * small machine the enclave's main thread, which executes the blocks and serves the RPC, keeps a core.
 */
export const DECRYPT_THREADS_KEPT_FOR_IMPORT = 1;
/**
 * Largest shielded payload the enclave decrypts, on every path (block import, RPC): 16 RSA blocks (5 KiB of
 * plaintext) — far above any trusted call, low enough that padding cannot make it burn hundreds of private-key
 * operations. Longer ciphertexts are refused before any decryption.
 */
export const MAX_SHIELDED_BYTES = 16 * RSA_BLOCK_BYTES;
