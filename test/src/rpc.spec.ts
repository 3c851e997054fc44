import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';

import { u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';

import { decodeRpcReturnValue, encodeRequest, sealbridgeRegistry, signTrustedCall, signTrustedGetter, topHash } from '@sealbridge/chain-types';

import { sendAndWaitInBlock, shieldTx, useStack, UNIT, waitFor, waitForConfirmation, type Stack } from './harness.js';

/** The encointer JS client's way: key JSON (little-endian) → JWK (big-endian base64url) → WebCrypto RSA-OAEP/SHA-256. */
async function importLikeTheJsClient(json: string): Promise<webcrypto.CryptoKey> {
  const { n, e } = JSON.parse(json) as { n: number[]; e: number[] };
  const b64 = (le: number[]) => Buffer.from(Uint8Array.from(le).reverse()).toString('base64url');
  return webcrypto.subtle.importKey('jwk', { kty: 'RSA', n: b64(n), e: b64(e), alg: 'RSA-OAEP-256', ext: true }, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
}

describe('worker JSON-RPC against a running worker on the dev chain', function () {
  this.timeout(180_000);
  const currentStack = useStack();
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  it('serves fingerprint, shard and the double-wrapped shielding key', async () => {
    const { client, worker } = stack;
    assert.deepEqual(await client.getFingerprint(), worker.mrenclave);
    assert.deepEqual(await client.getShard(), worker.shard);
    const raw = decodeRpcReturnValue(Uint8Array.from(Buffer.from(String(await client.request('author_getShieldingKey', [])).slice(2), 'hex')));
    // What the JS client does: the whole value as a string, minus the two compact-prefix characters.
    const asText = Buffer.from(raw.value).toString('latin1');
    assert.deepEqual(JSON.parse(asText.substring(2)), JSON.parse(await client.getShieldingKeyJson()));
    // Each answered request is timed, by method (a histogram's `get` is its number of observations).
    assert.ok(worker.metrics.get('sealbridge_rpc_request_duration_seconds', { method: 'author_getShieldingKey' }) >= 2);
    assert.ok(worker.metrics.get('sealbridge_rpc_request_duration_seconds', { method: 'author_getFingerprint' }) >= 1);
  });

  it('relays a direct call submitted with WebCrypto encryption and reports Submitted → Ready → InSidechainBlock', async () => {
    const { api, client, keyring, worker } = stack;
    const user = keyring.addFromUri(mnemonicGenerate());
    const friend = keyring.addFromUri(mnemonicGenerate());
    const included = await sendAndWaitInBlock(api, shieldTx(stack, user.publicKey, 2n * UNIT), keyring.addFromUri('//Alice'));
    await waitForConfirmation(api, included.blockHash);
    await waitFor(() => client.getFreeBalance(worker.shard, user), (v) => v === 2n * UNIT);
    // One signed getter resent like a polling client: a cached answer must not outlive the state it was read from.
    const resentGetter = u8aToHex(encodeRequest(worker.shard, sealbridgeRegistry.createType('Getter', {
      trusted: signTrustedGetter(friend, { free_balance: friend.publicKey }),
    }).toU8a()));
    const resentAnswer = async (): Promise<string> =>
      u8aToHex(decodeRpcReturnValue(Uint8Array.from(Buffer.from(String(await client.request('state_executeGetter', [resentGetter])).slice(2), 'hex'))).value);
    const zero = `0x0140${'00'.repeat(16)}`;
    assert.equal(await resentAnswer(), zero);
    assert.equal(await resentAnswer(), zero);

    const top = sealbridgeRegistry.createType('TrustedOperation', {
      direct_call: signTrustedCall(user, { balance_transfer: [user.publicKey, friend.publicKey, UNIT] }, 0, worker.mrenclave, worker.shard),
    }).toU8a();
    const key = await importLikeTheJsClient(await client.getShieldingKeyJson());
    const cyphertext = new Uint8Array(await webcrypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, top));
    const response = await client.request('author_submitAndWatchExtrinsic', [u8aToHex(encodeRequest(worker.shard, cyphertext))]);
    const first = decodeRpcReturnValue(Uint8Array.from(Buffer.from(String(response).slice(2), 'hex')));
    assert.deepEqual(first.value, topHash(top));
    assert.equal(first.doWatch, true);

    const statuses: string[] = [];
    for await (const update of client.watch(worker.shard, sealbridgeRegistry.createType('TrustedOperation', {
      direct_call: signTrustedCall(user, { balance_transfer: [user.publicKey, friend.publicKey, UNIT / 2n] }, 1, worker.mrenclave, worker.shard),
    }).toU8a())) {
      statuses.push(update.status);
      if (update.final) break;
    }
    assert.deepEqual(statuses, ['Submitted', 'Ready', 'InSidechainBlock']);
    assert.equal(await waitFor(() => client.getFreeBalance(worker.shard, friend), (v) => v === UNIT + UNIT / 2n), UNIT + UNIT / 2n);
    assert.equal(await client.getNonce(worker.shard, user), 2);
    const u128le = Buffer.alloc(16);
    u128le.writeBigUInt64LE((UNIT + UNIT / 2n) & 0xffff_ffff_ffff_ffffn, 0);
    u128le.writeBigUInt64LE((UNIT + UNIT / 2n) >> 64n, 8);
    assert.equal(await resentAnswer(), `0x0140${u128le.toString('hex')}`);
  });

  it('refuses undecryptable submissions, unknown shards and getters not signed by the account owner', async () => {
    const { client, keyring, worker } = stack;
    const answer = async (method: string, param: Uint8Array) =>
      decodeRpcReturnValue(Uint8Array.from(Buffer.from(String(await client.request(method, [u8aToHex(param)])).slice(2), 'hex')));
    const garbage = await answer('author_submitAndWatchExtrinsic', encodeRequest(worker.shard, new Uint8Array(384).fill(1)));
    assert.equal(garbage.status.kind, 'Error');
    assert.match(String(garbage.errorMessage), /could not be deciphered/);

    const owner = keyring.addFromUri(mnemonicGenerate());
    const stranger = keyring.addFromUri(mnemonicGenerate());
    const getter = (signer: typeof owner) => sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(signer, { free_balance: owner.publicKey }) }).toU8a();
    const refused = await answer('state_executeGetter', encodeRequest(worker.shard, getter(stranger)));
    assert.match(String(refused.errorMessage), /GetterIsNotAuthorized/);
    const unknownShard = await answer('state_executeGetter', encodeRequest(new Uint8Array(32).fill(3), getter(owner)));
    assert.match(String(unknownShard.errorMessage), /Shard does not exist/);
    assert.equal(refused.status.kind, 'Error');
  });
});
