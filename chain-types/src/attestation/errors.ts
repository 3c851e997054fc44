import { SealbridgeError } from '../errors.js';

/** Why an attestation artefact (quote or RA-TLS certificate) was rejected. */
export const ATTESTATION_ERROR_CODES = [
  'QUOTE_MALFORMED', // wrong length, unknown version or build mode
  'QUOTE_BAD_SIGNATURE', // not signed by the expected attestation service key
  'QUOTE_MRENCLAVE_MISMATCH', // signed, but for different enclave code
  'QUOTE_MRSIGNER_MISMATCH', // signed, but for a different enclave vendor
  'QUOTE_STALE', // older than maxAgeMs
  'QUOTE_FROM_FUTURE', // timestamp ahead of the verifier's clock beyond the allowed skew
  'RA_TLS_BAD_CERTIFICATE', // not parseable, not self-signed or outside its validity period
  'RA_TLS_NO_QUOTE', // the quote extension is missing or not an OCTET STRING
  'RA_TLS_KEY_BINDING', // the certificate key is not the one the quote's report data binds
  'INVALID_ARGUMENT', // caller passed bytes of the wrong size
] as const;
export type AttestationErrorCode = (typeof ATTESTATION_ERROR_CODES)[number];

export class AttestationError extends SealbridgeError<AttestationErrorCode> {}
