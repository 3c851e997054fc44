import assert from 'node:assert/strict';

import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, mnemonicGenerate } from '@polkadot/util-crypto';

import { encodeRequest, sealbridgeRegistry, shieldEncrypt, signTrustedCall, signTrustedGetter } from '@sealbridge/chain-types';
import { decodeSmartWorkerResult } from '@sealbridge/stf';

import { sendAndWaitInBlock, useStack, waitForConfirmation, type Stack } from './harness.js';

const ECHO_WORKER = `
export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/invoke') {
      const input = new TextDecoder().decode(await request.arrayBuffer());
      return new Response('echo ' + input + ' @' + request.headers.get('x-sealbridge-block-number'));
    }
    return new Response('ok');
  },
  async scheduled() {},
};`;
const LOOPING_WORKER = `export default { async fetch() { for (;;) {} }, async scheduled() {} };`;
const THROWING_WORKER = `export default { async fetch() { throw new Error('boom'); }, async scheduled() {} };`;

describe('Smart Workers driven by indirect invocations', function () {
  this.timeout(180_000);
  const currentStack = useStack();
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  async function deploy(name: string, code: string): Promise<Uint8Array> {
    const response = await fetch(`${stack.worker.runnerUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, type: 'module', name, shard: u8aToHex(stack.worker.shard) }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const { id } = (await response.json()) as { id: string };
    const info = (await (await fetch(`${stack.worker.runnerUrl}/workers/${id}`)).json()) as { identity: string };
    return Uint8Array.from(Buffer.from(info.identity.replace(/^0x/, ''), 'hex'));
  }

  /** Sends `smart_worker_call` through EnclaveBridge.invoke and reads the result with the signed getter. */
  async function call(worker: Uint8Array, input: string) {
    const { api, keyring, client } = stack;
    const sender = keyring.addFromUri(mnemonicGenerate());
    const signed = signTrustedCall(sender, { smart_worker_call: [sender.publicKey, worker, u8aToHex(new TextEncoder().encode(input))] }, 0, stack.worker.mrenclave, stack.worker.shard);
    const top = sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signed }).toU8a();
    const tx = api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(stack.worker.shard, shieldEncrypt(stack.shieldingKey, top))));
    const included = await sendAndWaitInBlock(api, tx, keyring.addFromUri('//Alice'));
    await waitForConfirmation(api, included.blockHash, 60_000);
    const getter = (who: typeof sender) => signTrustedGetter(who, { smart_worker_result: [sender.publicKey, blake2AsU8a(signed)] });
    const bytes = await client.executeGetter(stack.worker.shard, sealbridgeRegistry.createType('Getter', { trusted: getter(sender) }).toU8a());
    assert.ok(bytes, 'a result is stored for the sender');
    const stranger = keyring.addFromUri(mnemonicGenerate());
    await assert.rejects(
      client.executeGetter(stack.worker.shard, sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(stranger, { smart_worker_result: [sender.publicKey, blake2AsU8a(signed)] }) }).toU8a()),
      /GetterIsNotAuthorized/,
      'only the sender can read the result',
    );
    return { outcome: decodeSmartWorkerResult(bytes!), block: included.blockNumber };
  }

  it('runs the worker bound to the shard and only the sender reads the result', async () => {
    const echo = await deploy('echo', ECHO_WORKER);
    const { outcome, block } = await call(echo, 'hi');
    assert.deepEqual(outcome.ok && new TextDecoder().decode(outcome.output), `echo hi @${block}`);
  });

  it('a worker that loops forever or throws fails its call without stopping the import', async () => {
    const looping = await deploy('looping', LOOPING_WORKER);
    const throwing = await deploy('throwing', THROWING_WORKER);
    const loop = await call(looping, 'x');
    assert.equal(loop.outcome.ok, false);
    const thrown = await call(throwing, 'y');
    assert.equal(thrown.outcome.ok, false);
    const unknown = await call(new Uint8Array(32).fill(7), 'z');
    assert.deepEqual(!unknown.outcome.ok && unknown.outcome.error.code, 'UnknownSmartWorker');
  });
});
