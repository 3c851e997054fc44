import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connectWorker, type WorkerClient } from '@sealbridge/client';
import {
  cryptoReady,
  encodeRequest,
  sealbridgeRegistry,
  shieldEncrypt,
  shieldingKeyFromJson,
  signTrustedCall,
} from '@sealbridge/chain-types';
import { startDevChain, type DevChain } from '@sealbridge/dev-chain';
import { createLogger, silentLogger, startWorker, type LogLevel, type StartWorkerOptions, type WorkerHandle } from '@sealbridge/worker';
import type { KeyObject } from 'node:crypto';

export const UNIT = 10n ** 12n;

/** `SEALBRIDGE_TEST_LOG=debug npm test` shows the worker's logs while a test runs. */
const testLogLevel = process.env.SEALBRIDGE_TEST_LOG as LogLevel | undefined;
export const testLogger = testLogLevel ? createLogger({ level: testLogLevel, format: 'pretty' }) : silentLogger;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sealbridge-${prefix}-`));
}

export interface Stack {
  chain: DevChain;
  worker: WorkerHandle;
  api: ApiPromise;
  client: WorkerClient;
  shieldingKey: KeyObject;
  dataDir: string;
  keyring: Keyring;
  stop(): Promise<void>;
}

/** The embedded dev chain, an in-process worker, an `@polkadot/api` connection and a worker RPC client, all on loopback. */
export async function startStack(options: { dataDir?: string; worker?: Partial<StartWorkerOptions> } = {}): Promise<Stack> {
  await Promise.all([cryptoWaitReady(), cryptoReady()]);
  const chain = await startDevChain({ port: 0, blockTime: 'instant' });
  const dataDir = options.dataDir ?? tempDir('worker');
  const worker = await startWorker({ parentchainUrl: chain.url, dataDir, rpcPort: 0, runnerPort: 0, platformSecretPath: path.join(dataDir, '..', `${path.basename(dataDir)}.platform-secret`), log: testLogger, ...options.worker });
  const api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
  const client = await connectWorker(worker.rpcUrl!, { tls: 'insecure' });
  const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
  return {
    chain, worker, api, client, shieldingKey, dataDir,
    keyring: new Keyring({ type: 'sr25519', ss58Format: 13 }),
    async stop() {
      await client.close();
      await api.disconnect();
      await worker.stop();
      await chain.stop();
    },
  };
}

/** Mocha fixture: one stack for the enclosing `describe`, started before its tests and stopped after them. */
export function useStack(options: Parameters<typeof startStack>[0] = {}): () => Stack {
  let stack: Stack | undefined;
  before(async () => {
    stack = await startStack(options);
  });
  after(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error('the stack is not started (used outside a test?)');
    return stack;
  };
}

export interface Included {
  blockHash: string;
  blockNumber: number;
  events: EventRecord[];
}

/** Signs with `signer`, sends, and resolves at InBlock with the tx's events; rejects on a dispatch error. */
export async function sendAndWaitInBlock(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<Included> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      if (result.isError) reject(new Error(`transaction ${result.status.type}`));
      if (!result.status.isInBlock) return;
      if (result.dispatchError) {
        reject(new Error(`dispatch error ${result.dispatchError.toString()}`));
        return;
      }
      const blockHash = result.status.asInBlock.toHex();
      api.rpc.chain.getHeader(blockHash).then((header) => resolve({ blockHash, blockNumber: header.number.toNumber(), events: result.events }), reject);
    }).catch(reject);
  });
}

/** Resolves with the `ProcessedParentchainBlock` event that confirms `blockHash` (polling finalized blocks). */
export async function waitForConfirmation(api: ApiPromise, blockHash: string, timeoutMs = 30_000): Promise<{ root: string; number: number; confirmedIn: number }> {
  const deadline = Date.now() + timeoutMs;
  const { number: sentIn } = await api.rpc.chain.getHeader(blockHash);
  let next = sentIn.toNumber() + 1;
  while (Date.now() < deadline) {
    const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    for (; next <= finalized; next++) {
      const hash = await api.rpc.chain.getBlockHash(next);
      const events = await (await api.at(hash)).query.system.events();
      for (const { event } of events as unknown as EventRecord[]) {
        if (!api.events.enclaveBridge.ProcessedParentchainBlock.is(event)) continue;
        const [, confirmed, root, number] = event.data;
        if (confirmed.toHex() === blockHash) return { root: root.toHex(), number: Number(number.toString()), confirmedIn: next };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`block ${blockHash} was not confirmed within ${timeoutMs} ms`);
}

/** `EnclaveBridge.invoke` carrying an RSA-shielded `indirect_call`, as `trusted … ` without `--direct`. */
export function invokeTx(stack: Stack, signer: KeyringPair, call: object, nonce: number): SubmittableExtrinsic<'promise'> {
  const { worker, shieldingKey, api } = stack;
  const signed = signTrustedCall(signer, call, nonce, worker.mrenclave, worker.shard);
  const top = sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signed }).toU8a();
  const request = encodeRequest(worker.shard, shieldEncrypt(shieldingKey, top));
  return api.tx.enclaveBridge.invoke(u8aToHex(request));
}

export function shieldTx(stack: Stack, incognito: Uint8Array, amount: bigint): SubmittableExtrinsic<'promise'> {
  return stack.api.tx.enclaveBridge.shieldFunds(stack.worker.shard, u8aToHex(shieldEncrypt(stack.shieldingKey, incognito)), amount);
}

/** Polls a trusted getter until `predicate` holds (the import runs after finalization). */
export async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${String(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
