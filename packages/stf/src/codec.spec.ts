import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { sealbridgeRegistry, signTrustedCall } from '@sealbridge/chain-types';

import { decodeOperation, encodeCall, encodeCallOperation, type Call } from './codec.js';
import { enclaveSignedCall } from './signing.js';
import { actors, callValue, MRENCLAVE, SHARD } from './test/fixtures.js';

const account = () => new Uint8Array(randomBytes(32));
const amount = () => BigInt(`0x${randomBytes(16).toString('hex')}`);

/** One call of every variant with random fields, edge values included. */
function calls(): Call[] {
  return [
    { kind: 'noop', who: account() },
    { kind: 'balance_set_balance', root: account(), who: account(), free: amount(), reserved: 0n },
    { kind: 'balance_transfer', from: account(), to: account(), amount: 2n ** 128n - 1n },
    { kind: 'balance_unshield', from: account(), beneficiary: account(), amount: amount(), shard: account() },
    { kind: 'balance_shield', enclave: account(), who: account(), amount: amount(), parentchainId: 'TargetB' },
    { kind: 'timestamp_set', enclave: account(), now: 2n ** 64n - 1n, parentchainId: 'Integritee' },
    { kind: 'smart_worker_call', sender: account(), worker: account(), input: new Uint8Array(randomBytes(70)) },
    { kind: 'smart_worker_call', sender: account(), worker: account(), input: new Uint8Array(0) },
  ];
}

describe('encodeCall / enclaveSignedCall', () => {
  it('encodes every call variant as the registry codec does, and decodes back to the same value', async () => {
    const { alice } = await actors();
    for (let round = 0; round < 20; round++) {
      for (const call of calls()) {
        assert.deepEqual(encodeCall(call), sealbridgeRegistry.createType('TrustedCall', callValue(call)).toU8a(), call.kind);
        const op = decodeOperation(encodeCallOperation('indirect_call', signTrustedCall(alice, encodeCall(call), 3, MRENCLAVE, SHARD)));
        assert.ok(op.kind === 'indirect_call');
        assert.deepEqual(op.signed.call, call);
      }
    }
  });

  it('signs enclave calls exactly as chain-types signTrustedCall does (ed25519 is deterministic)', async () => {
    const { enclave } = await actors();
    for (const call of calls()) {
      const expected = encodeCallOperation('indirect_call', signTrustedCall(enclave, callValue(call), 7, MRENCLAVE, SHARD));
      assert.deepEqual(enclaveSignedCall(call, 7, (m) => enclave.sign(m), MRENCLAVE, SHARD), expected, call.kind);
    }
    assert.throws(() => enclaveSignedCall(calls()[0]!, 0, () => new Uint8Array(65), MRENCLAVE, SHARD), RangeError);
  });
});
