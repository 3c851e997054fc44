import assert from 'node:assert/strict';

import { cryptoReady } from '@sealbridge/chain-types';

import { LightClientError, type LightClientErrorCode } from './errors.js';
import { decodeJustification, precommitMessage, prepareJustification, thresholdWeight, verifyJustification, type VoterSet } from './grandpa.js';
import { TestChain, justify, precommitPayload, voter, type TestBlock, type Voter } from './test-chain.js';

const code = (c: LightClientErrorCode) => (e: unknown) => {
  if (!(e instanceof LightClientError)) return false;
  assert.equal(e.code, c, e.message);
  return true;
};

const setOf = (id: bigint, voters: Voter[]): VoterSet => ({ id, authorities: voters.map((v) => ({ key: v.publicKey, weight: v.weight })) });
const at = (b: TestBlock) => ({ hash: b.hash, number: b.number });

describe('light client: GRANDPA justifications', () => {
  const [a, b, c, d] = ['alice', 'bob', 'charlie', 'dave'].map((n) => voter(n)) as [Voter, Voter, Voter, Voter];
  const outsider = voter('mallory');
  const chain = new TestChain([a]);
  const blocks = chain.extend(6);
  const target = blocks[2]!; // #3
  const three = setOf(4n, [a, b, c]);
  const four = setOf(4n, [a, b, c, d]);

  before(cryptoReady);

  it('has the threshold total − ⌊(total − 1)/3⌋', () => {
    assert.deepEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 100n].map(thresholdWeight), [1n, 2n, 3n, 3n, 4n, 5n, 5n, 67n]);
  });

  it('builds the precommit message as polkadot-js encodes (u8 1, GrandpaPrecommit, round, set id)', () => {
    assert.deepEqual(precommitMessage(target.hash, 3, 77n, 2n ** 63n), precommitPayload(target.hash, 3, 77n, 2n ** 63n));
  });

  it('accepts a justification by a single authority and by 3 of 3', () => {
    const one = verifyJustification(justify(target, 0n, [a]), setOf(0n, [a]), at(target));
    assert.deepEqual(one, { round: 7n, weight: 1n, threshold: 1n, voters: 1 });
    const all = verifyJustification(justify(target, 4n, [c, a, b], { round: 2n ** 40n }), three, at(target));
    assert.deepEqual(all, { round: 2n ** 40n, weight: 3n, threshold: 3n, voters: 3 });
    // 3 of 4 is enough; weights count, not heads: 3 + 1 of 5 reaches 4.
    verifyJustification(justify(target, 4n, [a, b, d]), four, at(target));
    const heavy = setOf(1n, [voter('alice', 3n), b, c]);
    verifyJustification(justify(target, 1n, [voter('alice', 3n), c]), heavy, at(target));
  });

  it('accepts precommits on descendants of the target through votes_ancestries', () => {
    const [b4, b5] = [blocks[3]!, blocks[4]!];
    const j = justify(target, 4n, [a, { voter: b, on: b4 }, { voter: c, on: b5 }], { ancestries: [b5, b4] });
    assert.equal(decodeJustification(j).votesAncestries.length, 2);
    verifyJustification(j, three, at(target));
  });

  it('refuses a justification of another block (TARGET_MISMATCH)', () => {
    assert.throws(() => verifyJustification(justify(blocks[1]!, 4n, [a, b, c]), three, at(target)), code('TARGET_MISMATCH'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, c], { targetNumber: 4 }), three, at(target)), code('TARGET_MISMATCH'));
  });

  it('refuses a precommit by a non-member (UNKNOWN_VOTER) and two by the same member (DUPLICATE_VOTER)', () => {
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, outsider]), three, at(target)), code('UNKNOWN_VOTER'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, b]), three, at(target)), code('DUPLICATE_VOTER'));
    // The same voter twice on different blocks (an equivocation) is a duplicate too.
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: b, on: blocks[3]! }], { ancestries: [blocks[3]!] }), three, at(target)), code('DUPLICATE_VOTER'));
  });

  it('refuses too little weight (NOT_ENOUGH_WEIGHT)', () => {
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b]), three, at(target)), code('NOT_ENOUGH_WEIGHT'));
    assert.throws(() => verifyJustification(justify(target, 4n, []), three, at(target)), code('NOT_ENOUGH_WEIGHT'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b]), four, at(target)), code('NOT_ENOUGH_WEIGHT'));
  });

  it('refuses precommits off the target\'s descendants (ANCESTRY_MISMATCH) and unused ancestry headers (UNUSED_ANCESTRY)', () => {
    const fork = chain.block({ parent: target, extrinsics: [Uint8Array.of(1)] });
    // On #4 without its header; on a block below the target; on a fork header whose number is claimed wrong.
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: blocks[3]! }]), three, at(target)), code('ANCESTRY_MISMATCH'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: blocks[1]! }], { ancestries: [blocks[1]!] }), three, at(target)), code('ANCESTRY_MISMATCH'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: fork, number: 5 }], { ancestries: [fork] }), three, at(target)), code('ANCESTRY_MISMATCH'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, number: 4 }]), three, at(target)), code('ANCESTRY_MISMATCH'));
    // A descendant of the fork, not of the target.
    const other = chain.block({ parent: blocks[1]!, extrinsics: [Uint8Array.of(2)] });
    const otherChild = chain.block({ parent: other, extrinsics: [Uint8Array.of(3)] });
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: otherChild }], { ancestries: [otherChild, other] }), three, at(target)), code('ANCESTRY_MISMATCH'));
    // Valid routes plus a header nobody needs, or the same header twice.
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, c], { ancestries: [blocks[3]!] }), three, at(target)), code('UNUSED_ANCESTRY'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: blocks[3]! }], { ancestries: [blocks[3]!, blocks[3]!] }), three, at(target)), code('UNUSED_ANCESTRY'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, { voter: c, on: fork }], { ancestries: [fork, blocks[4]!] }), three, at(target)), code('UNUSED_ANCESTRY'));
  });

  it('refuses a bad signature (BAD_SIGNATURE) and names a vote signed for the neighbouring set id (WRONG_SET_ID)', () => {
    const forged = justify(target, 4n, [a, b, { voter: c, signature: new Uint8Array(64).fill(1) }]);
    assert.throws(() => verifyJustification(forged, three, at(target)), code('BAD_SIGNATURE'));
    const otherRound = decodeJustification(justify(target, 4n, [a, b, c], { round: 8n }));
    assert.throws(() => verifyJustification({ ...otherRound, round: 9n }, three, at(target)), code('BAD_SIGNATURE'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, { voter: b, setId: 5n }, c]), three, at(target)), code('WRONG_SET_ID'));
    assert.throws(() => verifyJustification(justify(target, 3n, [a, b, c]), three, at(target)), code('WRONG_SET_ID'));
    assert.throws(() => verifyJustification(justify(target, 9n, [a, b, c]), three, at(target)), code('BAD_SIGNATURE'));
    // A signature by one member presented under another member's id.
    assert.throws(() => verifyJustification(justify(target, 4n, [a, { voter: b, id: c.publicKey }, { voter: c, id: b.publicKey }]), three, at(target)), code('BAD_SIGNATURE'));
  });

  it('refuses undecodable justifications (MALFORMED)', () => {
    const j = justify(target, 4n, [a, b, c]);
    assert.throws(() => verifyJustification(j.subarray(0, j.length - 1), three, at(target)), code('MALFORMED'));
    assert.throws(() => verifyJustification(Uint8Array.from([...j, 0]), three, at(target)), code('MALFORMED'));
    const huge = Uint8Array.from(j);
    huge[8 + 32 + 4] = 0xfd; // precommit count far beyond the bytes left
    assert.throws(() => verifyJustification(huge, three, at(target)), code('MALFORMED'));
  });

  it('hands its signatures to a batch verifier and checks its answers', () => {
    const prepared = prepareJustification(justify(target, 4n, [a, b, c]), three, at(target));
    assert.equal(prepared.checks.length, 3);
    assert.ok(prepared.checks.every((ch) => ch.scheme === 'ed25519' && ch.signature.length === 64));
    assert.deepEqual(prepared.finish([1, 1, 1]).voters, 3);
    assert.throws(() => prepared.finish([1, 0, 1]), code('BAD_SIGNATURE'));
    assert.throws(() => prepared.finish([1, 1]), code('INVALID_ARGUMENT'));
    assert.throws(() => verifyJustification(justify(target, 4n, [a, b, c]), three, at(target), { verify: (checks) => checks.map(() => false) }), code('BAD_SIGNATURE'));
  });

  it('refuses an unusable voter set (INVALID_ARGUMENT)', () => {
    assert.throws(() => verifyJustification(justify(target, 0n, [a]), { id: 0n, authorities: [] }, at(target)), code('INVALID_ARGUMENT'));
    assert.throws(() => verifyJustification(justify(target, 0n, [a]), setOf(0n, [a, a]), at(target)), code('INVALID_ARGUMENT'));
  });
});
