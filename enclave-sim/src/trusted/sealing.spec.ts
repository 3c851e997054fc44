import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { EnclaveError } from './errors.js';
import { SEAL_OVERHEAD_BYTES, Sealer } from './sealing.js';

const identity = { mrenclave: new Uint8Array(randomBytes(32)), mrsigner: new Uint8Array(randomBytes(32)) };
const secret = new Uint8Array(randomBytes(32));
const plaintext = new TextEncoder().encode('the shielding key, say');

function unsealFails(sealer: Sealer, purpose: string, sealed: Uint8Array): void {
  assert.throws(() => sealer.unseal(purpose, sealed), (e: unknown) => e instanceof EnclaveError && e.code === 'UNSEAL_FAILED' && e.message.includes(purpose));
}

describe('trusted/sealing', () => {
  const sealer = new Sealer(secret, identity);

  it('round-trips under both policies and hides the plaintext', () => {
    for (const policy of ['MRENCLAVE', 'MRSIGNER'] as const) {
      const sealed = sealer.seal('p', plaintext, policy);
      assert.equal(sealed.length, plaintext.length + SEAL_OVERHEAD_BYTES);
      assert.equal(Buffer.from(sealed).indexOf(Buffer.from(plaintext)), -1);
      assert.deepEqual(sealer.unseal('p', sealed), plaintext);
    }
  });

  it('gives every seal its own nonce, across refills of the nonce pool', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const sealed = sealer.seal('p', plaintext);
      nonces.add(Buffer.from(sealed.subarray(6, 18)).toString('hex'));
      assert.deepEqual(sealer.unseal('p', sealed), plaintext);
    }
    assert.equal(nonces.size, 1_000);
  });

  it('fails on any flipped byte (header, nonce, ciphertext, tag) and on truncation', () => {
    const sealed = sealer.seal('p', plaintext);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = sealed.slice();
      tampered[i]! ^= 0x80;
      unsealFails(sealer, 'p', tampered);
    }
    unsealFails(sealer, 'p', sealed.subarray(0, 10));
  });

  it('binds the purpose', () => {
    unsealFails(sealer, 'other', sealer.seal('p', plaintext));
  });

  it('fails with another platform secret', () => {
    const other = new Sealer(new Uint8Array(randomBytes(32)), identity);
    unsealFails(other, 'p', sealer.seal('p', plaintext, 'MRENCLAVE'));
    unsealFails(other, 'p', sealer.seal('p', plaintext, 'MRSIGNER'));
  });

  it('MRENCLAVE policy fails after an enclave change, MRSIGNER policy survives it', () => {
    const upgraded = new Sealer(secret, { ...identity, mrenclave: new Uint8Array(randomBytes(32)) });
    unsealFails(upgraded, 'p', sealer.seal('p', plaintext, 'MRENCLAVE'));
    assert.deepEqual(upgraded.unseal('p', sealer.seal('p', plaintext, 'MRSIGNER')), plaintext);
  });

  it('MRSIGNER policy fails for another vendor', () => {
    const otherVendor = new Sealer(secret, { ...identity, mrsigner: new Uint8Array(randomBytes(32)) });
    unsealFails(otherVendor, 'p', sealer.seal('p', plaintext, 'MRSIGNER'));
  });

  it('rejects a platform secret of the wrong size and unknown policies', () => {
    assert.throws(() => new Sealer(new Uint8Array(31), identity), { code: 'PLATFORM_SECRET_INVALID' });
    assert.throws(() => sealer.seal('p', plaintext, 'NONE' as 'MRENCLAVE'), { code: 'INVALID_ARGUMENT' });
  });
});
