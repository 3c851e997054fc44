import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';

import { bytesToHex, encodeRequest, rpcError, sealbridgeRegistry, shieldEncrypt, signTrustedCall } from '@sealbridge/chain-types';
import { MAX_SHIELDED_BYTES } from '@sealbridge/enclave-sim';
import { RawClient } from '@sealbridge/enclave-sim/rpc-testing';

import { sendAndWaitInBlock, shieldTx, useStack, UNIT, waitFor, waitForConfirmation, type Stack } from './harness.js';

const MAX_CONNECTIONS = 32;
const FLOOD_CONNECTIONS = 8;
/** The per-connection decryption limit (RpcLimits.maxDecryptsPerConnection): a flooder keeps it full. */
const FLOOD_DEPTH = 16;
const PROBES = 4;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The fuzzing finding behind the decryption limits: padded ciphertexts cost the enclave nothing, a flood of
 * valid-looking submissions from many connections neither delays the chain's invocations (they leave the enclave's
 * decryption queue first) nor the other clients (round-robin), and connections have a ceiling.
 */
describe('decryption amplification and RPC floods', function () {
  this.timeout(180_000);
  const currentStack = useStack({ worker: { maxConnections: MAX_CONNECTIONS } });
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  const ops = (priority: 'import' | 'rpc') => stack.worker.metrics.get('sealbridge_enclave_private_key_ops_total', { priority });
  const submitFrame = (cyphertext: Uint8Array, method = 'author_submitExtrinsic', id = 1): string =>
    JSON.stringify({ jsonrpc: '2.0', method, params: [u8aToHex(encodeRequest(stack.worker.shard, cyphertext))], id });
  /** A direct call signed by someone else than its sender: one valid RSA block that decrypts, then fails the signature check. */
  const forgedCall = (): Uint8Array => {
    const [user, other] = [stack.keyring.addFromUri('//Eve'), stack.keyring.addFromUri('//Ferdie')];
    const signed = signTrustedCall(other, { balance_transfer: [user.publicKey, other.publicKey, 1n] }, 0, stack.worker.mrenclave, stack.worker.shard);
    return shieldEncrypt(stack.shieldingKey, sealbridgeRegistry.createType('TrustedOperation', { direct_call: signed }).toU8a());
  };

  /** The enclave's counters reach the host's metrics with its next batch of metric updates (OCALL metrics). */
  const METRICS_SETTLE_MS = 100;
  const metricReaches = (name: string, labels: Record<string, string>, value: number) =>
    waitFor(async () => stack.worker.metrics.get(name, labels), (n) => n === value, 2_000);

  it('refuses padded ciphertexts on every submit path with zero decryptions: 1,364 × one valid RSA block at the frame limit, 300 × by the cap', async () => {
    const { api, keyring, worker } = stack;
    const block = forgedCall();
    const padded = (copies: number): Uint8Array => u8aConcat(...Array.from({ length: copies }, () => block));
    const rpcBefore = ops('rpc');
    // The fuzzer's 1 MB frame is closed (1009) from its header, before it is read or parsed.
    const fuzzer = await RawClient.connect(worker.rpcUrl!);
    fuzzer.send(submitFrame(padded(1364)));
    assert.equal((await fuzzer.closed).code, 1009);
    await metricReaches('sealbridge_invocations_rejected_total', { reason: 'frame_too_large', source: 'rpc' }, 1);
    const c = await RawClient.connect(worker.rpcUrl!);
    try {
      const refusal = bytesToHex(rpcError(`Error { code: ServerError(1001), message: "Trusted operation has invalid format", data: Some(String("shielded payload over ${MAX_SHIELDED_BYTES} bytes")) }`));
      for (const method of ['author_submitExtrinsic', 'author_submitAndWatchExtrinsic']) {
        const started = performance.now();
        c.send(submitFrame(padded(300), method));
        assert.equal((await c.nextJson()).result, refusal);
        assert.ok(performance.now() - started < 1_000, 'answered at once, not after 300 private-key operations');
      }
    } finally {
      await c.close();
    }
    await metricReaches('sealbridge_invocations_rejected_total', { reason: 'oversized', source: 'rpc' }, 2);
    await sleep(METRICS_SETTLE_MS);
    assert.equal(ops('rpc'), rpcBefore, 'no private-key operation for a padded request');

    // The chain path: padded invoke and shield_funds are skipped undecrypted too.
    const importBefore = ops('import');
    const chainPadded = u8aConcat(...Array.from({ length: 100 }, () => block));
    const alice = keyring.addFromUri('//Alice');
    const invoke = api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(worker.shard, chainPadded)));
    await waitForConfirmation(api, (await sendAndWaitInBlock(api, invoke, alice)).blockHash);
    const shield = api.tx.enclaveBridge.shieldFunds(worker.shard, u8aToHex(chainPadded), UNIT);
    await waitForConfirmation(api, (await sendAndWaitInBlock(api, shield, alice)).blockHash);
    await metricReaches('sealbridge_invocations_rejected_total', { reason: 'oversized' }, 2);
    await sleep(METRICS_SETTLE_MS);
    assert.equal(ops('import'), importBefore);
  });

  it('a flood of submissions from many connections: the chain’s invocations leave the decryption queue first, and a client with one request waiting is served as often as one with sixteen', async () => {
    const { api, keyring, worker, client } = stack;
    const alice = keyring.addFromUri('//Alice');
    /** Shield funds to `n` new incognito accounts in one block; ms from submission until the worker shows every balance. */
    const shieldRound = async (n: number): Promise<number> => {
      const accounts: KeyringPair[] = Array.from({ length: n }, () => keyring.addFromUri(mnemonicGenerate()));
      const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
      const started = performance.now();
      await Promise.all(accounts.map((account, i) => shieldTx(stack, account.publicKey, UNIT).signAndSend(alice, { nonce: nonce + i })));
      for (const account of accounts) {
        while ((await client.getFreeBalance(worker.shard, account)) !== UNIT) await sleep(20);
      }
      return performance.now() - started;
    };
    const idle = [await shieldRound(10), await shieldRound(10)];

    // The largest payload still decrypted (16 copies of one block): sixteen private-key operations for one encryption.
    const block = forgedCall();
    const frame = submitFrame(u8aConcat(...Array.from({ length: MAX_SHIELDED_BYTES / block.length }, () => block)));
    let flooding = true;
    let refused = 0;
    /** Answers per connection while flooding: flooders keep FLOOD_DEPTH requests outstanding, probes one. */
    const answered = { flood: [] as number[], probe: [] as number[] };
    const connect = (count: number) => Promise.all(Array.from({ length: count }, () => RawClient.connect(worker.rpcUrl!)));
    const [floods, probes] = [await connect(FLOOD_CONNECTIONS), await connect(PROBES)];
    // The loops end with their sockets (a closed RawClient never answers again); nothing awaits them.
    const load = (c: RawClient, depth: number, counts: number[]): void => {
      const at = counts.push(0) - 1;
      for (let i = 0; i < depth; i++) c.send(frame);
      void (async () => {
        while (flooding) {
          if ((await c.nextJson()).error) refused++;
          counts[at]!++;
          c.send(frame);
        }
      })();
    };
    floods.forEach((c) => load(c, FLOOD_DEPTH, answered.flood));
    probes.forEach((c) => load(c, 1, answered.probe));
    let rpcWaitingSeen = 0;
    const sampler = setInterval(() => (rpcWaitingSeen = Math.max(rpcWaitingSeen, worker.metrics.get('sealbridge_enclave_decrypt_waiting', { priority: 'rpc' }))), 5);

    const before = { import: ops('import'), rpc: ops('rpc'), ahead: worker.metrics.get('sealbridge_enclave_import_ahead_of_rpc_total') };
    await sleep(500); // the flood at full depth
    const flooded: number[] = [];
    for (let i = 0; i < 3; i++) flooded.push(await shieldRound(10));
    await sleep(Math.max(0, 3_000 - flooded.reduce((a, b) => a + b, 0))); // enough rounds to compare the connections
    const after = { import: ops('import'), rpc: ops('rpc'), ahead: worker.metrics.get('sealbridge_enclave_import_ahead_of_rpc_total') };
    flooding = false;
    clearInterval(sampler);
    await Promise.all([...floods, ...probes].map((c) => c.close()));

    const report = { idleMs: idle.map(Math.round), floodedMs: flooded.map(Math.round), rpcPrivateKeyOps: after.rpc - before.rpc, answered, refused, rpcWaitingSeen,
      importAheadOfRpc: after.ahead - before.ahead };
    assert.ok(after.rpc - before.rpc >= 10 * MAX_SHIELDED_BYTES / block.length, `the flood was decrypted meanwhile: ${JSON.stringify(report)}`);
    assert.equal(after.import - before.import, 30, 'every shield_funds of the flooded rounds was decrypted');
    assert.ok(rpcWaitingSeen > 0, `RPC work was waiting in the enclave's pool: ${JSON.stringify(report)}`);
    assert.ok(after.ahead - before.ahead > 0, `import work left the queue ahead of waiting RPC work: ${JSON.stringify(report)}`);
    assert.equal(refused, 0, 'within the per-connection and total limits nothing is refused');
    // Round-robin: every connection with a request waiting gets one per round, so a probe with one outstanding is
    // answered about as often as a flooder with sixteen (first-come-first-served would give the flooder sixteen times more).
    assert.ok(median(answered.probe) * 3 >= median(answered.flood), `probes are not pushed back by the flooders' backlog: ${JSON.stringify(report)}`);
    // Generous for a loaded 2-core CI machine; the benchmark (bench/src/amplification.ts) measures the ratio.
    assert.ok(median(flooded) < Math.max(4 * median(idle), median(idle) + 2_000), `shield_funds latency under the flood: ${JSON.stringify(report)}`);
  });

  it('refuses connections beyond --max-connections with HTTP 503, counted, and accepts again when one closes', async () => {
    const { worker } = stack;
    const held: RawClient[] = [];
    await sleep(200); // the earlier tests' connections are gone on the server side too
    try {
      // The stack's own client holds one connection.
      for (let i = 1; i < MAX_CONNECTIONS; i++) held.push(await RawClient.connect(worker.rpcUrl!));
      await assert.rejects(RawClient.connect(worker.rpcUrl!), /Unexpected server response: 503/);
      // The enclave's RPC server counts it; the count reaches the host's metrics with the next OCALL metrics batch.
      await waitFor(async () => worker.metrics.get('sealbridge_rpc_connections_refused_total'), (n) => n === 1, 2_000);
      assert.equal((await held[0]!.call('system_name')).result, 'hello, world', 'held connections keep working');
      await held.shift()!.close();
      await sleep(50);
      held.push(await RawClient.connect(worker.rpcUrl!));
      assert.equal((await held[held.length - 1]!.call('system_name')).result, 'hello, world');
    } finally {
      await Promise.all(held.map((c) => c.close()));
    }
  });
});
