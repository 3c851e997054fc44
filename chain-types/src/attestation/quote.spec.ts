import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { TypeRegistry } from '@polkadot/types';

import { ed25519RawPublicKey } from './ed25519.js';
import { AttestationError } from './errors.js';
import type { AttestationErrorCode } from './errors.js';
import {
  buildReportData,
  decodeQuote,
  DEV_ATTESTATION_SERVICE_PUBLIC_KEY,
  encodeQuote,
  signQuote,
  SIMULATED_QUOTE_BYTES,
  SIMULATED_QUOTE_TYPES,
  SIMULATED_QUOTE_VERSION,
  verifyQuote,
} from './quote.js';
import type { SimulatedQuoteBody } from './quote.js';

const service = generateKeyPairSync('ed25519');
const servicePublicKey = ed25519RawPublicKey(service.publicKey);
const NOW = 1_763_700_000_000;

function body(): SimulatedQuoteBody {
  return {
    version: SIMULATED_QUOTE_VERSION,
    mrenclave: new Uint8Array(randomBytes(32)),
    mrsigner: new Uint8Array(randomBytes(32)),
    reportData: buildReportData(new Uint8Array(randomBytes(32)), new TextEncoder().encode('tls key')),
    timestamp: BigInt(NOW),
    buildMode: 'Debug',
  };
}

function rejects(fn: () => unknown, code: AttestationErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof AttestationError && e.code === code);
}

describe('attestation/quote', () => {
  const quote = signQuote(body(), service.privateKey);
  const bytes = encodeQuote(quote);

  it('encodes to the fixed SCALE layout and decodes back', () => {
    assert.equal(bytes.length, SIMULATED_QUOTE_BYTES);
    assert.deepEqual(decodeQuote(bytes), quote);
  });

  it('matches the polkadot-js decoding of SIMULATED_QUOTE_TYPES', () => {
    const registry = new TypeRegistry();
    registry.register(SIMULATED_QUOTE_TYPES);
    const decoded = registry.createType('SimulatedQuote', bytes) as unknown as {
      mrenclave: { toU8a(): Uint8Array };
      reportData: { toU8a(): Uint8Array };
      timestamp: { toBigInt(): bigint };
      buildMode: { type: string };
      encodedLength: number;
    };
    assert.equal(decoded.encodedLength, SIMULATED_QUOTE_BYTES);
    assert.deepEqual(decoded.mrenclave.toU8a(), quote.mrenclave);
    assert.deepEqual(decoded.reportData.toU8a(), quote.reportData);
    assert.equal(decoded.timestamp.toBigInt(), quote.timestamp);
    assert.equal(decoded.buildMode.type, 'Debug');
  });

  it('verifies with the service key, expected MRENCLAVE and age limit', () => {
    const verified = verifyQuote(bytes, { servicePublicKey, expectedMrenclave: quote.mrenclave, maxAgeMs: 1000, now: NOW + 500 });
    assert.deepEqual(verified.reportData, quote.reportData);
  });

  it('defaults to the dev attestation service key', () => {
    assert.equal(DEV_ATTESTATION_SERVICE_PUBLIC_KEY.length, 32);
    rejects(() => verifyQuote(bytes, { now: NOW }), 'QUOTE_BAD_SIGNATURE');
  });

  it('rejects a change to any signed byte or to the signature', () => {
    // Offsets: mrenclave 2, mrsigner 34, report data 66 and 97, timestamp 130, build mode 138, signature 139 and 202.
    for (const offset of [2, 34, 66, 97, 130, 137, 139, 202]) {
      const altered = bytes.slice();
      altered[offset]! ^= 0x01;
      rejects(() => verifyQuote(altered, { servicePublicKey, now: NOW }), 'QUOTE_BAD_SIGNATURE');
    }
    const production = bytes.slice();
    production[138] = 1;
    rejects(() => verifyQuote(production, { servicePublicKey, now: NOW }), 'QUOTE_BAD_SIGNATURE');
  });

  it('rejects malformed quotes with QUOTE_MALFORMED', () => {
    rejects(() => verifyQuote(bytes.subarray(1), { servicePublicKey }), 'QUOTE_MALFORMED');
    const version = bytes.slice();
    version[0] = 2;
    rejects(() => verifyQuote(version, { servicePublicKey }), 'QUOTE_MALFORMED');
    const mode = bytes.slice();
    mode[138] = 7;
    rejects(() => verifyQuote(mode, { servicePublicKey }), 'QUOTE_MALFORMED');
  });

  it('rejects a wrong MRENCLAVE or MRSIGNER, stale and future quotes', () => {
    rejects(() => verifyQuote(bytes, { servicePublicKey, now: NOW, expectedMrenclave: new Uint8Array(32) }), 'QUOTE_MRENCLAVE_MISMATCH');
    rejects(() => verifyQuote(bytes, { servicePublicKey, now: NOW, expectedMrsigner: new Uint8Array(32) }), 'QUOTE_MRSIGNER_MISMATCH');
    rejects(() => verifyQuote(bytes, { servicePublicKey, now: NOW + 1001, maxAgeMs: 1000 }), 'QUOTE_STALE');
    rejects(() => verifyQuote(bytes, { servicePublicKey, now: NOW - 10 * 60_000 }), 'QUOTE_FROM_FUTURE');
  });

  it('refuses to encode out-of-range fields', () => {
    rejects(() => encodeQuote({ ...quote, mrenclave: new Uint8Array(31) }), 'INVALID_ARGUMENT');
    rejects(() => encodeQuote({ ...quote, timestamp: -1n }), 'INVALID_ARGUMENT');
    rejects(() => buildReportData(new Uint8Array(33), new Uint8Array()), 'INVALID_ARGUMENT');
  });
});
