import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { createSealbridgeType, decodeExact, sealbridgeRegistry, topHash } from '@sealbridge/chain-types';
import { OUTCOME_RETENTION_BLOCKS, STF_TX_FEE, STF_UNSHIELD_FEE } from './constants.js';
import { executeTrustedOperations, type OperationInput } from './execute.js';
import { executeGetter } from './getters.js';
import { decodeOperationOutcome, encodeOperationOutcome, type OperationOutcome } from './outcomes.js';
import { enclaveSignedCall } from './signing.js';
import { STORAGE_PREFIX, ShardState } from './state.js';
import { actors, ctx, getter, MRENCLAVE, SHARD, signed, UNIT, type Actors } from './test/fixtures.js';

const hex = (b: Uint8Array) => u8aToHex(b);

describe('operation outcomes', () => {
  let a: Actors;
  before(async () => {
    a = await actors();
  });

  const run = (s: ShardState, ops: OperationInput[], n: number) => executeTrustedOperations(s, ops, ctx(n), a.env);
  const shield = (nonce: number, who: Uint8Array, amount: bigint) =>
    enclaveSignedCall({ kind: 'balance_shield', enclave: a.enclave.publicKey, who, amount, parentchainId: 'Integritee' }, nonce, (m) => a.enclave.sign(m), MRENCLAVE, SHARD);
  const transfer = (from: Actors['alice'], to: Uint8Array, amount: bigint, nonce: number) =>
    signed(from, { kind: 'balance_transfer', from: from.publicKey, to, amount }, nonce);
  const unshield = (from: Actors['alice'], amount: bigint, nonce: number, shard = SHARD) =>
    signed(from, { kind: 'balance_unshield', from: from.publicKey, beneficiary: a.ferdie.publicKey, amount, shard }, nonce);
  /** The `operation_outcome` getter signed by `signer` for `who`'s operation `op`. */
  const read = (s: ShardState, signer: Actors['alice'], op: Uint8Array, who = signer.publicKey) =>
    executeGetter(s, getter(signer, { kind: 'operation_outcome', who, topHash: topHash(op) }));
  const outcome = (s: ShardState, signer: Actors['alice'], op: Uint8Array): OperationOutcome | null => {
    const bytes = read(s, signer, op);
    return bytes && decodeOperationOutcome(bytes);
  };
  const recorded = (s: ShardState) => [s.entries(STORAGE_PREFIX.operationOutcome).length, s.entries(STORAGE_PREFIX.outcomesByBlock).length];
  const funded = async (n = 1) => (await run(ShardState.empty(), [shield(0, a.alice.publicKey, 5n * UNIT), shield(1, a.bob.publicKey, UNIT / 10n)], n)).state;

  it('records ok, the STF error and the fee paid for the sender, keyed by TOP hash; balances stay exact', async () => {
    const s0 = await funded();
    const ok = transfer(a.alice, a.charlie.publicKey, UNIT, 0);
    const overSpend = transfer(a.bob, a.charlie.publicKey, 2n * UNIT, 0);
    const overUnshield = unshield(a.alice, 10n * UNIT, 1);
    const otherShard = unshield(a.alice, 1n, 2, new Uint8Array(32).fill(9));
    const badNonce = transfer(a.alice, a.charlie.publicKey, 1n, 7);
    const direct = signed(a.alice, { kind: 'noop', who: a.alice.publicKey }, 3, { kind: 'direct_call' });
    const o = await run(s0, [ok, overSpend, overUnshield, otherShard, badNonce, direct], 7);
    const s = o.state;

    assert.deepEqual(outcome(s, a.alice, ok), { blockNumber: 7, fee: STF_TX_FEE });
    assert.deepEqual(outcome(s, a.bob, overSpend), {
      blockNumber: 7,
      error: { code: 'MissingFunds', message: `free balance ${UNIT / 10n - STF_TX_FEE} below ${2n * UNIT}` },
      fee: STF_TX_FEE,
    });
    assert.deepEqual(outcome(s, a.alice, overUnshield), {
      blockNumber: 7,
      error: { code: 'MissingFunds', message: `free balance ${4n * UNIT - STF_TX_FEE - STF_UNSHIELD_FEE} below ${10n * UNIT}` },
      fee: STF_UNSHIELD_FEE,
    });
    assert.deepEqual(outcome(s, a.alice, otherShard), { blockNumber: 7, error: { code: 'ShardMismatch', message: 'balance_unshield names another shard' }, fee: 0n });
    assert.deepEqual(outcome(s, a.alice, badNonce), { blockNumber: 7, error: { code: 'InvalidNonce', message: 'nonce 7, expected 3' }, fee: 0n });
    assert.deepEqual(outcome(s, a.alice, direct), { blockNumber: 7, fee: 0n }, 'a direct call under its own TOP hash');
    assert.deepEqual(o.results.map((r) => r.fee), [STF_TX_FEE, STF_TX_FEE, STF_UNSHIELD_FEE, 0n, 0n, 0n]);

    assert.equal(s.account(a.alice.publicKey).free, 4n * UNIT - STF_TX_FEE - STF_UNSHIELD_FEE);
    assert.equal(s.account(a.bob.publicKey).free, UNIT / 10n - STF_TX_FEE);
    assert.equal(s.account(a.charlie.publicKey).free, UNIT);
    assert.equal(s.account(a.enclave.publicKey).free, 2n * STF_TX_FEE + STF_UNSHIELD_FEE);
    // The value is the registry's TrustedOperationOutcome (what clients decode).
    const value = decodeExact(sealbridgeRegistry, 'TrustedOperationOutcome', read(s, a.bob, overSpend)!);
    assert.equal(value.block_number.toNumber(), 7);
    assert.equal(value.result.asErr.code.toString(), 'MissingFunds');
    assert.equal(value.fee.toBigInt(), STF_TX_FEE);
    assert.deepEqual(recorded(s), [6, 1]);
  });

  it('answers the sender only: a getter signed by someone else gets nothing', async () => {
    const op = transfer(a.alice, a.charlie.publicKey, 1n, 0);
    const s = (await run(await funded(), [op], 2)).state;
    assert.ok(read(s, a.alice, op));
    assert.equal(read(s, a.bob, op), null, "Bob's own key holds nothing for Alice's operation");
    assert.throws(() => read(s, a.bob, op, a.alice.publicKey), { code: 'GetterIsNotAuthorized' });
    const forged = getter(a.bob, { kind: 'operation_outcome', who: a.alice.publicKey, topHash: topHash(op) });
    forged[forged.length - 1] ^= 0xff;
    assert.throws(() => executeGetter(s, forged), { code: 'GetterIsNotAuthorized' });
    assert.equal(read(s, a.alice, transfer(a.alice, a.charlie.publicKey, 1n, 1)), null, 'an operation never executed');
  });

  it('records nothing for bad signatures, undecodable bytes and the enclave’s own calls', async () => {
    const s0 = await funded();
    const forged = transfer(a.alice, a.bob.publicKey, 1n, 0);
    forged[forged.length - 1] ^= 0xff;
    const timestamp = enclaveSignedCall({ kind: 'timestamp_set', enclave: a.enclave.publicKey, now: 5n, parentchainId: 'Integritee' }, 2, (m) => a.enclave.sign(m), MRENCLAVE, SHARD);
    const o = await run(s0, [forged, new Uint8Array([7]), new Uint8Array([2, 0, 0]), timestamp], 2);
    assert.deepEqual(o.results.map((r) => r.error?.code ?? 'ok'), ['BadSignature', 'MalformedOperation', 'UnsupportedOperation', 'ok']);
    assert.deepEqual(recorded(o.state), [0, 0]);
    assert.deepEqual(recorded(s0), [0, 0], 'shields are the enclave’s calls too');
  });

  it('keeps an executed outcome when its bytes are replayed, and replaces a rejection once the bytes execute', async () => {
    const s0 = await funded();
    const first = transfer(a.alice, a.bob.publicKey, 1n, 0);
    let s = (await run(s0, [first], 2)).state;
    const replay = await run(s, [first], 3);
    assert.equal(replay.results[0].error?.code, 'InvalidNonce');
    assert.deepEqual(outcome(replay.state, a.alice, first), { blockNumber: 2, fee: STF_TX_FEE });
    assert.equal(hex(replay.state.root()), hex(s.root()), 'a rejected replay changes nothing');

    const early = transfer(a.alice, a.bob.publicKey, 1n, 2);
    s = (await run(replay.state, [early], 4)).state;
    assert.equal(outcome(s, a.alice, early)?.error?.code, 'InvalidNonce');
    s = (await run(s, [transfer(a.alice, a.bob.publicKey, 1n, 1), early], 5)).state;
    assert.deepEqual(outcome(s, a.alice, early), { blockNumber: 5, fee: STF_TX_FEE });
    // Block 4's index still names it, but pruning block 4 must not remove block 5's outcome.
    s = (await run(s, [], 4 + OUTCOME_RETENTION_BLOCKS)).state;
    assert.deepEqual(outcome(s, a.alice, early), { blockNumber: 5, fee: STF_TX_FEE });
    s = (await run(s, [], 5 + OUTCOME_RETENTION_BLOCKS)).state;
    assert.equal(outcome(s, a.alice, early), null);
  });

  it(`prunes an outcome ${OUTCOME_RETENTION_BLOCKS} blocks after its block, also across gaps, leaving nothing behind`, async () => {
    const s0 = await funded();
    const op = transfer(a.alice, a.bob.publicKey, 1n, 0);
    const at10 = (await run(s0, [op], 10)).state;
    const kept = (await run(at10, [], 9 + OUTCOME_RETENTION_BLOCKS)).state;
    assert.deepEqual(outcome(kept, a.alice, op), { blockNumber: 10, fee: STF_TX_FEE }, 'still readable in its last block');
    const pruned = (await run(kept, [], 10 + OUTCOME_RETENTION_BLOCKS)).state;
    assert.equal(outcome(pruned, a.alice, op), null);
    assert.deepEqual(recorded(pruned), [0, 0]);
    assert.deepEqual(pruned.entries(), at10.entries().filter(([k]) => !hex(k).startsWith(hex(STORAGE_PREFIX.operationOutcome)) && !hex(k).startsWith(hex(STORAGE_PREFIX.outcomesByBlock))));
    const afterGap = (await run(at10, [transfer(a.alice, a.bob.publicKey, 1n, 1)], 100_000)).state;
    assert.deepEqual(recorded(afterGap), [1, 1], 'only the new block’s outcome is left');
  });

  it('bounds the live outcomes by the retention window and gives every replica the same roots', async () => {
    // One ok and one failed operation per block (the over-spend still pays its fee); sr25519 signatures are
    // randomised, so the replicas get the very same bytes, as workers of a shard do.
    const blocks = Array.from({ length: OUTCOME_RETENTION_BLOCKS + 20 }, (_, n) => [
      transfer(a.alice, a.charlie.publicKey, 1n, 2 * n),
      transfer(a.alice, a.charlie.publicKey, 10n * UNIT, 2 * n + 1),
    ]);
    const start = await funded();
    const replica = async () => {
      let s = start;
      const roots: string[] = [];
      for (const [n, ops] of blocks.entries()) {
        s = (await run(s, ops, n + 2)).state;
        roots.push(hex(s.root()));
      }
      return { s, roots };
    };
    const [x, y] = await Promise.all([replica(), replica()]);
    assert.deepEqual(x.roots, y.roots);
    assert.deepEqual(recorded(x.s), [2 * OUTCOME_RETENTION_BLOCKS, OUTCOME_RETENTION_BLOCKS]);
    assert.equal(x.s.account(a.alice.publicKey).free, 5n * UNIT - 2n * BigInt(OUTCOME_RETENTION_BLOCKS + 20) * STF_TX_FEE - BigInt(OUTCOME_RETENTION_BLOCKS + 20));
    assert.equal(x.s.account(a.charlie.publicKey).free, BigInt(OUTCOME_RETENTION_BLOCKS + 20));
  });

  it('encodes TrustedOperationOutcome as the registry does and rejects malformed values', () => {
    const cases: Array<[OperationOutcome, object]> = [
      [{ blockNumber: 71, fee: STF_TX_FEE }, { block_number: 71, result: { Ok: null }, fee: STF_TX_FEE }],
      [
        { blockNumber: 2 ** 32 - 1, error: { code: 'MissingFunds', message: 'free balance 0 below 1' }, fee: 0n },
        { block_number: 2 ** 32 - 1, result: { Err: { code: 'MissingFunds', message: 'free balance 0 below 1' } }, fee: 0n },
      ],
    ];
    for (const [plain, value] of cases) {
      const bytes = encodeOperationOutcome(plain);
      assert.equal(hex(bytes), hex(createSealbridgeType(sealbridgeRegistry, 'TrustedOperationOutcome', value).toU8a()));
      assert.deepEqual(decodeOperationOutcome(bytes), plain);
    }
    const ok = encodeOperationOutcome({ blockNumber: 1, fee: 0n });
    for (const bad of [ok.subarray(1), new Uint8Array([...ok, 0]), Uint8Array.of(1, 0, 0, 0, 2, ...new Uint8Array(16))]) {
      assert.throws(() => decodeOperationOutcome(bad), { code: 'MalformedState' });
    }
    assert.equal(hex(createSealbridgeType(sealbridgeRegistry, 'TrustedGetter', { operation_outcome: [a.alice.publicKey, new Uint8Array(32)] }).toU8a().subarray(0, 1)), '0x98', 'variant 152');
  });
});
