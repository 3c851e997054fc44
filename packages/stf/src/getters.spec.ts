import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { sealbridgeRegistry } from '@sealbridge/chain-types';
import { executeGetter } from './getters.js';
import { ShardState } from './state.js';
import { actors, getter, u128, u32, type Actors } from './test/fixtures.js';

describe('executeGetter', () => {
  let a: Actors;
  let state: ShardState;
  before(async () => {
    a = await actors();
    state = ShardState.empty().update((tx) => {
      tx.putAccount(a.alice.publicKey, { free: 123n, reserved: 4n, nonce: 7 });
    });
  });

  it('answers free_balance, reserved_balance and nonce as SCALE u128/u32 for the signed owner', () => {
    const who = a.alice.publicKey;
    assert.equal(u128(executeGetter(state, getter(a.alice, { kind: 'free_balance', who }))), 123n);
    assert.equal(u128(executeGetter(state, getter(a.alice, { kind: 'reserved_balance', who }))), 4n);
    assert.equal(u32(executeGetter(state, getter(a.alice, { kind: 'nonce', who }))), 7);
    // Unknown accounts read as zero, like frame_system's default AccountInfo.
    assert.equal(u128(executeGetter(state, getter(a.bob, { kind: 'free_balance', who: a.bob.publicKey }))), 0n);
  });

  it('refuses trusted getters signed by someone else or with a broken signature', () => {
    const g = { kind: 'free_balance', who: a.alice.publicKey } as const;
    assert.throws(() => executeGetter(state, getter(a.bob, g)), { code: 'GetterIsNotAuthorized' });
    const bytes = getter(a.alice, g);
    bytes[bytes.length - 3] ^= 1;
    assert.throws(() => executeGetter(state, bytes), { code: 'GetterIsNotAuthorized' });
    const tg = sealbridgeRegistry.createType('TrustedGetter', { free_balance: a.alice.publicKey });
    const wrongScheme = sealbridgeRegistry
      .createType('Getter', { trusted: { getter: tg, signature: { Ed25519: a.alice.sign(tg.toU8a()) } } })
      .toU8a();
    assert.throws(() => executeGetter(state, wrongScheme), { code: 'GetterIsNotAuthorized' });
  });

  it('answers the public some_value getter with 42u32', () => {
    assert.equal(u8aToHex(executeGetter(state, new Uint8Array([0, 0]))), '0x2a000000');
  });

  it('answers env names from the worker (not the state) and returns null for a missing smart worker result', () => {
    const worker = new Uint8Array(32).fill(5);
    const envNames = (who: Uint8Array, scope: Uint8Array) => (u8aToHex(who) === u8aToHex(a.alice.publicKey) && scope[0] === 5 ? ['API_KEY', 'DB_URL'] : []);
    const query = (scope: Uint8Array) => getter(a.alice, { kind: 'env_names', who: a.alice.publicKey, worker: scope });
    assert.equal(u8aToHex(executeGetter(state, query(worker), { envNames })), '0x081c4150495f4b45591844425f55524c'); // Vec<Text> ["API_KEY","DB_URL"]
    assert.equal(u8aToHex(executeGetter(state, query(new Uint8Array(32)), { envNames })), '0x00');
    assert.throws(() => executeGetter(state, query(worker)), { code: 'UnsupportedOperation' });
    const missing = executeGetter(state, getter(a.alice, { kind: 'smart_worker_result', who: a.alice.publicKey, callHash: new Uint8Array(32) }));
    assert.equal(missing, null);
  });

  it('rejects malformed getter bytes with a typed error', () => {
    for (const bad of [new Uint8Array(), new Uint8Array([0, 1]), new Uint8Array([1, 0, 1, 2]), new Uint8Array([0, 0, 0])]) {
      assert.throws(() => executeGetter(state, bad), { code: 'MalformedOperation' });
    }
  });
});
