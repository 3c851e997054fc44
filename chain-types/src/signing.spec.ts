// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';
import { u8aConcat } from '@polkadot/util';
import {
  blake2AsU8a,
  ed25519PairFromSeed,
  ed25519Sign,
  secp256k1PairFromSeed,
  secp256k1Sign,
  signatureVerify,
  sr25519PairFromSeed,
  sr25519Sign,
} from '@polkadot/util-crypto';

import { BOB, MRENCLAVE, SHARD, bytes, hex, toHex, u32, u128 } from './test/helpers.js';
import {
  InputError,
  cryptoReady,
  isValidlySignedCallOperation,
  ScaleDecodeError,
  decodeExact,
  decodeTrustedGetterSignedStrict,
  sealbridgeRegistry,
  signTrustedCall,
  signTrustedGetter,
  topHash,
  trustedCallSigningPayload,
  verifyMultiSignature,
  verifyTrustedCallSigned,
  verifyTrustedGetterSigned,
  type SigningPair,
} from './index.js';

interface TestSigner {
  pair: SigningPair;
  account: Uint8Array;
}

function signers(): Record<'ed25519' | 'sr25519' | 'ecdsa', TestSigner> {
  const seed = blake2AsU8a('sealbridge test seed', 256);
  const ed = ed25519PairFromSeed(seed);
  const sr = sr25519PairFromSeed(seed);
  const ec = secp256k1PairFromSeed(seed);
  return {
    ed25519: { pair: { type: 'ed25519', sign: (m) => ed25519Sign(m, ed) }, account: ed.publicKey },
    sr25519: { pair: { type: 'sr25519', sign: (m) => sr25519Sign(m, sr) }, account: sr.publicKey },
    // Substrate: ecdsa signs blake2_256(message); the AccountId is blake2_256(compressed public key).
    ecdsa: { pair: { type: 'ecdsa', sign: (m) => secp256k1Sign(m, ec, 'blake2') }, account: blake2AsU8a(ec.publicKey, 256) },
  };
}

describe('trusted call signing (§3.3)', () => {
  let keys: ReturnType<typeof signers>;
  before(async () => {
    await cryptoReady();
    keys = signers();
  });

  it('builds the payload SCALE(call) ‖ nonce u32 LE ‖ mrenclave ‖ shard', () => {
    const call = bytes(hex('00', BOB));
    assert.equal(toHex(trustedCallSigningPayload(call, 258, bytes(MRENCLAVE), bytes(SHARD))), hex('00', BOB, u32(258), MRENCLAVE, SHARD));
    assert.throws(() => trustedCallSigningPayload(call, -1, bytes(MRENCLAVE), bytes(SHARD)), InputError);
    assert.throws(() => trustedCallSigningPayload(call, 2 ** 32, bytes(MRENCLAVE), bytes(SHARD)), InputError);
    assert.throws(() => trustedCallSigningPayload(call, 1, new Uint8Array(31), bytes(SHARD)), InputError);
  });

  for (const [type, variantIndex] of [['ed25519', '00'], ['sr25519', '01'], ['ecdsa', '02']] as const) {
    it(`signs and verifies with ${type}`, () => {
      const { pair, account } = keys[type];
      const call = { balance_transfer: [account, hex(BOB), 42] };
      const tcs = signTrustedCall(pair, call, 3, bytes(MRENCLAVE), bytes(SHARD));

      const callBytes = hex('02', toHex(account), BOB, u128(42));
      assert.equal(toHex(tcs).slice(0, callBytes.length + 10), hex(callBytes, u32(3), variantIndex));
      assert.equal(tcs.length, bytes(callBytes).length + 4 + 1 + (type === 'ecdsa' ? 65 : 64));
      assert.ok(verifyTrustedCallSigned(tcs, bytes(MRENCLAVE), bytes(SHARD)));

      // The signature must bind nonce, mrenclave and shard.
      const decoded = decodeExact(sealbridgeRegistry, 'TrustedCallSigned', tcs);
      const otherNonce = sealbridgeRegistry.createType('TrustedCallSigned', { call: decoded.call, nonce: 4, signature: decoded.signature }).toU8a();
      assert.equal(verifyTrustedCallSigned(otherNonce, bytes(MRENCLAVE), bytes(SHARD)), false);
      assert.equal(verifyTrustedCallSigned(tcs, bytes(SHARD), bytes(SHARD)), false);
      assert.equal(verifyTrustedCallSigned(tcs, bytes(MRENCLAVE), bytes(MRENCLAVE)), false);
    });
  }

  it('verifies against the first AccountId of the call (signer ≠ sender fails)', () => {
    const tcs = signTrustedCall(keys.sr25519.pair, { balance_transfer: [hex(BOB), keys.sr25519.account, 1] }, 0, bytes(MRENCLAVE), bytes(SHARD));
    assert.equal(verifyTrustedCallSigned(tcs, bytes(MRENCLAVE), bytes(SHARD)), false);
    const swc = signTrustedCall(keys.ed25519.pair, { smart_worker_call: [keys.ed25519.account, hex(SHARD), '0x0102'] }, 0, bytes(MRENCLAVE), bytes(SHARD));
    assert.ok(verifyTrustedCallSigned(swc, bytes(MRENCLAVE), bytes(SHARD)));
  });

  it('isValidlySignedCallOperation is true only for a correctly signed indirect or direct call', () => {
    const { pair, account } = keys.sr25519;
    const tcs = signTrustedCall(pair, { noop: account }, 5, bytes(MRENCLAVE), bytes(SHARD));
    const [indirect, direct] = [0, 1].map((variant) => u8aConcat([variant], tcs));
    assert.ok(isValidlySignedCallOperation(indirect!, bytes(MRENCLAVE), bytes(SHARD)));
    assert.ok(isValidlySignedCallOperation(direct!, bytes(MRENCLAVE), bytes(SHARD)));
    assert.equal(isValidlySignedCallOperation(indirect!, bytes(MRENCLAVE), bytes(MRENCLAVE)), false, 'other shard');
    const tampered = indirect!.slice();
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(isValidlySignedCallOperation(tampered, bytes(MRENCLAVE), bytes(SHARD)), false, 'bad signature');
    assert.equal(isValidlySignedCallOperation(indirect!.subarray(0, 40), bytes(MRENCLAVE), bytes(SHARD)), false, 'truncated');
    assert.equal(isValidlySignedCallOperation(u8aConcat(indirect!, [0]), bytes(MRENCLAVE), bytes(SHARD)), false, 'trailing byte');
    const getter = u8aConcat([2], sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(pair, { free_balance: account }) }).toU8a());
    assert.equal(isValidlySignedCallOperation(getter, bytes(MRENCLAVE), bytes(SHARD)), false, 'a getter is no call');
  });

  it('accepts the call as SCALE bytes or codec and the shard as base58', () => {
    const callBytes = sealbridgeRegistry.createType('TrustedCall', { noop: keys.ed25519.account }).toU8a();
    const a = signTrustedCall(keys.ed25519.pair, callBytes, 9, bytes(MRENCLAVE), bytes(SHARD));
    const b = signTrustedCall(keys.ed25519.pair, decodeExact(sealbridgeRegistry, 'TrustedCall', callBytes), 9, bytes(MRENCLAVE), bytes(SHARD));
    assert.deepEqual(a, b); // ed25519 signatures are deterministic
    assert.ok(verifyTrustedCallSigned(a, bytes(MRENCLAVE), '0x' + SHARD));
  });

  it('agrees with @polkadot/util-crypto signatureVerify on what was signed', () => {
    const { pair, account } = keys.sr25519;
    const tcs = decodeExact(sealbridgeRegistry, 'TrustedCallSigned', signTrustedCall(pair, { noop: account }, 1, bytes(MRENCLAVE), bytes(SHARD)));
    const payload = u8aConcat(tcs.call.toU8a(), bytes(u32(1)), bytes(MRENCLAVE), bytes(SHARD));
    assert.ok(signatureVerify(payload, tcs.signature.asSr25519.toU8a(), account).isValid);
  });

  it('rejects key types that have no MultiSignature variant', () => {
    const eth: SigningPair = { type: 'ethereum', sign: () => new Uint8Array(65) };
    assert.throws(() => signTrustedCall(eth, { noop: hex(BOB) }, 0, bytes(MRENCLAVE), bytes(SHARD)), InputError);
  });
});

describe('trusted getter signing (§3.4)', () => {
  let keys: ReturnType<typeof signers>;
  before(async () => {
    await cryptoReady();
    keys = signers();
  });

  it('signs SCALE(getter) only and verifies for each key type', () => {
    for (const { pair, account } of Object.values(keys)) {
      const tgs = signTrustedGetter(pair, { free_balance: account });
      assert.equal(toHex(tgs).slice(0, 2 + 66), hex('00', toHex(account)));
      assert.ok(verifyTrustedGetterSigned(tgs));
      const decoded = decodeExact(sealbridgeRegistry, 'TrustedGetterSigned', tgs);
      assert.ok(verifyMultiSignature(decoded.getter.toU8a(), decoded.signature, account));
    }
    const foreign = signTrustedGetter(keys.ed25519.pair, { smart_worker_result: [keys.sr25519.account, hex(SHARD)] });
    assert.equal(verifyTrustedGetterSigned(foreign), false);
    const own = signTrustedGetter(keys.sr25519.pair, { env_names: [keys.sr25519.account, hex(SHARD)] });
    assert.ok(verifyTrustedGetterSigned(own));
  });

  it('verifies the strict decode like the codec, and never lets a forged blob in through the cache', () => {
    for (const { pair, account } of Object.values(keys)) {
      const tgs = signTrustedGetter(pair, { nonce: account });
      assert.ok(verifyTrustedGetterSigned(decodeTrustedGetterSignedStrict(sealbridgeRegistry, tgs)));
      assert.ok(verifyTrustedGetterSigned(decodeExact(sealbridgeRegistry, 'TrustedGetterSigned', tgs)));
      // Same getter, one signature bit flipped: a first-seen blob, so it is verified (and refused) every time.
      const forged = tgs.slice();
      forged[forged.length - 1]! ^= 1;
      for (let i = 0; i < 2; i++) assert.equal(verifyTrustedGetterSigned(decodeTrustedGetterSignedStrict(sealbridgeRegistry, forged)), false);
      assert.equal(verifyTrustedGetterSigned(forged), false);
    }
    assert.throws(() => verifyTrustedGetterSigned(bytes(hex('00', BOB, '01'))), (e: unknown) => e instanceof ScaleDecodeError && e.code === 'SCALE_TRUNCATED');
  });
});

describe('verifyMultiSignature', () => {
  before(cryptoReady);

  it('returns false for a wrong signature and throws InputError for malformed input', () => {
    const message = bytes('0102');
    assert.equal(verifyMultiSignature(message, bytes(hex('00', '00'.repeat(64))), bytes(BOB)), false);
    assert.equal(verifyMultiSignature(message, bytes(hex('01', '00'.repeat(64))), bytes(BOB)), false);
    assert.equal(verifyMultiSignature(message, bytes(hex('02', '00'.repeat(65))), bytes(BOB)), false);
    const isInput = (e: unknown) => e instanceof InputError && e.code === 'INVALID_SIGNATURE_INPUT';
    assert.throws(() => verifyMultiSignature(message, bytes(hex('03', '00'.repeat(64))), bytes(BOB)), isInput);
    assert.throws(() => verifyMultiSignature(message, bytes(hex('00', '00'.repeat(63))), bytes(BOB)), isInput);
    assert.throws(() => verifyMultiSignature(message, bytes(hex('00', '00'.repeat(64))), new Uint8Array(33)), isInput);
  });
});

describe('topHash', () => {
  it('is blake2-256 of the encoded TrustedOperation', () => {
    assert.equal(toHex(topHash(new Uint8Array())), '0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });
});
