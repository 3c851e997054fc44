import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';

import { AttestationError } from './errors.js';
import type { SimulatedQuote, VerifyQuoteOptions } from './quote.js';
import { verifyQuote } from './quote.js';

/**
 * X.509 extension carrying the encoded {@link SimulatedQuote} (extnValue = DER OCTET STRING of the quote bytes).
 * Arc 1.3.6.1.4.1.32473 is the IANA Private Enterprise Number reserved for documentation (RFC 5612), so this OID
 * can never collide with a real vendor's; `.1` = "Sealbridge simulated quote". A production deployment would use
 * its own PEN (Integritee itself uses the Netscape Comment OID 2.16.840.1.113730.1.13).
 */
export const RA_TLS_QUOTE_OID = '1.3.6.1.4.1.32473.1';
export const RA_TLS_VALIDITY_DAYS = 90;

export interface CreateRaTlsCertificateOptions {
  /** Encoded quote whose report data's second half is sha256 of this key's SubjectPublicKeyInfo DER. */
  quote: Uint8Array;
  /** RSA key pair of the certificate (forge signs RSA only). */
  privateKey: KeyObject;
  commonName?: string;
  now?: Date;
}

/** sha256 of a public key's SubjectPublicKeyInfo DER: what RA-TLS report data binds. */
export function spkiSha256(key: KeyObject): Uint8Array {
  // createPublicKey() rejects a public KeyObject on Node 20, so only derive when given a private key.
  const spki = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(createHash('sha256').update(spki).digest());
}

/** Self-signed X.509 v3 certificate with the quote extension; returns PEM. */
export function createRaTlsCertificate(options: CreateRaTlsCertificateOptions): string {
  if (options.privateKey.asymmetricKeyType !== 'rsa') {
    throw new AttestationError('INVALID_ARGUMENT', 'RA-TLS certificates are signed with an RSA key');
  }
  const der = options.privateKey.export({ format: 'der', type: 'pkcs8' });
  const forgeKey = forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(der.toString('binary'))) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = '01';
  const now = options.now ?? new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000); // tolerate small clock skew at the peer
  cert.validity.notAfter = new Date(now.getTime() + RA_TLS_VALIDITY_DAYS * 86_400_000);
  const subject = [{ name: 'commonName', value: options.commonName ?? 'Sealbridge simulated enclave' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const quoteDer = forge.asn1.create(
    forge.asn1.Class.UNIVERSAL,
    forge.asn1.Type.OCTETSTRING,
    false,
    Buffer.from(options.quote).toString('binary'),
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { id: RA_TLS_QUOTE_OID, critical: false, value: forge.asn1.toDer(quoteDer).getBytes() },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function asn1Children(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  return Array.isArray(node.value) ? node.value : [];
}

/** Finds the quote extension by walking the DER (forge's certificate parser rejects non-RSA keys). */
function extractQuoteExtension(certDer: Buffer): Uint8Array {
  const oidDer = forge.asn1.oidToDer(RA_TLS_QUOTE_OID).getBytes();
  let tbs: forge.asn1.Asn1 | undefined;
  try {
    tbs = asn1Children(forge.asn1.fromDer(certDer.toString('binary')))[0];
  } catch (cause) {
    throw new AttestationError('RA_TLS_BAD_CERTIFICATE', 'certificate DER does not parse', { cause });
  }
  const extensionsWrapper = asn1Children(tbs!).find(
    (n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3,
  );
  const extensions = extensionsWrapper ? asn1Children(asn1Children(extensionsWrapper)[0]!) : [];
  const matches = extensions.filter((ext) => asn1Children(ext)[0]?.value === oidDer);
  if (matches.length !== 1) {
    throw new AttestationError('RA_TLS_NO_QUOTE', `expected exactly one quote extension ${RA_TLS_QUOTE_OID}, found ${matches.length}`);
  }
  const extnValue = asn1Children(matches[0]!).at(-1)!;
  try {
    const inner = forge.asn1.fromDer(extnValue.value as string);
    if (inner.type !== forge.asn1.Type.OCTETSTRING || typeof inner.value !== 'string') throw new Error('not an OCTET STRING');
    return Uint8Array.from(Buffer.from(inner.value, 'binary'));
  } catch (cause) {
    throw new AttestationError('RA_TLS_NO_QUOTE', 'quote extension value is not a DER OCTET STRING', { cause });
  }
}

export interface VerifiedRaTlsCertificate {
  quote: SimulatedQuote;
  /** Enclave Ed25519 signer public key = report data bytes 0..32. */
  signer: Uint8Array;
  /** The certificate's public key, proven to be the one the quote binds. */
  publicKey: KeyObject;
}

/**
 * Verifies an RA-TLS certificate: self-signature, validity period, the embedded quote ({@link verifyQuote}
 * with the given options) and that report data bytes 32..64 equal sha256 of the certificate's SPKI DER.
 */
export function verifyRaTlsCertificate(pem: string | Uint8Array, options: VerifyQuoteOptions = {}): VerifiedRaTlsCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(typeof pem === 'string' ? pem : Buffer.from(pem));
  } catch (cause) {
    throw new AttestationError('RA_TLS_BAD_CERTIFICATE', 'not an X.509 certificate', { cause });
  }
  if (!cert.verify(cert.publicKey)) {
    throw new AttestationError('RA_TLS_BAD_CERTIFICATE', 'certificate is not validly self-signed');
  }
  const now = options.now ?? Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
    throw new AttestationError('RA_TLS_BAD_CERTIFICATE', `certificate not valid at ${new Date(now).toISOString()}`);
  }
  const quote = verifyQuote(extractQuoteExtension(cert.raw), options);
  const bound = spkiSha256(cert.publicKey);
  if (!Buffer.from(quote.reportData.subarray(32)).equals(bound)) {
    throw new AttestationError('RA_TLS_KEY_BINDING', "the quote's report data does not bind the certificate's public key");
  }
  return { quote, signer: quote.reportData.slice(0, 32), publicKey: cert.publicKey };
}
