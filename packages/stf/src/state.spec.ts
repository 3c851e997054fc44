import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { EMPTY_TRIE_ROOT, trieRoot } from '@sealbridge/trie';
import { accountKey, decodeAccount, encodeAccount, ShardState } from './state.js';

const who = (n: number) => new Uint8Array(32).fill(n);
const hex = (b: Uint8Array) => u8aToHex(b);

describe('ShardState', () => {
  it('is immutable: a transaction never changes its base', () => {
    const s0 = ShardState.empty().update((tx) => tx.putAccount(who(1), { free: 10n, reserved: 0n, nonce: 1 }));
    const root0 = hex(s0.root());
    const tx = s0.transaction();
    tx.putAccount(who(1), { free: 99n, reserved: 0n, nonce: 2 });
    assert.equal(tx.account(who(1)).free, 99n);
    assert.equal(s0.account(who(1)).free, 10n);
    const s1 = tx.commit();
    assert.equal(s1.account(who(1)).free, 99n);
    assert.equal(hex(s0.root()), root0);
    assert.notEqual(hex(s1.root()), root0);
  });

  it('records exactly the changed keys, sorted, dropping no-op writes and deleting empty accounts', () => {
    const s0 = ShardState.empty().update((tx) => {
      tx.putAccount(who(1), { free: 10n, reserved: 0n, nonce: 0 });
      tx.putAccount(who(2), { free: 5n, reserved: 0n, nonce: 0 });
    });
    assert.equal(s0.changes.length, 2);
    const s1 = s0.update((tx) => {
      tx.putAccount(who(1), { free: 10n, reserved: 0n, nonce: 0 }); // unchanged
      tx.putAccount(who(2), { free: 0n, reserved: 0n, nonce: 0 }); // emptied → deleted
      tx.putAccount(who(3), { free: 1n, reserved: 0n, nonce: 0 });
    });
    const changes = s1.diff().map((c) => [hex(c.key), c.value && hex(c.value)]);
    const expected = [
      [hex(accountKey(who(2))), null],
      [hex(accountKey(who(3))), hex(encodeAccount({ free: 1n, reserved: 0n, nonce: 0 }))],
    ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1));
    assert.deepEqual(changes, expected);
    assert.equal(s1.size, 2);
    assert.equal(s1.get(accountKey(who(2))), undefined);
    assert.equal(s1.update(() => undefined).changes.length, 0);
  });

  it('has a root independent of insertion order and round-trips its snapshot', () => {
    const a = ShardState.empty().update((tx) => [1, 2, 3].forEach((n) => tx.putAccount(who(n), { free: BigInt(n), reserved: 0n, nonce: n })));
    const b = ShardState.empty().update((tx) => [3, 1, 2].forEach((n) => tx.putAccount(who(n), { free: BigInt(n), reserved: 0n, nonce: n })));
    assert.equal(hex(a.root()), hex(b.root()));
    // The incremental root equals the one-shot Substrate trie root of the same entries.
    assert.equal(hex(a.root()), hex(trieRoot(a.entries())));
    assert.equal(hex(ShardState.empty().root()), hex(EMPTY_TRIE_ROOT));
    assert.equal(a.entries(accountKey(who(2))).length, 1);
    const restored = ShardState.decode(a.encode());
    assert.equal(hex(restored.root()), hex(a.root()));
    assert.deepEqual(restored.account(who(2)), { free: 2n, reserved: 0n, nonce: 2 });
    assert.deepEqual(ShardState.fromEntries(a.entries()).entries(), a.entries());
  });

  it('rejects malformed snapshots and values with typed errors', () => {
    const good = ShardState.empty().update((tx) => tx.putAccount(who(1), { free: 1n, reserved: 0n, nonce: 0 })).encode();
    assert.throws(() => ShardState.decode(good.subarray(0, good.length - 1)), { code: 'MalformedState' });
    assert.throws(() => ShardState.decode(new Uint8Array([...good, 0])), { code: 'MalformedState' });
    assert.throws(() => decodeAccount(new Uint8Array(3)), { code: 'MalformedState' });
    assert.throws(() => encodeAccount({ free: -1n, reserved: 0n, nonce: 0 }), { code: 'Overflow' });
    assert.throws(() => accountKey(new Uint8Array(31)), { code: 'InvalidEnvironment' });
  });

  it('encodes accounts as nonce u32 ‖ free u128 ‖ reserved u128', () => {
    const v = encodeAccount({ nonce: 1, free: 2n, reserved: 3n });
    assert.equal(hex(v), '0x01000000' + '02' + '00'.repeat(15) + '03' + '00'.repeat(15));
  });
});
