import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';

import { encodeRequest, sealbridgeRegistry, shieldEncrypt, signTrustedCall } from '@sealbridge/chain-types';

import { invokeTx, sendAndWaitInBlock, shieldTx, useStack, UNIT, waitFor, waitForConfirmation, type Stack } from './harness.js';

describe('bad input on chain never stops the import', function () {
  this.timeout(180_000);
  const currentStack = useStack();
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  it('counts and logs each kind of bad invocation, and keeps importing and confirming', async () => {
    const { api, keyring, worker, client, shieldingKey } = stack;
    const alice = keyring.addFromUri('//Alice');
    const user = keyring.addFromUri(mnemonicGenerate());
    const other = keyring.addFromUri(mnemonicGenerate());
    const rejected = (reason: string) => worker.metrics.get('sealbridge_invocations_rejected_total', { reason });
    const raw = (shard: Uint8Array, cyphertext: Uint8Array) => api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(shard, cyphertext)));
    const topFor = (signer: typeof user, call: object, nonce: number) =>
      sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signTrustedCall(signer, call, nonce, worker.mrenclave, worker.shard) }).toU8a();
    const submit = async (tx: ReturnType<typeof raw>) => waitForConfirmation(api, (await sendAndWaitInBlock(api, tx, alice)).blockHash);

    await submit(shieldTx(stack, user.publicKey, 2n * UNIT));
    await waitFor(() => client.getFreeBalance(worker.shard, user), (v) => v === 2n * UNIT);

    await submit(raw(worker.shard, randomBytes(384)));
    await submit(raw(worker.shard, randomBytes(500)));
    assert.equal(rejected('undecryptable'), 2, 'garbage and non-multiple-of-384 cyphertexts');

    await submit(raw(randomBytes(32), shieldEncrypt(shieldingKey, topFor(user, { noop: user.publicKey }, 0))));
    assert.equal(rejected('unknown_shard'), 1);

    await submit(raw(worker.shard, randomBytes(384 * 20)));
    assert.equal(rejected('oversized'), 1);

    await submit(raw(worker.shard, shieldEncrypt(shieldingKey, new Uint8Array([9, 9, 9]))));
    assert.equal(rejected('MalformedOperation'), 1, 'decrypts, but is no TrustedOperation');

    // Signed by someone else than the sender named in the call.
    const forged = sealbridgeRegistry.createType('TrustedOperation', {
      indirect_call: signTrustedCall(other, { balance_transfer: [user.publicKey, other.publicKey, UNIT] }, 0, worker.mrenclave, worker.shard),
    }).toU8a();
    await submit(raw(worker.shard, shieldEncrypt(shieldingKey, forged)));
    assert.equal(rejected('BadSignature'), 1);

    const transfer = topFor(user, { balance_transfer: [user.publicKey, other.publicKey, UNIT / 2n] }, 0);
    await submit(raw(worker.shard, shieldEncrypt(shieldingKey, transfer)));
    await submit(raw(worker.shard, shieldEncrypt(shieldingKey, transfer)));
    assert.equal(rejected('InvalidNonce'), 1, 'the replayed call');

    await submit(invokeTx(stack, user, { balance_transfer: [user.publicKey, other.publicKey, 10n * UNIT] }, 1));
    assert.equal(rejected('MissingFunds'), 1, 'over-spend');
    assert.equal(await client.getNonce(worker.shard, user), 2, 'the over-spend still consumed its nonce');

    // Still importing: a good call after all of that goes through.
    await submit(invokeTx(stack, user, { balance_transfer: [user.publicKey, other.publicKey, UNIT / 2n] }, 2));
    assert.equal(await client.getFreeBalance(worker.shard, other), UNIT);
    assert.equal(worker.metrics.get('sealbridge_import_errors_total'), 0);
  });
});
