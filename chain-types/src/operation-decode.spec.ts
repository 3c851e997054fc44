import assert from 'node:assert/strict';
import type { Codec } from '@polkadot/types/types';

import { ALICE, BOB, HASH, SHARD, bytes, hex, randomHex, repeat, rng, scaleOutcome as outcome, toHex, u128, u64 } from './test/helpers.js';
import {
  decodeExact,
  decodeTrustedCallSignedStrict,
  decodeTrustedOperationStrict,
  sealbridgeRegistry,
  type StrictTrustedCallSigned,
  type TrustedCallSigned,
  type TrustedOperation,
} from './index.js';

/** TrustedCall variants by wire index with example payloads (docs/integritee-protocol.md §3.2; Sealbridge from 150). */
const CALLS: [string, string][] = [
  ['00', ALICE],
  ['01', ALICE + BOB + u128(5) + u128(6)],
  ['02', ALICE + BOB + u128(10n ** 18n)],
  ['03', ALICE + BOB + u128(7) + SHARD],
  ['04', ALICE + BOB + u128(8) + '01'],
  ['05', ALICE + u64(1_700_000_000_000n) + '02'],
  ['96', ALICE + HASH + '0c' + 'aabbcc'],
];
const SIGNATURES: [string, number][] = [['00', 64], ['01', 64], ['02', 65]];

function assertSameSigned(strict: StrictTrustedCallSigned, codec: TrustedCallSigned): void {
  assert.equal(toHex(strict.encoded), codec.toHex());
  assert.equal(toHex(strict.callBytes), codec.call.toHex());
  assert.equal(strict.call.name, codec.call.type);
  const inner = codec.call.value as Codec | Codec[];
  assert.deepEqual(strict.call.fields.map(toHex), (Array.isArray(inner) ? inner : [inner]).map((c) => toHex(c.toU8a())));
  assert.equal(strict.nonce, codec.nonce.toNumber());
  assert.equal(strict.signature.name, codec.signature.type);
  assert.deepEqual(strict.signature.fields.map(toHex), [codec.signature.value.toHex()]);
}

function assertSameOperation(input: Uint8Array): void {
  const strict = decodeTrustedOperationStrict(sealbridgeRegistry, input);
  const codec = decodeExact(sealbridgeRegistry, 'TrustedOperation', input) as TrustedOperation;
  assert.equal(strict.kind, codec.type);
  if (strict.kind === 'get') assert.equal(strict.getter.kind, codec.asGet.type);
  else assertSameSigned(strict.signed, codec.isIndirectCall ? codec.asIndirectCall : codec.asDirectCall);
}

describe('decodeTrustedOperationStrict / decodeTrustedCallSignedStrict', () => {
  const rand = rng(0x0c411);

  it('decodes every call and signature variant like the registry codec', () => {
    for (const [index, payload] of CALLS) {
      for (const [sigIndex, sigLength] of SIGNATURES) {
        const tcs = hex(index, payload, 'ffffffff', sigIndex, randomHex(rand, sigLength));
        assertSameSigned(decodeTrustedCallSignedStrict(sealbridgeRegistry, bytes(tcs)), decodeExact(sealbridgeRegistry, 'TrustedCallSigned', bytes(tcs)));
        for (const kind of ['00', '01']) assertSameOperation(bytes(hex(kind, tcs)));
      }
    }
    assertSameOperation(bytes('0x020000'));
  });

  it('agrees with decodeExact on mutated, cut and extended operations, accepted or rejected', () => {
    const seeds = CALLS.flatMap(([index, payload]) => SIGNATURES.map(([s, n]) => hex(rand() < 0.5 ? '00' : '01', index, payload, randomHex(rand, 4), s, repeat('cd', n))));
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      let input = bytes(seeds[Math.floor(rand() * seeds.length)]!);
      const at = Math.floor(rand() * input.length);
      if (i % 3 === 0) input[at] = Math.floor(rand() * 256);
      else if (i % 3 === 1) input = input.subarray(0, at);
      else input = bytes(hex(toHex(input), randomHex(rand, 1 + Math.floor(rand() * 3))));
      const expected = outcome(() => decodeExact(sealbridgeRegistry, 'TrustedOperation', input));
      assert.equal(outcome(() => decodeTrustedOperationStrict(sealbridgeRegistry, input)), expected, toHex(input));
      if (expected === 'ok') {
        accepted++;
        assertSameOperation(input);
      }
    }
    assert.ok(accepted > 300, `only ${accepted} mutated inputs were valid operations`);
  });

  it('rejects an unknown operation kind, non-canonical lengths and trailing bytes', () => {
    const tcs = hex('96', ALICE, HASH, '0c', 'aabbcc', '00000000', '00', repeat('ab', 64));
    for (const input of [hex('03', tcs), hex('00', tcs, '00'), hex('00', tcs.replace('0c' + 'aabbcc', '0d00' + 'aabbcc'))]) {
      const expected = outcome(() => decodeExact(sealbridgeRegistry, 'TrustedOperation', bytes(input)));
      assert.notEqual(expected, 'ok', input);
      assert.equal(outcome(() => decodeTrustedOperationStrict(sealbridgeRegistry, bytes(input))), expected, input);
    }
  });
});
