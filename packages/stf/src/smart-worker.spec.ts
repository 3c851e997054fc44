import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { decodeOperation } from './codec.js';
import { executeTrustedOperations } from './execute.js';
import { executeGetter } from './getters.js';
import { decodeSmartWorkerResult, type SmartWorkerDispatcher, type SmartWorkerInvocation } from './smart-worker.js';
import { ShardState } from './state.js';
import { actors, ctx, getter, signed, type Actors } from './test/fixtures.js';

describe('smart_worker_call', () => {
  let a: Actors;
  before(async () => {
    a = await actors();
  });
  const worker = new Uint8Array(32).fill(0xaa);
  const call = (n: number, input = new Uint8Array([1, 2, 3])) =>
    signed(a.alice, { kind: 'smart_worker_call', sender: a.alice.publicKey, worker, input }, n);
  const callHashOf = (op: Uint8Array) => {
    const d = decodeOperation(op);
    assert.ok(d.kind !== 'get');
    return blake2AsU8a(d.signed.encoded, 256);
  };
  const result = (s: ShardState, callHash: Uint8Array) =>
    executeGetter(s, getter(a.alice, { kind: 'smart_worker_result', who: a.alice.publicKey, callHash }));

  it('invokes the dispatcher with a deterministic context and stores the output for the getter', async () => {
    const seen: SmartWorkerInvocation[] = [];
    const dispatcher: SmartWorkerDispatcher = {
      invoke: async (inv) => {
        seen.push(inv);
        return { ok: true, output: new Uint8Array([...inv.input].reverse()) };
      },
    };
    const op = call(0);
    const o = await executeTrustedOperations(ShardState.empty(), [op], ctx(7), { ...a.env, smartWorkers: dispatcher });
    assert.equal(o.results[0].ok, true);
    assert.equal(seen.length, 1);
    assert.equal(u8aToHex(seen[0].callHash), u8aToHex(callHashOf(op)));
    assert.equal(seen[0].ctx.blockNumber, 7);
    assert.equal(u8aToHex(seen[0].sender), u8aToHex(a.alice.publicKey));
    assert.ok(Object.isFrozen(seen[0].ctx));
    const stored = result(o.state, callHashOf(op));
    assert.deepEqual(decodeSmartWorkerResult(stored as Uint8Array), { ok: true, output: new Uint8Array([3, 2, 1]) });
  });

  it('stores a failed result when the dispatcher throws, reports failure, keeps the nonce bump', async () => {
    const dispatcher: SmartWorkerDispatcher = {
      invoke: async () => {
        throw Object.assign(new Error('took too long'), { code: 'SmartWorkerTimeout' });
      },
    };
    const op = call(0);
    const o = await executeTrustedOperations(ShardState.empty(), [op], ctx(1), { ...a.env, smartWorkers: dispatcher });
    assert.equal(o.results[0].error?.code, 'SmartWorkerFailed');
    assert.equal(o.state.account(a.alice.publicKey).nonce, 1);
    assert.deepEqual(decodeSmartWorkerResult(result(o.state, callHashOf(op)) as Uint8Array), {
      ok: false,
      error: { code: 'SmartWorkerTimeout', message: 'took too long' },
    });
  });

  it('stores a failed result when no dispatcher is configured or it returns garbage', async () => {
    const garbage = { invoke: async () => 42 } as unknown as SmartWorkerDispatcher;
    const ops = [call(0), call(1)];
    const o1 = await executeTrustedOperations(ShardState.empty(), [ops[0]], ctx(1), a.env);
    const o2 = await executeTrustedOperations(o1.state, [ops[1]], ctx(2), { ...a.env, smartWorkers: garbage });
    assert.equal(decodeSmartWorkerResult(result(o1.state, callHashOf(ops[0])) as Uint8Array).ok, false);
    const r2 = decodeSmartWorkerResult(result(o2.state, callHashOf(ops[1])) as Uint8Array);
    assert.ok(!r2.ok && r2.error.code === 'InvalidSmartWorkerOutcome');
  });
});
