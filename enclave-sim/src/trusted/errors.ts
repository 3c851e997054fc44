import { SealbridgeError } from '@sealbridge/chain-types';

/** Failure codes of the simulated enclave (trusted and host side). */
export const ENCLAVE_ERROR_CODES = [
  'INVALID_ARGUMENT', // caller passed bad input (wrong size, empty name, …)
  'UNSEAL_FAILED', // sealed bytes tampered, sealed on another platform or under another MRENCLAVE/MRSIGNER
  'SEALED_KEY_INVALID', // a sealed key unsealed but its content is not a usable key
  'DECRYPT_FAILED', // a shielded ciphertext could not be decrypted
  'CIPHERTEXT_TOO_LARGE', // a shielded payload over MAX_SHIELDED_BYTES, refused before any private-key operation
  'DECRYPT_POOL_FAILED', // a decryption worker thread died
  'OLM_UNKNOWN_ONE_TIME_KEY', // pre-key message not addressed to one of our unused one-time keys (or a replay)
  'OLM_BAD_MESSAGE', // pre-key message malformed, from another sender, or failed to decrypt
  'ENCLAVE_CLOSED', // call after close()
  'PLATFORM_SECRET_INVALID', // platform secret file unusable (size, location, permissions)
  'STORAGE_FAILED', // host storage could not read or write a sealed file
  'DATA_DIR_LOCKED', // another live enclave (process or handle) has the data directory open
  'TRUSTED_BUNDLE_MISSING', // dist/enclave has no manifest to measure (the enclave was not bundled: npm run build)
] as const;
export type EnclaveErrorCode = (typeof ENCLAVE_ERROR_CODES)[number];

export class EnclaveError extends SealbridgeError<EnclaveErrorCode> {}
