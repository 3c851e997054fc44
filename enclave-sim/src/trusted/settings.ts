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
