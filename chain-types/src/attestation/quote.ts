import { createHash, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import type { RegistryTypes } from '@polkadot/types/types';

import { bytesEqual } from '../bytes.js';
import { ed25519PublicKeyFromRaw } from './ed25519.js';
import { AttestationError } from './errors.js';

/**
 * Simulated attestation quote: the SCALE encoding of
 * `SimulatedQuote { version: u16, mrenclave: [u8;32], mrsigner: [u8;32], report_data: [u8;64],
 * timestamp: u64 (unix ms), build_mode: SgxBuildMode, signature: [u8;64] }`.
 * All fields have fixed size, so the encoding is a fixed 203-byte layout (integers little-endian).
 * `signature` is an Ed25519 signature of the simulated attestation service over
 * `QUOTE_SIGNING_CONTEXT ‖ encoding-without-signature`; it stands in for the IAS/DCAP signature chain.
 */
export interface SimulatedQuote {
  version: number;
  mrenclave: Uint8Array;
  mrsigner: Uint8Array;
  /** `signer public key (32) ‖ sha256(bound public key material) (32)`, see {@link buildReportData}. */
  reportData: Uint8Array;
  timestamp: bigint;
  buildMode: QuoteBuildMode;
  signature: Uint8Array;
}
export type SimulatedQuoteBody = Omit<SimulatedQuote, 'signature'>;

/** Same order as Integritee's `SgxBuildMode` (Debug = 0, Production = 1). */
export const QUOTE_BUILD_MODES = ['Debug', 'Production'] as const;
export type QuoteBuildMode = (typeof QUOTE_BUILD_MODES)[number];

export const SIMULATED_QUOTE_VERSION = 1;
export const MEASUREMENT_BYTES = 32;
export const REPORT_DATA_BYTES = 64;
export const QUOTE_SIGNATURE_BYTES = 64;
const BODY_BYTES = 2 + MEASUREMENT_BYTES * 2 + REPORT_DATA_BYTES + 8 + 1;
export const SIMULATED_QUOTE_BYTES = BODY_BYTES + QUOTE_SIGNATURE_BYTES;
/** Domain separation so a service signature over a quote can never be replayed as some other signed message. */
export const QUOTE_SIGNING_CONTEXT = new TextEncoder().encode('sealbridge-simulated-quote-v1');

/** polkadot-js type definitions of the same layout, for `registry.register(...)` (e.g. in the Teerex pallet). */
export const SIMULATED_QUOTE_TYPES: RegistryTypes = {
  SgxBuildMode: { _enum: [...QUOTE_BUILD_MODES] },
  SimulatedQuote: {
    version: 'u16',
    mrenclave: '[u8;32]',
    mrsigner: '[u8;32]',
    reportData: '[u8;64]',
    timestamp: 'u64',
    buildMode: 'SgxBuildMode',
    signature: '[u8;64]',
  },
};

/**
 * Public key of the simulated attestation service in dev mode. Its signing seed is a documented dev
 * constant inside @sealbridge/enclave-sim: quotes signed with it prove nothing outside a dev setup.
 */
export const DEV_ATTESTATION_SERVICE_PUBLIC_KEY: Uint8Array = Uint8Array.from(
  Buffer.from('a19840cb17ac9ca8f3799673e64605b02e4f0444d9429228f84ad9b1e413fc64', 'hex'),
);

function expectLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new AttestationError('INVALID_ARGUMENT', `${what} must be ${length} bytes, got ${bytes?.length}`);
  }
}

/** Report data layout shared by registration quotes and RA-TLS: `signer (32) ‖ sha256(bound) (32)`. */
export function buildReportData(signerPublicKey: Uint8Array, bound: Uint8Array): Uint8Array {
  expectLength(signerPublicKey, 32, 'signer public key');
  const out = new Uint8Array(REPORT_DATA_BYTES);
  out.set(signerPublicKey, 0);
  out.set(createHash('sha256').update(bound).digest(), 32);
  return out;
}

/** SCALE encoding of the body (everything but the signature). */
export function encodeQuoteBody(body: SimulatedQuoteBody): Uint8Array {
  expectLength(body.mrenclave, MEASUREMENT_BYTES, 'mrenclave');
  expectLength(body.mrsigner, MEASUREMENT_BYTES, 'mrsigner');
  expectLength(body.reportData, REPORT_DATA_BYTES, 'reportData');
  const mode = QUOTE_BUILD_MODES.indexOf(body.buildMode);
  if (mode < 0) throw new AttestationError('INVALID_ARGUMENT', `unknown build mode ${String(body.buildMode)}`);
  if (!Number.isInteger(body.version) || body.version < 0 || body.version > 0xffff) {
    throw new AttestationError('INVALID_ARGUMENT', `version must be a u16, got ${body.version}`);
  }
  if (body.timestamp < 0n || body.timestamp >= 1n << 64n) {
    throw new AttestationError('INVALID_ARGUMENT', `timestamp must be a u64, got ${body.timestamp}`);
  }
  const out = new Uint8Array(BODY_BYTES);
  const view = new DataView(out.buffer);
  view.setUint16(0, body.version, true);
  out.set(body.mrenclave, 2);
  out.set(body.mrsigner, 34);
  out.set(body.reportData, 66);
  view.setBigUint64(130, body.timestamp, true);
  out[138] = mode;
  return out;
}

/** Bytes the attestation service signs: context ‖ body encoding. */
export function quoteSigningPayload(body: SimulatedQuoteBody): Uint8Array {
  return Buffer.concat([QUOTE_SIGNING_CONTEXT, encodeQuoteBody(body)]);
}

/** Signs a quote body with an attestation service Ed25519 private key. */
export function signQuote(body: SimulatedQuoteBody, servicePrivateKey: KeyObject): SimulatedQuote {
  const signature = new Uint8Array(sign(null, quoteSigningPayload(body), servicePrivateKey));
  return { ...body, signature };
}

export function encodeQuote(quote: SimulatedQuote): Uint8Array {
  expectLength(quote.signature, QUOTE_SIGNATURE_BYTES, 'signature');
  const out = new Uint8Array(SIMULATED_QUOTE_BYTES);
  out.set(encodeQuoteBody(quote), 0);
  out.set(quote.signature, BODY_BYTES);
  return out;
}

/** Decodes without checking the signature; use {@link verifyQuote} for anything you act on. */
export function decodeQuote(bytes: Uint8Array): SimulatedQuote {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SIMULATED_QUOTE_BYTES) {
    throw new AttestationError('QUOTE_MALFORMED', `quote must be ${SIMULATED_QUOTE_BYTES} bytes, got ${bytes?.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(0, true);
  if (version !== SIMULATED_QUOTE_VERSION) {
    throw new AttestationError('QUOTE_MALFORMED', `unsupported quote version ${version}`);
  }
  const buildMode = QUOTE_BUILD_MODES[bytes[138]!];
  if (buildMode === undefined) throw new AttestationError('QUOTE_MALFORMED', `unknown build mode byte ${bytes[138]}`);
  return {
    version,
    mrenclave: bytes.slice(2, 34),
    mrsigner: bytes.slice(34, 66),
    reportData: bytes.slice(66, 130),
    timestamp: view.getBigUint64(130, true),
    buildMode,
    signature: bytes.slice(BODY_BYTES),
  };
}

export interface VerifyQuoteOptions {
  /** Raw Ed25519 public key of the attestation service; defaults to {@link DEV_ATTESTATION_SERVICE_PUBLIC_KEY}. */
  servicePublicKey?: Uint8Array;
  expectedMrenclave?: Uint8Array;
  expectedMrsigner?: Uint8Array;
  /** Reject quotes older than this (milliseconds); no age check when omitted. */
  maxAgeMs?: number;
  /** Verifier clock in unix ms (e.g. the chain's timestamp); defaults to Date.now(). */
  now?: number;
  /** Tolerated clock skew for quotes stamped in the future; default {@link DEFAULT_MAX_FUTURE_SKEW_MS}. */
  maxFutureSkewMs?: number;
}
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Decodes and verifies a quote; throws {@link AttestationError} with a precise code on any mismatch. */
export function verifyQuote(quoteBytes: Uint8Array, options: VerifyQuoteOptions = {}): SimulatedQuote {
  const quote = decodeQuote(quoteBytes);
  const serviceKey = ed25519PublicKeyFromRaw(options.servicePublicKey ?? DEV_ATTESTATION_SERVICE_PUBLIC_KEY);
  if (!verify(null, quoteSigningPayload(quote), serviceKey, quote.signature)) {
    throw new AttestationError('QUOTE_BAD_SIGNATURE', 'quote signature does not verify under the attestation service key');
  }
  if (options.expectedMrenclave && !bytesEqual(options.expectedMrenclave, quote.mrenclave)) {
    throw new AttestationError(
      'QUOTE_MRENCLAVE_MISMATCH',
      `quote MRENCLAVE ${hex(quote.mrenclave)} differs from expected ${hex(options.expectedMrenclave)}`,
    );
  }
  if (options.expectedMrsigner && !bytesEqual(options.expectedMrsigner, quote.mrsigner)) {
    throw new AttestationError(
      'QUOTE_MRSIGNER_MISMATCH',
      `quote MRSIGNER ${hex(quote.mrsigner)} differs from expected ${hex(options.expectedMrsigner)}`,
    );
  }
  const now = BigInt(Math.floor(options.now ?? Date.now()));
  const skew = BigInt(options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS);
  if (quote.timestamp > now + skew) {
    throw new AttestationError('QUOTE_FROM_FUTURE', `quote timestamp ${quote.timestamp} is ahead of verifier time ${now}`);
  }
  if (options.maxAgeMs !== undefined && now - quote.timestamp > BigInt(options.maxAgeMs)) {
    throw new AttestationError(
      'QUOTE_STALE',
      `quote is ${now - quote.timestamp} ms old, more than the allowed ${options.maxAgeMs} ms`,
    );
  }
  return quote;
}
