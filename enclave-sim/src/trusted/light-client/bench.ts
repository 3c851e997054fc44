// Ad-hoc timings of the light client's hot parts: node enclave-sim/dist/trusted/light-client/bench.js
// (after `npx tsc -p enclave-sim/tsconfig.json`). Not part of the enclave bundle.

import { cryptoReady } from '@sealbridge/chain-types';
import { orderedTrieRoot } from '@sealbridge/trie';

import { decodeHeader } from './header.js';
import { decodeJustification, verifyJustification } from './grandpa.js';
import { TestChain, justify, registry, voter } from './test-chain.js';
import { u8aToHex } from '@polkadot/util';

function time(label: string, iterations: number, f: () => unknown): number {
  for (let i = 0; i < Math.min(200, iterations); i++) f(); // warm-up (JIT, key cache)
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) f();
  const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  console.log(`${label.padEnd(62)} ${us.toFixed(1).padStart(9)} µs`);
  return us;
}

await cryptoReady();
const voters = ['a', 'b', 'c'].map((n) => voter(n));
const chain = new TestChain(voters);
const target = chain.extend(1)[0]!;
const setOf = (n: number) => ({ id: 3n, authorities: voters.slice(0, n).map((v) => ({ key: v.publicKey, weight: v.weight })) });
const at = { hash: target.hash, number: target.number };
const one = justify(target, 3n, voters.slice(0, 1));
const three = justify(target, 3n, voters);
const oneSet = setOf(1);
const threeSet = setOf(3);

time('decode a justification (3 precommits)', 20_000, () => decodeJustification(three));
time('verifyJustification, 1 authority (decode + checks + 1 ed25519)', 5_000, () => verifyJustification(one, oneSet, at));
time('verifyJustification, 3 authorities (decode + checks + 3 ed25519)', 3_000, () => verifyJustification(three, threeSet, at));
time('verifyJustification, 3 authorities, a fresh set object each time', 2_000, () => verifyJustification(three, setOf(3), at));
time('decode + hash a header', 50_000, () => decodeHeader(target.header));

for (const size of [100, 140]) {
  const body = Array.from({ length: 1000 }, (_, i) => registry.createType('Bytes', u8aToHex(new Uint8Array(size - 2).fill(i & 0xff).map((x, j) => x ^ j))).toU8a());
  time(`orderedTrieRoot, 1,000 extrinsics of ${size} bytes (layout V0)`, 100, () => orderedTrieRoot(body, 0));
}
