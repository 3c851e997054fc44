import assert from 'node:assert/strict';
import type { Codec } from '@polkadot/types/types';

import { ALICE, HASH, bytes, hex, randomHex, repeat, rng, scaleOutcome as outcome, toHex } from './test/helpers.js';
import {
  decodeExact,
  decodeGetterStrict,
  decodeTrustedGetterSignedStrict,
  sealbridgeRegistry,
  type Getter,
  type StrictGetter,
  type StrictTrustedGetterSigned,
  type TrustedGetterSigned,
} from './index.js';

/** TrustedGetter variants by wire index with their payloads (docs/integritee-protocol.md §3.4; Sealbridge from 150). */
const GETTERS: [string, string, string][] = [
  ['free_balance', '00', ALICE],
  ['reserved_balance', '01', ALICE],
  ['nonce', '02', ALICE],
  ['smart_worker_result', '96', ALICE + HASH],
  ['env_names', '97', ALICE + HASH],
  ['operation_outcome', '98', ALICE + HASH],
];
const SIGNATURES: [string, string, number][] = [['Ed25519', '00', 64], ['Sr25519', '01', 64], ['Ecdsa', '02', 65]];

function assertSameSigned(strict: StrictTrustedGetterSigned, codec: TrustedGetterSigned): void {
  assert.equal(toHex(strict.encoded), codec.toHex());
  assert.equal(toHex(strict.getterBytes), codec.getter.toHex());
  assert.equal(strict.getter.name, codec.getter.type);
  assert.equal(strict.getter.index, codec.getter.index);
  const inner = codec.getter.value as Codec | Codec[];
  assert.deepEqual(strict.getter.fields.map(toHex), (Array.isArray(inner) ? inner : [inner]).map((c) => c.toHex()));
  assert.equal(strict.signature.name, codec.signature.type);
  assert.deepEqual(strict.signature.fields.map(toHex), [codec.signature.value.toHex()]);
}

function assertSameGetter(strict: StrictGetter, codec: Getter): void {
  assert.equal(strict.kind, codec.type);
  if (strict.kind === 'public') assert.equal(strict.getter.name, codec.asPublic.type);
  else assertSameSigned(strict.signed, codec.asTrusted);
}

describe('decodeGetterStrict / decodeTrustedGetterSignedStrict', () => {
  const rand = rng(0x5ea1b1d9);

  it('decodes every getter and signature variant like the registry codec, fields as views', () => {
    for (const [, index, payload] of GETTERS) {
      for (const [, sigIndex, sigLength] of SIGNATURES) {
        const tgs = hex(index, payload, sigIndex, randomHex(rand, sigLength));
        assertSameSigned(decodeTrustedGetterSignedStrict(sealbridgeRegistry, bytes(tgs)), decodeExact(sealbridgeRegistry, 'TrustedGetterSigned', bytes(tgs)));
        const getter = bytes(hex('01', tgs));
        const strict = decodeGetterStrict(sealbridgeRegistry, getter);
        assertSameGetter(strict, decodeExact(sealbridgeRegistry, 'Getter', getter));
        assert.equal(strict.kind === 'trusted' && strict.signed.encoded.buffer, getter.buffer);
      }
    }
    const pub = decodeGetterStrict(sealbridgeRegistry, bytes('0x0000'));
    assertSameGetter(pub, decodeExact(sealbridgeRegistry, 'Getter', bytes('0x0000')));
    assert.deepEqual(pub, { kind: 'public', getter: { index: 0, name: 'some_value', fields: [] } });
  });

  it('matches decodeExact on random valid getters with random field bytes', () => {
    for (let i = 0; i < 200; i++) {
      const [, index, payload] = GETTERS[Math.floor(rand() * GETTERS.length)]!;
      const [, sigIndex, sigLength] = SIGNATURES[Math.floor(rand() * SIGNATURES.length)]!;
      const input = bytes(hex('01', index, randomHex(rand, payload.length / 2), sigIndex, randomHex(rand, sigLength)));
      assertSameGetter(decodeGetterStrict(sealbridgeRegistry, input), decodeExact(sealbridgeRegistry, 'Getter', input));
    }
  });

  it('rejects every truncation, unknown index and trailing byte with the code and offset of decodeExact', () => {
    const valid = hex('01', '96', ALICE, HASH, '02', repeat('ab', 65));
    const cases: string[] = [];
    for (let cut = 0; cut < bytes(valid).length; cut++) cases.push(valid.slice(0, 2 + 2 * cut));
    cases.push(hex(valid, '00'), hex('0000', '00'), '0x0001', '0x02', '0xff00');
    for (const index of [3, 5, 100, 149, 153, 199, 200, 255]) cases.push(hex('01', index.toString(16).padStart(2, '0'), ALICE, HASH, '01', repeat('ab', 64)));
    for (const sig of ['03', '04', 'ff']) cases.push(hex('01', '00', ALICE, sig, repeat('ab', 65)));
    for (const input of cases) {
      const expected = outcome(() => decodeExact(sealbridgeRegistry, 'Getter', bytes(input)));
      assert.notEqual(expected, 'ok', input);
      assert.equal(outcome(() => decodeGetterStrict(sealbridgeRegistry, bytes(input))), expected, input);
      const inner = bytes(input).subarray(1);
      assert.equal(
        outcome(() => decodeTrustedGetterSignedStrict(sealbridgeRegistry, inner)),
        outcome(() => decodeExact(sealbridgeRegistry, 'TrustedGetterSigned', inner)),
        toHex(inner),
      );
    }
  });

  it('agrees with decodeExact on random and mutated byte strings, accepted or rejected', () => {
    const seeds = GETTERS.flatMap(([, index, payload]) => SIGNATURES.map(([, s, n]) => hex('01', index, payload, s, repeat('cd', n))));
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      let input: Uint8Array;
      if (i % 3 === 0) {
        // Short random strings, mostly starting with a known Getter index so the deeper checks are reached.
        input = bytes(hex(rand() < 0.9 ? '01' : '00', randomHex(rand, Math.floor(rand() * 140))));
      } else {
        // A valid getter with one byte changed, cut short or extended.
        input = bytes(seeds[Math.floor(rand() * seeds.length)]!);
        const at = Math.floor(rand() * input.length);
        if (i % 3 === 1) input[at] = Math.floor(rand() * 256);
        else input = rand() < 0.5 ? input.subarray(0, at) : bytes(hex(toHex(input), randomHex(rand, 1 + Math.floor(rand() * 3))));
      }
      const expected = outcome(() => decodeExact(sealbridgeRegistry, 'Getter', input));
      assert.equal(outcome(() => decodeGetterStrict(sealbridgeRegistry, input)), expected, toHex(input));
      if (expected === 'ok') {
        accepted++;
        assertSameGetter(decodeGetterStrict(sealbridgeRegistry, input), decodeExact(sealbridgeRegistry, 'Getter', input));
      }
    }
    assert.ok(accepted > 100, `only ${accepted} random inputs were valid getters`);
  });
});
