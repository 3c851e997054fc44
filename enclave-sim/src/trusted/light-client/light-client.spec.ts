import assert from 'node:assert/strict';

import { u8aToHex } from '@polkadot/util';
import { cryptoReady } from '@sealbridge/chain-types';

import { LightClientError, type LightClientErrorCode } from './errors.js';
import { LightClient, type Batch } from './light-client.js';
import { authoritiesFromProof, eventsFromProof } from './proofs.js';
import { decodeState } from './state.js';
import { AUTHORITIES_KEY, EVENTS_KEY, TestChain, finalityProof, justify, voter, type TestBlock, type TestLog, type Voter } from './test-chain.js';

const refused = (c: LightClientErrorCode, at?: number) => (e: unknown) => {
  if (!(e instanceof LightClientError)) return false;
  assert.equal(e.code, c, e.message);
  if (at !== undefined) assert.equal(e.at, at, e.message);
  return true;
};

const [alice, bob, charlie, dave, eve, ferdie, grace] = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie', 'grace'].map((n) => voter(n)) as Voter[] as [Voter, Voter, Voter, Voter, Voter, Voter, Voter];
const keys = (vs: Voter[]) => vs.map((v) => ({ key: v.publicKey, weight: v.weight }));

function clientOf(chain: TestChain): LightClient {
  return LightClient.fromGenesis(chain.genesis.header, chain.genesisAuthoritiesProof());
}

/** Blocks from..to with a justification of `to` (or of `justified`, through a finality proof) by (setId, voters). */
function batchOf(chain: TestChain, from: number, to: number, setId: bigint, voters: Voter[], justified?: number): Batch {
  const { headers, bodies } = chain.batch(from, to);
  if (justified === undefined) return { headers, bodies, finality: { justification: justify(chain.blocks[to]!, setId, voters) } };
  const target = chain.blocks[justified]!;
  const proof = finalityProof(target.hash, justify(target, setId, voters), chain.blocks.slice(to + 1, justified + 1));
  return { headers, bodies, finality: { finalityProof: proof } };
}

/** Runs `f`, which must throw, and checks the client did not move. */
function refusedWithoutChange(client: LightClient, f: () => unknown, c: LightClientErrorCode, at?: number): void {
  const before = client.encodeState();
  assert.throws(f, refused(c, at));
  assert.deepEqual(client.encodeState(), before, 'a refused batch leaves the state as it was');
}

describe('light client: batches', () => {
  before(cryptoReady);

  it('starts from the genesis header and a proof of :grandpa_authorities; refuses a bad proof or a non-genesis header', () => {
    const chain = new TestChain([alice, bob, charlie]);
    const client = clientOf(chain);
    assert.deepEqual(client.last, { number: 0, hash: chain.genesis.hash });
    assert.deepEqual(client.set, { id: 0n, authorities: keys([alice, bob, charlie]) });
    assert.equal(client.pending, undefined);

    const proof = chain.genesisAuthoritiesProof();
    const tampered = proof.map((node) => {
      const copy = Uint8Array.from(node);
      copy[copy.length - 1] ^= 1;
      return copy;
    });
    assert.throws(() => LightClient.fromGenesis(chain.genesis.header, tampered), refused('AUTHORITIES_PROOF_INVALID'));
    assert.throws(() => LightClient.fromGenesis(chain.genesis.header, []), refused('AUTHORITIES_PROOF_INVALID'));
    assert.throws(() => LightClient.fromGenesis(chain.genesis.header, { proof: chain.genesis.state.proof([EVENTS_KEY]) }), refused('AUTHORITIES_PROOF_INVALID'), 'proven absent');
    chain.extend(1);
    assert.throws(() => LightClient.fromGenesis(chain.blocks[1]!.header, chain.blocks[1]!.state.proof([AUTHORITIES_KEY])), refused('WRONG_GENESIS'));
    assert.throws(() => LightClient.fromGenesis(chain.genesis.header, proof, { expectedGenesisHash: new Uint8Array(32) }), refused('WRONG_GENESIS'));
  });

  it('verifies a batch finalized by 1 authority, then one finalized through a finality proof of a descendant', () => {
    const chain = new TestChain([alice]);
    chain.extend(8);
    const client = clientOf(chain);
    const r = client.verifyBatch(batchOf(chain, 1, 4, 0n, [alice]));
    assert.deepEqual(r.headers.map((h) => [h.number, u8aToHex(h.hash), u8aToHex(h.stateRoot)]), chain.blocks.slice(1, 5).map((b) => [b.number, u8aToHex(b.hash), u8aToHex(b.stateRoot)]));
    assert.deepEqual(r.justified, { number: 4, hash: chain.blocks[4]!.hash });
    assert.deepEqual(r.justification, { round: 7n, weight: 1n, threshold: 1n, voters: 1, setId: 0n });
    assert.equal(r.setChange, undefined);
    assert.deepEqual(client.last, { number: 4, hash: chain.blocks[4]!.hash });

    const r2 = client.verifyBatch(batchOf(chain, 5, 6, 0n, [alice], 8));
    assert.deepEqual(r2.headers.map((h) => h.number), [5, 6]);
    assert.deepEqual(r2.justified, { number: 8, hash: chain.blocks[8]!.hash });
    assert.deepEqual(client.last, { number: 6, hash: chain.blocks[6]!.hash }, 'the last verified header, not the justified descendant');
    // A finality proof of the last header itself (no unknown headers) works too.
    chain.extend(1);
    client.verifyBatch(batchOf(chain, 7, 9, 0n, [alice], 9));
    assert.equal(client.last.number, 9);
    // grandpa_proveFinality(10) for a batch 10..12: its unknown headers (10; 13] repeat #11 and #12 of the batch.
    chain.extend(4);
    const b13 = chain.blocks[13]!;
    const { headers, bodies } = chain.batch(10, 12);
    const fork12 = chain.block({ parent: chain.blocks[11]!, extrinsics: [] });
    const wrong = finalityProof(b13.hash, justify(b13, 0n, [alice]), [chain.blocks[11]!, fork12, b13]);
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { finalityProof: wrong } }), 'NOT_CHAINED');
    const repeats = finalityProof(b13.hash, justify(b13, 0n, [alice]), chain.blocks.slice(11, 14));
    assert.deepEqual(client.verifyBatch({ headers, bodies, finality: { finalityProof: repeats } }).justified, { number: 13, hash: b13.hash });
  });

  it('verifies batches finalized by 3 authorities, with bodies of many extrinsics and with votes on descendants', () => {
    const chain = new TestChain([alice, bob, charlie]);
    chain.block({ extrinsics: Array.from({ length: 300 }, (_, i) => new Uint8Array(i % 90).fill(i & 0xff)) });
    chain.block({ extrinsics: [] });
    chain.extend(3);
    const client = clientOf(chain);
    assert.equal(client.verifyBatch(batchOf(chain, 1, 3, 0n, [alice, bob, charlie])).justification.weight, 3n);
    const [b3, b4, b5] = [chain.blocks[3]!, chain.blocks[4]!, chain.blocks[5]!];
    const j = justify(b4, 0n, [alice, { voter: bob, on: b5 }, charlie], { ancestries: [b5] });
    const { headers, bodies } = chain.batch(4, 4);
    assert.equal(client.verifyBatch({ headers, bodies, finality: { justification: j }, genesisHash: chain.genesis.hash }).headers[0]!.number, 4);
    assert.ok(b3);
  });

  it('refuses batches that are not final (NOT_FINAL) or justified for another block (TARGET_MISMATCH)', () => {
    const chain = new TestChain([alice]);
    chain.extend(5);
    const client = clientOf(chain);
    const { headers, bodies } = chain.batch(1, 3);
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies }), 'NOT_FINAL');
    const j2 = justify(chain.blocks[2]!, 0n, [alice]);
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { justification: j2 } }), 'TARGET_MISMATCH');
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { finalityProof: finalityProof(chain.blocks[5]!.hash, justify(chain.blocks[5]!, 0n, [alice]), []) } }), 'NOT_FINAL');
    const proofOther = finalityProof(chain.blocks[5]!.hash, justify(chain.blocks[5]!, 0n, [alice]), [chain.blocks[4]!]);
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { finalityProof: proofOther } }), 'TARGET_MISMATCH');
    const gap = finalityProof(chain.blocks[5]!.hash, justify(chain.blocks[5]!, 0n, [alice]), [chain.blocks[5]!]);
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { finalityProof: gap } }), 'NOT_CHAINED');
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { justification: justify(chain.blocks[3]!, 0n, [bob]) } }), 'UNKNOWN_VOTER');
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { justification: justify(chain.blocks[3]!, 0n, [{ voter: alice, signature: new Uint8Array(64) }]) } }), 'BAD_SIGNATURE');
    refusedWithoutChange(client, () => client.verifyBatch({ headers, bodies, finality: { justification: Uint8Array.of(1, 2, 3) } }), 'MALFORMED');
  });

  it('refuses replays (STALE), forks (REORG), gaps and breaks (NOT_CHAINED), another genesis (WRONG_GENESIS), bad bodies (EXTRINSICS_ROOT_MISMATCH)', () => {
    const chain = new TestChain([alice]);
    chain.extend(7);
    const client = clientOf(chain);
    const first = batchOf(chain, 1, 4, 0n, [alice]);
    client.verifyBatch(first);
    refusedWithoutChange(client, () => client.verifyBatch(first), 'STALE');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 3, 5, 0n, [alice])), 'STALE');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 0, 5, 0n, [alice])), 'STALE');

    // #5' on a fork #4' of #3.
    const fork4 = chain.block({ parent: chain.blocks[3]!, extrinsics: [Uint8Array.of(4)] });
    const fork5 = chain.block({ parent: fork4, extrinsics: [Uint8Array.of(5)] });
    refusedWithoutChange(client, () => client.verifyBatch({ headers: [fork5.header], bodies: [fork5.body], finality: { justification: justify(fork5, 0n, [alice]) } }), 'REORG');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 6, 7, 0n, [alice])), 'NOT_CHAINED');
    const b = (n: number): TestBlock => chain.blocks[n]!;
    const broken = { headers: [b(5).header, b(7).header], bodies: [b(5).body, b(7).body], finality: { justification: justify(b(7), 0n, [alice]) } };
    refusedWithoutChange(client, () => client.verifyBatch(broken), 'NOT_CHAINED');
    const fork6 = chain.block({ parent: fork5, extrinsics: [] });
    const mixed = { headers: [b(5).header, fork6.header], bodies: [b(5).body, fork6.body], finality: { justification: justify(fork6, 0n, [alice]) } };
    refusedWithoutChange(client, () => client.verifyBatch(mixed), 'NOT_CHAINED');

    const next = batchOf(chain, 5, 7, 0n, [alice]);
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, genesisHash: fork4.hash }), 'WRONG_GENESIS');
    const flipped = next.bodies.map((body) => body.map((x) => Uint8Array.from(x)));
    flipped[1]![0]![3] ^= 1;
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, bodies: flipped }), 'EXTRINSICS_ROOT_MISMATCH');
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, bodies: [next.bodies[0]!, [], next.bodies[2]!] }), 'EXTRINSICS_ROOT_MISMATCH');
    // The payload without its length prefix is not the extrinsic as the body holds it.
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, bodies: next.bodies.map((body) => body.map((x) => x.subarray(1))) }), 'EXTRINSICS_ROOT_MISMATCH');
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, bodies: next.bodies.slice(1) }), 'INVALID_ARGUMENT');
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, headers: [] , bodies: [] }), 'INVALID_ARGUMENT');
    refusedWithoutChange(client, () => client.verifyBatch({ ...next, headers: [next.headers[0]!.subarray(1), ...next.headers.slice(1)] }), 'MALFORMED');
    assert.equal(client.verifyBatch(next).headers.length, 3);
  });

  it('follows a scheduled change 1 → 3 authorities enacted after its delay, then a rotation to another 3, each justified by the right set', () => {
    const chain = new TestChain([alice]);
    const second = [bob, charlie, dave];
    const third = [eve, ferdie, grace];
    chain.block(); // #1
    chain.block({ logs: [{ ScheduledChange: { next: second, delay: 3 } }] }); // #2: enacts at #5
    chain.extend(2); // #3, #4
    chain.block({ authorities: second }); // #5: the runtime's set changes here
    chain.extend(2); // #6, #7
    chain.block({ logs: [{ ScheduledChange: { next: third, delay: 0 } }], authorities: third }); // #8: signalled and enacted
    chain.extend(2); // #9, #10
    const client = clientOf(chain);

    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 1, 6, 0n, [alice])), 'SPLIT_BATCH', 5);
    const r1 = client.verifyBatch(batchOf(chain, 1, 3, 0n, [alice]));
    assert.deepEqual(r1.pending, { kind: 'scheduled', signalledAt: 2, delay: 3, next: keys(second) });
    assert.deepEqual(client.pending, r1.pending);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 4, 4, 0n, [alice], 6)), 'SPLIT_BATCH', 5);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 4, 5, 0n, [alice], 6)), 'NOT_FINAL');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 4, 5, 1n, second)), 'UNKNOWN_VOTER');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 4, 5, 1n, [alice])), 'WRONG_SET_ID');

    const r2 = client.verifyBatch(batchOf(chain, 4, 5, 0n, [alice]));
    assert.deepEqual(r2.setChange, { kind: 'scheduled', at: 5, id: 1n, authorities: keys(second) });
    assert.equal(r2.justification.setId, 0n);
    assert.deepEqual(client.set, { id: 1n, authorities: keys(second) });
    assert.equal(client.pending, undefined);
    // The verified state root of #5 holds the new set.
    assert.deepEqual(authoritiesFromProof(r2.headers[1]!.stateRoot, chain.blocks[5]!.state.proof([AUTHORITIES_KEY])), keys(second));

    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 6, 7, 0n, [alice])), 'UNKNOWN_VOTER');
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 6, 7, 1n, [bob, charlie])), 'NOT_ENOUGH_WEIGHT');
    assert.equal(client.verifyBatch(batchOf(chain, 6, 7, 1n, second)).justification.setId, 1n);

    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 8, 9, 1n, second)), 'SPLIT_BATCH', 8);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 8, 8, 2n, third)), 'UNKNOWN_VOTER');
    const r3 = client.verifyBatch(batchOf(chain, 8, 8, 1n, second));
    assert.deepEqual(r3.setChange, { kind: 'scheduled', at: 8, id: 2n, authorities: keys(third) });
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 9, 10, 1n, second)), 'UNKNOWN_VOTER');
    assert.equal(client.verifyBatch(batchOf(chain, 9, 10, 2n, third)).justification.setId, 2n);
    assert.deepEqual(client.set, { id: 2n, authorities: keys(third) });
  });

  it('refuses a change signalled while another is pending, or two in one digest (AUTHORITY_CHANGE_CONFLICT); pause and disable logs change nothing', () => {
    const chain = new TestChain([alice]);
    const change = (next: Voter[], delay: number): TestLog => ({ ScheduledChange: { next, delay } });
    chain.block({ logs: [{ Pause: 3 }, { OnDisabled: 0 }] }); // #1
    chain.block({ logs: [change([bob], 4)] }); // #2 → #6
    chain.block({ logs: [change([charlie], 1)] }); // #3: conflicts
    const client = clientOf(chain);
    assert.equal(client.verifyBatch(batchOf(chain, 1, 1, 0n, [alice])).pending, undefined);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 2, 3, 0n, [alice])), 'AUTHORITY_CHANGE_CONFLICT');
    client.verifyBatch(batchOf(chain, 2, 2, 0n, [alice]));
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 3, 3, 0n, [alice])), 'AUTHORITY_CHANGE_CONFLICT');
    // Also through a finality proof's headers.
    chain.blocks.pop();
    chain.block(); // #3
    chain.block({ logs: [change([dave], 0)] }); // #4: conflicts
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 3, 3, 0n, [alice], 4)), 'AUTHORITY_CHANGE_CONFLICT');

    const twice = new TestChain([alice]);
    twice.block({ logs: [change([bob], 1), { ForcedChange: { median: 0, next: [charlie], delay: 1 } }] });
    const c2 = clientOf(twice);
    refusedWithoutChange(c2, () => c2.verifyBatch(batchOf(twice, 1, 1, 0n, [alice])), 'AUTHORITY_CHANGE_CONFLICT');
  });

  it('follows a forced change: enacted at its block without the old set, once the signalling block is finalized', () => {
    const chain = new TestChain([alice]);
    const next = [bob, charlie, dave];
    chain.block(); // #1
    chain.block({ logs: [{ ForcedChange: { median: 1, next, delay: 2 } }] }); // #2 → enacts at #4
    chain.block(); // #3
    chain.block({ authorities: next }); // #4
    chain.extend(2); // #5, #6
    const client = clientOf(chain);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 1, 4, 1n, next)), 'FORCED_CHANGE_UNFINALIZED', 2);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 1, 3, 1n, next, 4)), 'FORCED_CHANGE_UNFINALIZED', 2);
    const r1 = client.verifyBatch(batchOf(chain, 1, 2, 0n, [alice]));
    assert.deepEqual(r1.pending, { kind: 'forced', signalledAt: 2, delay: 2, median: 1, next: keys(next) });

    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 3, 3, 1n, next, 4)), 'SPLIT_BATCH', 4);
    refusedWithoutChange(client, () => client.verifyBatch(batchOf(chain, 3, 5, 0n, [alice])), 'UNKNOWN_VOTER');
    // #3 (before the enactment) is final through the old set as usual.
    const c3 = LightClient.fromState(client.encodeState());
    assert.equal(c3.verifyBatch(batchOf(chain, 3, 3, 0n, [alice])).setChange, undefined);

    const r2 = client.verifyBatch(batchOf(chain, 3, 5, 1n, next));
    assert.deepEqual(r2.setChange, { kind: 'forced', at: 4, id: 1n, authorities: keys(next) });
    assert.equal(r2.justification.setId, 1n);
    assert.deepEqual(client.set, { id: 1n, authorities: keys(next) });
    assert.equal(client.pending, undefined);
    client.verifyBatch(batchOf(chain, 6, 6, 1n, next));
    // The same after the batch that finalized only #3.
    assert.deepEqual(c3.verifyBatch(batchOf(chain, 4, 6, 1n, next)).setChange, { kind: 'forced', at: 4, id: 1n, authorities: keys(next) });
    assert.deepEqual(c3.encodeState(), client.encodeState());
  });

  it('reads System.Events out of a verified state root; a tampered or foreign proof is EVENTS_PROOF_INVALID', () => {
    const chain = new TestChain([alice]);
    chain.extend(3);
    const client = clientOf(chain);
    const [h1, h2] = client.verifyBatch(batchOf(chain, 1, 2, 0n, [alice])).headers as [ReturnType<LightClient['verifyBatch']>['headers'][number], ReturnType<LightClient['verifyBatch']>['headers'][number]];
    const proof = chain.blocks[2]!.state.proof([EVENTS_KEY]);
    assert.deepEqual(eventsFromProof(h2.stateRoot, proof), chain.blocks[2]!.events);
    assert.deepEqual(eventsFromProof(h1.stateRoot, chain.blocks[1]!.state.proof([EVENTS_KEY])), chain.blocks[1]!.events);
    assert.deepEqual(eventsFromProof(chain.genesis.stateRoot, chain.genesis.state.proof([EVENTS_KEY])), Uint8Array.of(0), 'absent: an empty Vec');

    for (const [i, node] of proof.entries()) {
      for (const at of [0, node.length >> 1, node.length - 1]) {
        const copy = proof.map((n) => Uint8Array.from(n));
        copy[i]![at] ^= 0x40;
        assert.throws(() => eventsFromProof(h2.stateRoot, copy), refused('EVENTS_PROOF_INVALID'));
      }
    }
    assert.throws(() => eventsFromProof(h2.stateRoot, chain.blocks[1]!.state.proof([EVENTS_KEY])), refused('EVENTS_PROOF_INVALID'), "#1's proof against #2's root");
    assert.throws(() => eventsFromProof(h2.stateRoot, []), refused('EVENTS_PROOF_INVALID'));
    assert.throws(() => eventsFromProof(h2.stateRoot.subarray(1), proof), refused('EVENTS_PROOF_INVALID'));
  });

  it('round-trips its state (sealable SCALE) and goes on from it; corrupt state is STATE_INVALID', () => {
    const chain = new TestChain([alice, bob, charlie]);
    chain.block();
    chain.block({ logs: [{ ForcedChange: { median: 1, next: [dave], delay: 5 } }] });
    chain.extend(3);
    const client = clientOf(chain);
    client.verifyBatch(batchOf(chain, 1, 3, 0n, [alice, bob, charlie]));
    const bytes = client.encodeState();
    const decoded = decodeState(bytes);
    assert.deepEqual(decoded, client.state);
    assert.equal(decoded.pending?.kind, 'forced');
    const restored = LightClient.fromState(bytes, { expectedGenesisHash: chain.genesis.hash });
    assert.deepEqual(LightClient.fromState(client.state).encodeState(), bytes);
    const a = client.verifyBatch(batchOf(chain, 4, 5, 0n, [alice, bob, charlie]));
    const b = restored.verifyBatch(batchOf(chain, 4, 5, 0n, [alice, bob, charlie]));
    assert.deepEqual(b.justified, a.justified);
    assert.deepEqual(restored.encodeState(), client.encodeState());

    assert.throws(() => LightClient.fromState(bytes, { expectedGenesisHash: new Uint8Array(32) }), refused('WRONG_GENESIS'));
    assert.throws(() => decodeState(Uint8Array.from([...bytes, 0])), refused('STATE_INVALID'));
    assert.throws(() => decodeState(bytes.subarray(0, bytes.length - 1)), refused('STATE_INVALID'));
    const version = Uint8Array.from(bytes);
    version[0] = 2;
    assert.throws(() => decodeState(version), refused('STATE_INVALID'));
    const header = Uint8Array.from(bytes);
    header[1 + 32 + 4 + 32 + 2 + 40] ^= 1; // inside the last header: its hash no longer matches
    assert.throws(() => decodeState(header), refused('STATE_INVALID'));
    assert.throws(() => LightClient.fromState({ ...client.state, set: { id: 0n, authorities: [] } }), refused('STATE_INVALID'));
  });

  it('verifies signatures through an asynchronous batch verifier; a batch prepared before another commit is STALE', async () => {
    const chain = new TestChain([alice, bob, charlie]);
    chain.extend(4);
    const client = clientOf(chain);
    let seen = 0;
    const r = await client.verifyBatchAsync(batchOf(chain, 1, 2, 0n, [alice, bob, charlie]), async (checks) => {
      seen = checks.length;
      await new Promise((resolve) => setImmediate(resolve));
      return checks.map(() => true);
    });
    assert.equal(seen, 3);
    assert.equal(r.headers.length, 2);
    const p1 = client.prepareBatch(batchOf(chain, 3, 3, 0n, [alice, bob, charlie]));
    const p2 = client.prepareBatch(batchOf(chain, 3, 4, 0n, [alice, bob, charlie]));
    p1.commit(p1.checks.map(() => true));
    assert.throws(() => p2.commit(p2.checks.map(() => true)), refused('STALE'));
    await assert.rejects(client.verifyBatchAsync(batchOf(chain, 4, 4, 0n, [alice, bob, charlie]), async (checks) => checks.map((_, i) => i !== 1)), refused('BAD_SIGNATURE'));
    assert.equal(client.last.number, 3);
  });
});
