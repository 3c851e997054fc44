import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';

import { EnclaveError } from './errors.js';

export type SealPolicy = 'MRENCLAVE' | 'MRSIGNER';
export const SEAL_POLICIES: readonly SealPolicy[] = ['MRENCLAVE', 'MRSIGNER'];

export interface EnclaveIdentity {
  mrenclave: Uint8Array;
  mrsigner: Uint8Array;
}

/** "SBSL": Sealbridge sealed blob. */
const MAGIC = Uint8Array.from([0x53, 0x42, 0x53, 0x4c]);
export const SEAL_FORMAT_VERSION = 1;
const POLICY_BYTE: Record<SealPolicy, number> = { MRENCLAVE: 1, MRSIGNER: 2 };
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 2 + NONCE_BYTES;
export const SEAL_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
export const PLATFORM_SECRET_BYTES = 32;

/**
 * GCM nonces are drawn from CSPRNG output fetched 4 KiB at a time (one `randomFillSync` per 341 seals instead of one
 * per seal: the worker seals every changed state entry). Each nonce is still random and used once.
 */
const noncePool = Buffer.allocUnsafeSlow(NONCE_BYTES * 341);
let noncePoolUsed = noncePool.length;

function freshNonce(): Buffer {
  if (noncePoolUsed + NONCE_BYTES > noncePool.length) {
    randomFillSync(noncePool);
    noncePoolUsed = 0;
  }
  noncePoolUsed += NONCE_BYTES;
  return noncePool.subarray(noncePoolUsed - NONCE_BYTES, noncePoolUsed);
}

function policyFromByte(byte: number | undefined): SealPolicy | undefined {
  return SEAL_POLICIES.find((p) => POLICY_BYTE[p] === byte);
}

/**
 * Simulated EGETKEY + sealing. Seal key = HKDF-SHA256(platform secret, salt = MRENCLAVE or MRSIGNER,
 * info = "sealbridge-seal-v1/<policy>"). Blob = magic ‖ version ‖ policy ‖ nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16);
 * AAD = u32le(len(purpose)) ‖ purpose ‖ header, so a blob only unseals under the purpose it was sealed for.
 */
export class Sealer {
  readonly #platformSecret: Buffer;
  readonly #identity: EnclaveIdentity;
  readonly #sealKeys = new Map<SealPolicy, Buffer>();

  constructor(platformSecret: Uint8Array, identity: EnclaveIdentity) {
    if (platformSecret.length !== PLATFORM_SECRET_BYTES) {
      throw new EnclaveError('PLATFORM_SECRET_INVALID', `platform secret must be ${PLATFORM_SECRET_BYTES} bytes`);
    }
    this.#platformSecret = Buffer.from(platformSecret);
    this.#identity = identity;
  }

  /** Key derived from the platform secret and the policy identity, for secrets that need their own key (Olm pickle). */
  deriveKey(policy: SealPolicy, label: string): Buffer {
    const salt = policy === 'MRENCLAVE' ? this.#identity.mrenclave : this.#identity.mrsigner;
    return Buffer.from(hkdfSync('sha256', this.#platformSecret, salt, `sealbridge-${label}-v1/${policy}`, 32));
  }

  #sealKey(policy: SealPolicy): Buffer {
    let key = this.#sealKeys.get(policy);
    if (!key) {
      key = this.deriveKey(policy, 'seal');
      this.#sealKeys.set(policy, key);
    }
    return key;
  }

  seal(purpose: string, plaintext: Uint8Array, policy: SealPolicy = 'MRENCLAVE'): Uint8Array {
    if (!SEAL_POLICIES.includes(policy)) throw new EnclaveError('INVALID_ARGUMENT', `unknown seal policy ${String(policy)}`);
    const header = Buffer.concat([MAGIC, Uint8Array.of(SEAL_FORMAT_VERSION, POLICY_BYTE[policy]), freshNonce()]);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey(policy), header.subarray(HEADER_BYTES - NONCE_BYTES));
    cipher.setAAD(aad(purpose, header));
    return new Uint8Array(Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  }

  unseal(purpose: string, sealed: Uint8Array): Uint8Array {
    const fail = (why: string, cause?: unknown): EnclaveError =>
      new EnclaveError('UNSEAL_FAILED', `cannot unseal "${purpose}": ${why}`, { cause });
    if (sealed.length < SEAL_OVERHEAD_BYTES) throw fail(`${sealed.length} bytes is shorter than a sealed blob`);
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('not a sealed blob (bad magic)');
    if (bytes[4] !== SEAL_FORMAT_VERSION) throw fail(`unsupported seal format version ${bytes[4]}`);
    const policy = policyFromByte(bytes[5]);
    if (!policy) throw fail(`unknown seal policy byte ${bytes[5]}`);
    const header = bytes.subarray(0, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey(policy), header.subarray(HEADER_BYTES - NONCE_BYTES));
    decipher.setAAD(aad(purpose, header));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()]));
    } catch (cause) {
      throw fail(
        `authentication failed under the ${policy} policy (tampered, sealed on another platform, or for another ${policy === 'MRENCLAVE' ? 'enclave build' : 'enclave vendor'})`,
        cause,
      );
    }
  }
}

function aad(purpose: string, header: Uint8Array): Buffer {
  const p = Buffer.from(purpose, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(p.length);
  return Buffer.concat([len, p, header]);
}
