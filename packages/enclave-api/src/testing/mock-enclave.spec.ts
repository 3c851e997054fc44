import assert from 'node:assert/strict';

import { bytesEqual, topHash } from '@sealbridge/chain-types';

import { BoundaryError } from '../errors.js';
import type { InitArgs, RawBlock } from '../ecalls.js';
import { connectedPair, MOCK_ENCLAVE_INFO, MockEnclave } from './index.js';

const h = (byte: number) => new Uint8Array(32).fill(byte);
const initArgs: InitArgs = {
  sealedDir: '/tmp/sealed', platformSecretPath: undefined, shard: undefined, genesisHash: h(1),
  runtime: { metadata: new Uint8Array([1]), specVersion: 1, transactionVersion: 1 }, ss58Prefix: 42, development: false,
  nextNonce: 5, rpc: undefined, runner: undefined, smartWorkerFetchAllow: [], decryptThreads: 1, logLevel: 'info',
};
const block = (n: number): RawBlock => ({ number: n, hash: h(n), parentHash: h(n - 1), extrinsics: [], events: undefined, committed: Math.max(0, n - 1) });

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<BoundaryError> {
  const error = await promise.then(() => assert.fail(`resolved, expected ${code}`), (e: unknown) => e);
  assert.ok(error instanceof BoundaryError, String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

describe('enclave-api testing: MockEnclave', () => {
  it('answers like the enclave: init first, blocks in order, one signed confirm per block with the next nonce', async () => {
    const mock = new MockEnclave();
    await rejectsWith(mock.import_block(block(1)), 'NOT_INITIALIZED');
    const info = await mock.init(initArgs);
    assert.deepStrictEqual(info.shard, MOCK_ENCLAVE_INFO.mrenclave);
    await rejectsWith(mock.init(initArgs), 'ALREADY_INITIALIZED');
    const nonces: number[] = [];
    for (const n of [1, 2, 3]) {
      const result = await mock.import_block(block(n));
      assert.equal(result.extrinsics.length, 1);
      const [confirm] = result.extrinsics;
      assert.equal(confirm!.kind, 'confirm');
      assert.ok(bytesEqual(confirm!.hash, topHash(confirm!.bytes)));
      nonces.push(confirm!.nonce);
    }
    assert.deepEqual(nonces, [5, 6, 7], 'from init’s nextNonce on');
    const mismatch = await rejectsWith(mock.import_block(block(5)), 'CHAIN_MISMATCH');
    assert.deepEqual(mismatch.details, { expected: 4, got: 5 });
    assert.equal((await mock.register({ url: undefined, nextNonce: 100 })).extrinsic.nonce, 100);
    assert.deepEqual(mock.calls.map((c) => [c.name, c.outcome]), [
      ['import_block', 'NOT_INITIALIZED'], ['init', 'ok'], ['init', 'ALREADY_INITIALIZED'],
      ['import_block', 'ok'], ['import_block', 'ok'], ['import_block', 'ok'], ['import_block', 'CHAIN_MISMATCH'], ['register', 'ok'],
    ]);
    assert.equal(mock.callsOf('import_block')[1]!.arg.number, 1);
  });

  it('takes answers per ECALL, fails calls with a given code, and dies', async () => {
    const mock = new MockEnclave({ answers: { console_status: () => ({ smartWorkers: [{ id: 'w1' }] }) } });
    await mock.init(initArgs);
    assert.deepEqual(await mock.console_status(undefined), { smartWorkers: [{ id: 'w1' }] });
    mock.fail('import_block', 'BLOCK_UNDECODABLE', { details: { extrinsic: 2 }, times: 2 });
    assert.deepEqual((await rejectsWith(mock.import_block(block(1)), 'BLOCK_UNDECODABLE')).details, { extrinsic: 2 });
    await rejectsWith(mock.import_block(block(1)), 'BLOCK_UNDECODABLE');
    assert.equal((await mock.import_block(block(1))).extrinsics[0]!.nonce, 5);
    let release!: () => void;
    mock.answer('set_runtime', () => new Promise<void>((resolve) => (release = resolve)));
    const hanging = mock.set_runtime(initArgs.runtime);
    mock.die();
    await rejectsWith(hanging, 'ENCLAVE_CLOSED');
    await rejectsWith(mock.console_status(undefined), 'ENCLAVE_CLOSED');
    assert.equal(await mock.died, 'died');
    release();
  });

  it('served through the real Channel by connectedPair: codecs, error codes, and death as a closed channel', async () => {
    const mock = new MockEnclave();
    const pair = connectedPair({ ecalls: mock, chunkBytes: 7, ocalls: { sealed_get: (key) => new TextEncoder().encode(key) } });
    const info = await pair.ecalls.init({ ...initArgs, shard: h(9) });
    assert.deepStrictEqual(info.shard, h(9));
    assert.equal((await pair.ecalls.import_block(block(1))).extrinsics[0]!.nonce, 5);
    mock.fail('import_block', 'CHAIN_MISMATCH', { message: 'reorg', details: { at: 2 } });
    const error = await rejectsWith(pair.ecalls.import_block(block(2)), 'CHAIN_MISMATCH');
    assert.deepEqual([error.message, error.details], ['reorg', { at: 2 }]);
    // The other direction: the enclave end's OCALL client against the host's handlers.
    assert.deepStrictEqual(await pair.ocalls.sealed_get('abc'), new TextEncoder().encode('abc'));
    await rejectsWith(pair.ocalls.sync_status(undefined), 'INTERNAL');
    mock.answer('import_block', () => new Promise(() => undefined));
    const hanging = pair.ecalls.import_block(block(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    mock.die();
    await rejectsWith(hanging, 'ENCLAVE_CLOSED');
    await pair.host.closed;
    await rejectsWith(pair.ecalls.console_status(undefined), 'ENCLAVE_CLOSED');
    assert.deepEqual(pair.protocolErrors, { host: [], enclave: [] });
  });

  it('shutdown replies, then the enclave end closes', async () => {
    const mock = new MockEnclave();
    const pair = connectedPair({ ecalls: mock });
    await pair.ecalls.init(initArgs);
    await pair.ecalls.shutdown(undefined);
    await pair.host.closed;
    assert.equal(await mock.died, 'shutdown');
    await rejectsWith(pair.ecalls.console_status(undefined), 'ENCLAVE_CLOSED');
  });
});
