export { ATTESTATION_ERROR_CODES, AttestationError } from './errors.js';
export type { AttestationErrorCode } from './errors.js';
export { ED25519_KEY_BYTES, ed25519PrivateKeyFromSeed, ed25519PublicKeyFromRaw, ed25519RawPublicKey } from './ed25519.js';
export {
  buildReportData,
  decodeQuote,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  DEV_ATTESTATION_SERVICE_PUBLIC_KEY,
  encodeQuote,
  encodeQuoteBody,
  MEASUREMENT_BYTES,
  QUOTE_SIGNATURE_BYTES,
  QUOTE_SIGNING_CONTEXT,
  quoteSigningPayload,
  REPORT_DATA_BYTES,
  QUOTE_BUILD_MODES,
  signQuote,
  SIMULATED_QUOTE_BYTES,
  SIMULATED_QUOTE_TYPES,
  SIMULATED_QUOTE_VERSION,
  verifyQuote,
} from './quote.js';
export type { QuoteBuildMode, SimulatedQuote, SimulatedQuoteBody, VerifyQuoteOptions } from './quote.js';
export { createRaTlsCertificate, RA_TLS_QUOTE_OID, RA_TLS_VALIDITY_DAYS, spkiSha256, verifyRaTlsCertificate } from './ra-tls.js';
export type { CreateRaTlsCertificateOptions, VerifiedRaTlsCertificate } from './ra-tls.js';
