// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { decodeOperation } from './codec.js';
import { STF_TX_FEE, STF_UNSHIELD_FEE } from './constants.js';
import { executeTrustedOperations, type ExecutionOutcome, type OperationInput } from './execute.js';
import { executeGetter } from './getters.js';
import { enclaveSignedCall } from './signing.js';
import { STORAGE_PREFIX, ShardState, accountKey, timestampKey } from './state.js';
import { actors, ctx, getter, MRENCLAVE, SHARD, signed, u128, u32, UNIT, type Actors } from './test/fixtures.js';

const hex = (b: Uint8Array) => u8aToHex(b);

describe('executeTrustedOperations', () => {
  let a: Actors;
  before(async () => {
    a = await actors();
  });

  const shield = (nonce: number, who: Uint8Array, amount: bigint) =>
    enclaveSignedCall(
      { kind: 'balance_shield', enclave: a.enclave.publicKey, who, amount, parentchainId: 'Integritee' },
      nonce,
      (m) => a.enclave.sign(m),
      MRENCLAVE,
      SHARD,
    );
  const transfer = (from: Actors['alice'], to: Uint8Array, amount: bigint, nonce: number) =>
    signed(from, { kind: 'balance_transfer', from: from.publicKey, to, amount }, nonce);
  const free = (s: ShardState, who: Actors['alice']) => u128(executeGetter(s, getter(who, { kind: 'free_balance', who: who.publicKey })));
  const nonce = (s: ShardState, who: Actors['alice']) => u32(executeGetter(s, getter(who, { kind: 'nonce', who: who.publicKey })));
  const run = (s: ShardState, ops: OperationInput[], n = 1) => executeTrustedOperations(s, ops, ctx(n), a.env);
  const codes = (o: ExecutionOutcome) => o.results.map((r) => (r.ok ? 'ok' : r.error?.code));

  it('runs the §7.2 shield → transfer → unshield → nonce scenario with exact fees', async () => {
    let s = ShardState.empty();
    // Block 1: the Timestamp.set inherent and EnclaveBridge.shield_funds, both enclave-signed.
    const ts = enclaveSignedCall(
      { kind: 'timestamp_set', enclave: a.enclave.publicKey, now: 1_700_000_000_000n, parentchainId: 'Integritee' },
      0,
      (m) => a.enclave.sign(m),
      MRENCLAVE,
      SHARD,
    );
    const shieldOp = shield(1, a.alice.publicKey, 6n * UNIT);
    let o = await run(s, [ts, shieldOp], 1);
    assert.deepEqual(codes(o), ['ok', 'ok']);
    s = o.state;
    assert.equal(free(s, a.alice), 6n * UNIT);
    assert.equal(free(s, a.bob), 0n);
    assert.equal(s.account(a.enclave.publicKey).nonce, 2, 'enclave nonce counts its own calls');
    assert.equal(hex(s.get(timestampKey()) as Uint8Array), '0x0068e5cf8b010000');
    assert.equal(o.parentchainCalls.length, 1);
    const publish = o.parentchainCalls[0];
    assert.ok(publish.kind === 'publish_hash');
    const shieldSigned = decodeOperation(shieldOp);
    assert.ok(shieldSigned.kind === 'indirect_call');
    assert.equal(hex(publish.hash), hex(blake2AsU8a(shieldSigned.signed.encoded, 256)));
    assert.equal(new TextDecoder().decode(publish.data), 'shielded some funds!');

    // Block 2: transfer 2 UNIT to Bob.
    o = await run(s, [transfer(a.alice, a.bob.publicKey, 2n * UNIT, 0)], 2);
    assert.deepEqual(codes(o), ['ok']);
    s = o.state;
    assert.equal(free(s, a.alice), 4n * UNIT - STF_TX_FEE);
    assert.equal(free(s, a.bob), 2n * UNIT);

    // Block 3: unshield 1 UNIT to Ferdie.
    const unshield = signed(
      a.alice,
      { kind: 'balance_unshield', from: a.alice.publicKey, beneficiary: a.ferdie.publicKey, amount: UNIT, shard: SHARD },
      1,
    );
    o = await run(s, [unshield], 3);
    assert.deepEqual(codes(o), ['ok']);
    s = o.state;
    assert.equal(free(s, a.alice), 3n * UNIT - STF_TX_FEE - STF_UNSHIELD_FEE);
    assert.equal(free(s, a.bob), 2n * UNIT);
    const unshieldSigned = decodeOperation(unshield);
    assert.ok(unshieldSigned.kind === 'indirect_call');
    assert.deepEqual(o.parentchainCalls, [
      { kind: 'unshield_funds', shard: SHARD, beneficiary: a.ferdie.publicKey, amount: UNIT, callHash: blake2AsU8a(unshieldSigned.signed.encoded, 256) },
    ]);

    // Blocks 4–6: Bob's nonce 0 → 3, an over-spend that still consumes nonce and fee, then nonce 5.
    assert.equal(nonce(s, a.bob), 0);
    const tenth = UNIT / 5n;
    o = await run(s, [0, 1, 2].map((n) => transfer(a.bob, a.charlie.publicKey, tenth, n)), 4);
    assert.deepEqual(codes(o), ['ok', 'ok', 'ok']);
    s = o.state;
    assert.equal(nonce(s, a.bob), 3);
    o = await run(s, [transfer(a.bob, a.charlie.publicKey, 2n * UNIT, 3)], 5);
    assert.deepEqual(codes(o), ['MissingFunds']);
    assert.equal(o.results[0].executed, true);
    s = o.state;
    assert.equal(nonce(s, a.bob), 4, 'nonce should be increased nonetheless');
    o = await run(s, [transfer(a.bob, a.charlie.publicKey, tenth, 4)], 6);
    assert.deepEqual(codes(o), ['ok']);
    s = o.state;
    assert.equal(nonce(s, a.bob), 5);
    assert.equal(free(s, a.bob), (12n * UNIT) / 10n - 5n * STF_TX_FEE);
    assert.equal(free(s, a.charlie), 4n * tenth);
    // Every fee went to the enclave account: 1 (Alice transfer) + 3 (unshield) + 5 (Bob) × 10^8.
    assert.equal(s.account(a.enclave.publicKey).free, 9n * STF_TX_FEE);
  });

  it('rejects a bad signature without touching the nonce', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const op = transfer(a.alice, a.bob.publicKey, 1n, 0);
    op[op.length - 1] ^= 0xff; // last signature byte
    const o = await run(s0, [op]);
    assert.deepEqual(codes(o), ['BadSignature']);
    assert.equal(o.results[0].executed, false);
    assert.equal(o.state.account(a.alice.publicKey).nonce, 0);
    assert.equal(o.state.changes.length, 0);
    assert.equal(hex(o.state.root()), hex(s0.root()));
  });

  it('skips only the signature check for a preverified operation (nonce and funds still checked)', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const op = transfer(a.alice, a.bob.publicKey, 1n, 0);
    const plain = await run(s0, [op]);
    const preverified = await run(s0, [{ top: op, signatureVerified: true }]);
    assert.deepEqual(codes(preverified), ['ok']);
    assert.deepEqual(preverified.results, plain.results, 'same results as the checked path');
    assert.equal(hex(preverified.state.root()), hex(plain.state.root()), 'same state as the checked path');
    const replay = await run(preverified.state, [{ top: op, signatureVerified: true }]);
    assert.deepEqual(codes(replay), ['InvalidNonce']);
    // The flag is the enclave's word for it: without it the same tampered bytes are refused.
    const tampered = op.slice();
    tampered[tampered.length - 1] ^= 0xff;
    assert.deepEqual(codes(await run(s0, [tampered])), ['BadSignature']);
  });

  it('rejects a signature over another shard or another mrenclave', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const other = new Uint8Array(32).fill(0x22);
    const call = { kind: 'balance_transfer', from: a.alice.publicKey, to: a.bob.publicKey, amount: 1n } as const;
    const o = await run(s0, [signed(a.alice, call, 0, { shard: other }), signed(a.alice, call, 0, { mrenclave: other })]);
    assert.deepEqual(codes(o), ['BadSignature', 'BadSignature']);
    assert.equal(o.state.account(a.alice.publicKey).nonce, 0);
  });

  it('rejects a replayed nonce with InvalidNonce and changes nothing', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const op = transfer(a.alice, a.bob.publicKey, 10n, 0);
    const o = await run(s0, [op, op, transfer(a.alice, a.bob.publicKey, 10n, 5)]);
    assert.deepEqual(codes(o), ['ok', 'InvalidNonce', 'InvalidNonce']);
    assert.match(o.results[1].error?.message ?? '', /nonce 0, expected 1/);
    assert.equal(hex(o.results[1].sender as Uint8Array), hex(a.alice.publicKey));
    assert.equal(o.results[2].nonce, 5);
    assert.equal(o.state.account(a.alice.publicKey).nonce, 1);
    assert.equal(o.state.account(a.bob.publicKey).free, 10n);
  });

  it('allows balance_set_balance only for the sudo account', async () => {
    const set = (pair: Actors['alice'], n: number) =>
      signed(pair, { kind: 'balance_set_balance', root: pair.publicKey, who: a.bob.publicKey, free: 50n, reserved: 7n }, n);
    const o = await run(ShardState.empty(), [set(a.alice, 0), set(a.sudo, 0)]);
    assert.deepEqual(codes(o), ['MissingPrivileges', 'ok']);
    assert.equal(o.state.account(a.alice.publicKey).nonce, 1, 'failed call still consumed the nonce');
    assert.deepEqual(o.state.account(a.bob.publicKey), { free: 50n, reserved: 7n, nonce: 0 });
    const noSudo = await executeTrustedOperations(ShardState.empty(), [set(a.sudo, 0)], ctx(1), { ...a.env, sudoAccount: undefined });
    assert.deepEqual(codes(noSudo), ['MissingPrivileges']);
  });

  it('accepts balance_shield and timestamp_set only from the enclave account', async () => {
    const byAlice = signed(a.alice, { kind: 'balance_shield', enclave: a.alice.publicKey, who: a.alice.publicKey, amount: UNIT, parentchainId: 'Integritee' }, 0);
    const tsByAlice = signed(a.alice, { kind: 'timestamp_set', enclave: a.alice.publicKey, now: 5n, parentchainId: 'Integritee' }, 1);
    const o = await run(ShardState.empty(), [byAlice, tsByAlice]);
    assert.deepEqual(codes(o), ['RequireEnclaveSignerAccount', 'RequireEnclaveSignerAccount']);
    assert.equal(o.state.account(a.alice.publicKey).free, 0n);
    assert.equal(o.state.get(timestampKey()), undefined);
    assert.equal(o.parentchainCalls.length, 0);
  });

  it('checks the enclave nonce of enclave-signed calls', async () => {
    const o = await run(ShardState.empty(), [shield(0, a.alice.publicKey, 1n), shield(0, a.alice.publicKey, 1n), shield(2, a.alice.publicKey, 1n)]);
    assert.deepEqual(codes(o), ['ok', 'InvalidNonce', 'InvalidNonce']);
  });

  it('rejects an unshield for another shard and an unshield over the balance, keeping the fee', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const unshield = (amount: bigint, shard: Uint8Array, n: number) =>
      signed(a.alice, { kind: 'balance_unshield', from: a.alice.publicKey, beneficiary: a.ferdie.publicKey, amount, shard }, n);
    const o = await run(s0, [unshield(1n, new Uint8Array(32).fill(9), 0), unshield(UNIT, SHARD, 1)]);
    assert.deepEqual(codes(o), ['ShardMismatch', 'MissingFunds']);
    assert.deepEqual(o.results.map((r) => r.fee), [0n, STF_UNSHIELD_FEE]);
    assert.equal(o.state.account(a.alice.publicKey).free, UNIT - STF_UNSHIELD_FEE);
    assert.equal(o.parentchainCalls.length, 0);
  });

  it('fails a transfer whose fee cannot be paid without any balance change', async () => {
    const o = await run(ShardState.empty(), [transfer(a.bob, a.charlie.publicKey, 0n, 0)]);
    assert.deepEqual(codes(o), ['MissingFunds']);
    assert.deepEqual(o.state.account(a.bob.publicKey), { free: 0n, reserved: 0n, nonce: 1 });
    assert.equal(o.results[0].fee, 0n);
    const recorded = (key: Uint8Array) => [STORAGE_PREFIX.operationOutcome, STORAGE_PREFIX.outcomesByBlock].some((p) => hex(key).startsWith(hex(p)));
    assert.deepEqual(o.state.changes.filter((c) => !recorded(c.key)).map((c) => hex(c.key)), [hex(accountKey(a.bob.publicKey))], 'only the nonce changed (besides the outcome)');
  });

  it('returns typed errors for malformed bytes and getters, never throws', async () => {
    const good = transfer(a.alice, a.bob.publicKey, 1n, 0);
    const gop = new Uint8Array([2, 0, 0]); // TrustedOperation::get(Getter::public(some_value))
    const ops = [new Uint8Array(), new Uint8Array([7]), good.subarray(0, 40), new Uint8Array([...good, 0]), new Uint8Array([0, 99]), gop];
    const o = await run(ShardState.empty(), ops);
    assert.deepEqual(codes(o), ['MalformedOperation', 'MalformedOperation', 'MalformedOperation', 'MalformedOperation', 'MalformedOperation', 'UnsupportedOperation']);
    assert.equal(hex(o.results[1].topHash), hex(blake2AsU8a(new Uint8Array([7]), 256)));
    assert.equal(o.results[0].sender, undefined);
    assert.equal(o.state.changes.length, 0);
  });

  it('produces identical roots and changes for the same operations (determinism)', async () => {
    const ops = [shield(0, a.alice.publicKey, 5n * UNIT), transfer(a.alice, a.bob.publicKey, UNIT, 0), transfer(a.bob, a.charlie.publicKey, UNIT / 2n, 0)];
    const [x, y] = await Promise.all([run(ShardState.empty(), ops), run(ShardState.empty(), ops)]);
    assert.equal(hex(x.state.root()), hex(y.state.root()));
    assert.deepEqual(x.state.diff(), y.state.diff());
    assert.notEqual(hex(x.state.root()), hex(ShardState.empty().root()));
    // The snapshot round-trips to the same root, and the change set rebuilds the same state.
    assert.equal(hex(ShardState.decode(x.state.encode()).root()), hex(x.state.root()));
    const rebuilt = ShardState.empty().update((tx) => {
      for (const c of x.state.changes) if (c.value) tx.put(c.key, c.value);
    });
    assert.equal(hex(rebuilt.root()), hex(x.state.root()));
    // Order matters: Bob cannot pay before he is paid.
    const z = await run(ShardState.empty(), [ops[0], ops[2], ops[1]]);
    assert.notEqual(hex(z.state.root()), hex(x.state.root()));
  });

  it('accepts direct_call operations and decoded operation objects', async () => {
    const s0 = (await run(ShardState.empty(), [shield(0, a.alice.publicKey, UNIT)])).state;
    const direct = signed(a.alice, { kind: 'noop', who: a.alice.publicKey }, 0, { kind: 'direct_call' });
    const asCodec = { toU8a: () => signed(a.alice, { kind: 'noop', who: a.alice.publicKey }, 1) };
    const o = await run(s0, [direct, asCodec]);
    assert.deepEqual(codes(o), ['ok', 'ok']);
    assert.equal(o.state.account(a.alice.publicKey).nonce, 2);
  });

  it('accepts ed25519 and ecdsa signed user calls (ecdsa account = blake2-256 of the public key)', async () => {
    const ed = new Keyring({ type: 'ed25519' }).addFromUri('//EdUser');
    const ec = new Keyring({ type: 'ecdsa' }).addFromUri('//EcUser');
    const ecAccount = blake2AsU8a(ec.publicKey, 256);
    const o = await run(ShardState.empty(), [
      signed(ed, { kind: 'noop', who: ed.publicKey }, 0),
      signed(ec, { kind: 'noop', who: ecAccount }, 0),
      signed(ec, { kind: 'noop', who: ec.publicKey.subarray(1) }, 0), // the raw key is not the account
    ]);
    assert.deepEqual(codes(o), ['ok', 'ok', 'BadSignature']);
    assert.equal(o.state.account(ecAccount).nonce, 1);
  });

  it('rejects a malformed environment', async () => {
    await assert.rejects(executeTrustedOperations(ShardState.empty(), [], ctx(1), { ...a.env, shard: new Uint8Array(31) }), {
      code: 'InvalidEnvironment',
    });
  });
});
