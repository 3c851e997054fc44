import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import forge from 'node-forge';

import { ed25519RawPublicKey } from './ed25519.js';
import { AttestationError } from './errors.js';
import type { AttestationErrorCode } from './errors.js';
import { buildReportData, encodeQuote, signQuote, SIMULATED_QUOTE_VERSION } from './quote.js';
import { createRaTlsCertificate, RA_TLS_VALIDITY_DAYS, spkiSha256, verifyRaTlsCertificate } from './ra-tls.js';

const service = generateKeyPairSync('ed25519');
const servicePublicKey = ed25519RawPublicKey(service.publicKey);
const signer = new Uint8Array(randomBytes(32));
const mrenclave = new Uint8Array(randomBytes(32));

function quoteBinding(key: { publicKey: import('node:crypto').KeyObject }): Uint8Array {
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  return encodeQuote(
    signQuote(
      {
        version: SIMULATED_QUOTE_VERSION,
        mrenclave,
        mrsigner: new Uint8Array(32),
        reportData: buildReportData(signer, spki),
        timestamp: BigInt(Date.now()),
        buildMode: 'Debug',
      },
      service.privateKey,
    ),
  );
}

function rejects(fn: () => unknown, code: AttestationErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof AttestationError && e.code === code);
}

describe('attestation/ra-tls', () => {
  const tlsKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const quote = quoteBinding(tlsKey);
  const pem = createRaTlsCertificate({ quote, privateKey: tlsKey.privateKey });

  it('verifies and returns the quote, the signer and the bound key', () => {
    const result = verifyRaTlsCertificate(pem, { servicePublicKey, expectedMrenclave: mrenclave, maxAgeMs: 60_000 });
    assert.deepEqual(result.signer, signer);
    assert.deepEqual(spkiSha256(result.publicKey), spkiSha256(tlsKey.publicKey));
    assert.deepEqual(result.quote.mrenclave, mrenclave);
  });

  it('fails when the certificate carries another key than the quote binds', () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const swapped = createRaTlsCertificate({ quote, privateKey: otherKey.privateKey });
    rejects(() => verifyRaTlsCertificate(swapped, { servicePublicKey }), 'RA_TLS_KEY_BINDING');
  });

  it('fails on a quote for another enclave or from another service', () => {
    rejects(() => verifyRaTlsCertificate(pem, { servicePublicKey, expectedMrenclave: new Uint8Array(32) }), 'QUOTE_MRENCLAVE_MISMATCH');
    rejects(() => verifyRaTlsCertificate(pem), 'QUOTE_BAD_SIGNATURE');
  });

  it('fails when the certificate was altered after signing', () => {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, ''), 'base64');
    const at = der.indexOf('Sealbridge simulated enclave');
    assert.ok(at > 0);
    der[at] = 'X'.charCodeAt(0);
    rejects(() => verifyRaTlsCertificate(der, { servicePublicKey }), 'RA_TLS_BAD_CERTIFICATE');
  });

  it('fails outside the validity period and on garbage', () => {
    const later = Date.now() + (RA_TLS_VALIDITY_DAYS + 1) * 86_400_000;
    rejects(() => verifyRaTlsCertificate(pem, { servicePublicKey, now: later }), 'RA_TLS_BAD_CERTIFICATE');
    rejects(() => verifyRaTlsCertificate('not a certificate'), 'RA_TLS_BAD_CERTIFICATE');
  });

  it('fails on a certificate without the quote extension', () => {
    const key = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = key.publicKey;
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 60_000);
    cert.setSubject([{ name: 'commonName', value: 'plain' }]);
    cert.setIssuer([{ name: 'commonName', value: 'plain' }]);
    cert.sign(key.privateKey, forge.md.sha256.create());
    rejects(() => verifyRaTlsCertificate(forge.pki.certificateToPem(cert), { servicePublicKey }), 'RA_TLS_NO_QUOTE');
  });
});
