/**
 * End-to-end: this client against the real worker RPC server (packages/worker/src/rpc) with its FakeBackend over
 * wss. The server is loaded from the worker's build output at run time because `client` must not depend on
 * `worker`; build the worker rpc module first.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aConcat } from '@polkadot/util';
import {
  AttestationError,
  buildReportData,
  createRaTlsCertificate,
  cryptoReady,
  ed25519RawPublicKey,
  encodeQuote,
  sealbridgeRegistry,
  signQuote,
  signTrustedCall,
  SIMULATED_QUOTE_VERSION,
  topHash,
} from '@sealbridge/chain-types';

import { WorkerApplicationError, WorkerConnectionError, WorkerRpcError } from './errors.js';
import { connectWorker, type WorkerClient } from './worker-client.js';

interface FakeBackendLike {
  shard: Uint8Array;
  mrenclaveBytes: Uint8Array;
  blockHash: Uint8Array;
  quote: Uint8Array;
  shieldingKeyJson(): string;
  setAccount(account: Uint8Array, state: { free?: bigint; reserved?: bigint; nonce?: number }): void;
  account(account: Uint8Array): { free: bigint; nonce: number } | undefined;
  sync: { imported: number; finalized: number; lag: number; stalled: { since: number; block: number; reason: string } | null };
}
interface ServerLike { url: string; port: number; close(): Promise<void> }
interface WorkerRpcModules {
  startRpcServer(options: { backend: FakeBackendLike; tls: { certPem: string; keyPem: string }; port: number }): Promise<ServerLike>;
  FakeBackend: new (certPem: string, options?: Record<string, unknown>, quote?: Uint8Array) => FakeBackendLike;
  selfSignedTls(): { certPem: string; keyPem: string };
}

async function loadWorkerRpc(): Promise<WorkerRpcModules> {
  // The trusted RPC server runs in the enclave; its build is loaded by path (the client must not depend on it).
  const base = new URL('../../../enclave-sim/dist/trusted/rpc/', import.meta.url);
  const load = async (file: string): Promise<Record<string, unknown>> => import(new URL(file, base).href) as Promise<Record<string, unknown>>;
  const modules = Promise.all([load('server.js'), load('testing/fake-backend.js'), load('testing/tls.js')]);
  const [server, fake, tls] = await modules.catch((cause: unknown) => {
    throw new Error('the enclave rpc build is missing: run `npx tsc -b enclave-sim` first', { cause });
  });
  return { ...server, ...fake, ...tls } as unknown as WorkerRpcModules;
}

/** RA-TLS certificate for `mrenclave`, quoted by a test attestation service. */
function raTls(mrenclave: Uint8Array) {
  const service = generateKeyPairSync('ed25519');
  const tlsKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = new Uint8Array(randomBytes(32));
  /** A quote of this enclave whose report data binds `bound`. */
  const quoteFor = (bound: Uint8Array): Uint8Array => encodeQuote(signQuote({
    version: SIMULATED_QUOTE_VERSION,
    mrenclave,
    mrsigner: new Uint8Array(32).fill(1),
    reportData: buildReportData(signer, bound),
    timestamp: BigInt(Date.now()),
    buildMode: 'Debug',
  }, service.privateKey));
  const quote = quoteFor(tlsKey.publicKey.export({ format: 'der', type: 'spki' }));
  return {
    certPem: createRaTlsCertificate({ quote, privateKey: tlsKey.privateKey }),
    keyPem: tlsKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    quote,
    quoteFor,
    servicePublicKey: ed25519RawPublicKey(service.publicKey),
  };
}

describe('WorkerClient against the worker rpc server', function () {
  let rpc: WorkerRpcModules;
  let att: ReturnType<typeof raTls>;
  let backend: FakeBackendLike;
  let server: ServerLike;
  let client: WorkerClient;
  let alice: KeyringPair;
  let bob: KeyringPair;

  const transfer = (from: KeyringPair, to: Uint8Array, amount: bigint, nonce: number, b = backend): Uint8Array =>
    sealbridgeRegistry.createType('TrustedOperation', {
      direct_call: signTrustedCall(from, { balance_transfer: [from.publicKey, to, amount] }, nonce, b.mrenclaveBytes, b.shard),
    }).toU8a();

  before(async () => {
    await cryptoReady();
    rpc = await loadWorkerRpc();
    const mrenclave = new Uint8Array(randomBytes(32));
    att = raTls(mrenclave);
    backend = new rpc.FakeBackend(att.certPem, { mrenclave, vault: { account: new Uint8Array(32).fill(3), parentchainId: 0 } }, att.quote);
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    bob = new Keyring({ type: 'ed25519' }).addFromUri('//Bob');
    backend.setAccount(alice.publicKey, { free: 1_000_000n, nonce: 0 });
    server = await rpc.startRpcServer({ backend, tls: att, port: 0 });
    client = await connectWorker(server.url, { tls: 'insecure' });
  });

  after(async () => {
    await client.close();
    await server.close();
  });

  it('reads fingerprint, shard, shard vault and urls', async () => {
    assert.deepEqual(await client.getFingerprint(), backend.mrenclaveBytes);
    assert.deepEqual(await client.getShard(), backend.shard);
    assert.deepEqual(await client.getShardVault(), { account: new Uint8Array(32).fill(3), parentchainId: 'Integritee' });
    assert.equal(await client.getMuRaUrl(), 'wss://127.0.0.1:3443');
    assert.equal(await client.getUntrustedUrl(), 'ws://127.0.0.1:2001');
  });

  it('unwraps the double-wrapped shielding key into a 3072-bit RSA KeyObject', async () => {
    const json = await client.getShieldingKeyJson();
    assert.match(json, /^\{"n":\[\d+(,\d+){383}\],"e":\[1,0,0,1\]\}$/);
    const key = await client.getShieldingKey();
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(key.asymmetricKeyDetails?.publicExponent, 0x01000001n);
  });

  it('runs signed trusted getters and the public getter', async () => {
    assert.equal(await client.getFreeBalance(backend.shard, alice), 1_000_000n);
    assert.equal(await client.getNonce(backend.shard, alice), 0);
    assert.equal(await client.getFreeBalance(backend.shard, bob), 0n, 'unknown account reads as 0');
    assert.deepEqual(await client.publicGetter(backend.shard), Uint8Array.of(42, 0, 0, 0));
  });

  it('surfaces a getter signed by someone else as WorkerApplicationError', async () => {
    await assert.rejects(
      client.trustedGetter({ shard: backend.shard, getter: { free_balance: alice.publicKey }, signer: bob }),
      (err: unknown) => err instanceof WorkerApplicationError && err.workerMessage === 'GetterIsNotAuthorized',
    );
  });

  it('watches a direct call Submitted → Ready → InSidechainBlock', async () => {
    const top = transfer(alice, bob.publicKey, 250n, 0);
    const seen = [];
    for await (const update of client.watch(backend.shard, top)) {
      assert.deepEqual(update.topHash, topHash(top));
      seen.push([update.status, update.final]);
      if (update.status === 'InSidechainBlock') assert.deepEqual(update.blockHash, backend.blockHash);
    }
    assert.deepEqual(seen, [['Submitted', false], ['Ready', false], ['InSidechainBlock', true]]);
    assert.equal(backend.account(bob.publicKey)?.free, 250n);
    assert.equal(await client.getNonce(backend.shard, alice), 1);
  });

  it('submitDirect returns the TOP hash; a stale nonce watches to Invalid', async () => {
    const top = transfer(alice, bob.publicKey, 1n, 1);
    assert.deepEqual(await client.submitDirect(backend.shard, top), topHash(top));
    const stale = transfer(alice, bob.publicKey, 1n, 0);
    const statuses = [];
    for await (const update of client.watch(backend.shard, stale)) statuses.push(update.status);
    assert.deepEqual(statuses, ['Submitted', 'Invalid']);
  });

  it('maps unknown shard, unknown method and bad params to typed errors', async () => {
    const unknownShard = new Uint8Array(32).fill(9);
    await assert.rejects(client.submitDirect(unknownShard, transfer(alice, bob.publicKey, 1n, 5)),
      (err: unknown) => err instanceof WorkerApplicationError && err.workerMessage.includes('ServerError(1002)'));
    await assert.rejects(client.publicGetter(unknownShard), /Shard does not exist/);
    await assert.rejects(client.request('state_getMrenclave'), (err: unknown) => err instanceof WorkerRpcError && err.rpcCode === -32601);
    await assert.rejects(client.request('state_executeGetter', ['0x123']), (err: unknown) => err instanceof WorkerRpcError && err.rpcCode === -32602);
  });

  it('reads the sync status, with and without a stall', async () => {
    backend.sync = { imported: 41, finalized: 41, lag: 0, stalled: null };
    assert.deepEqual(await client.syncStatus(), backend.sync);
    const reason = 'parentchain block #42 0x… does not decode: extrinsic 1: cannot decode Compact<u128> at .call::Balances::transfer_keep_alive.value: input ended (at byte 40) — ünïcode';
    backend.sync = { imported: 41, finalized: 47, lag: 6, stalled: { since: 1_800_000_000, block: 42, reason } };
    assert.deepEqual(await client.syncStatus(), backend.sync);
  });

  it('lists pending trusted calls and decodes the shard-vault error quirk', async () => {
    const holding = new rpc.FakeBackend(att.certPem, { holdPending: true, shareKeyWith: backend });
    holding.setAccount(alice.publicKey, { free: 5n });
    const srv = await rpc.startRpcServer({ backend: holding, tls: att, port: 0 });
    const c = await connectWorker(srv.url);
    try {
      const top = transfer(alice, bob.publicKey, 2n, 0, holding);
      await c.submitDirect(holding.shard, top);
      const pending = await c.pendingTrustedCallsFor(holding.shard, alice.publicKey);
      assert.equal(pending.length, 1);
      assert.deepEqual(u8aConcat(Uint8Array.of(1), pending[0].toU8a()), top);
      assert.deepEqual(await c.pendingTrustedCallsFor(holding.shard, bob.publicKey), []);
      await assert.rejects(c.getShardVault(), (err: unknown) => err instanceof WorkerApplicationError && /shard vault/.test(err.workerMessage));
    } finally {
      await c.close();
      await srv.close();
    }
  });

  describe('TLS policy and attestation', () => {
    it('verifyWorker checks the RA-TLS certificate of this connection, the quote and the fingerprint', async () => {
      const verified = await client.verifyWorker({ expectedMrenclave: backend.mrenclaveBytes, servicePublicKey: att.servicePublicKey });
      assert.deepEqual(verified.mrenclave, backend.mrenclaveBytes);
      assert.equal(verified.shieldingKeyAttested, false, 'the test quote binds the TLS key, not the shielding key');
      await assert.rejects(client.verifyWorker({ expectedMrenclave: new Uint8Array(32), servicePublicKey: att.servicePublicKey }),
        (err: unknown) => err instanceof AttestationError && err.code === 'QUOTE_MRENCLAVE_MISMATCH');
      await assert.rejects(client.verifyWorker({ expectedMrenclave: backend.mrenclaveBytes }),
        (err: unknown) => err instanceof AttestationError && err.code === 'QUOTE_BAD_SIGNATURE', 'quoted by an unknown attestation service');
      const attestation = await client.getAttestation();
      assert.deepEqual(attestation.quote, att.quote);
      assert.equal(attestation.certPem, att.certPem);
    });

    it('verifyWorker reports shieldingKeyAttested when the served quote binds the shielding key', async () => {
      const keyQuote = att.quoteFor(new TextEncoder().encode(backend.shieldingKeyJson()));
      const bound = new rpc.FakeBackend(att.certPem, { mrenclave: backend.mrenclaveBytes, shareKeyWith: backend }, keyQuote);
      const srv = await rpc.startRpcServer({ backend: bound, tls: att, port: 0 });
      const c = await connectWorker(srv.url);
      try {
        const verified = await c.verifyWorker({ expectedMrenclave: backend.mrenclaveBytes, servicePublicKey: att.servicePublicKey });
        assert.equal(verified.shieldingKeyAttested, true);
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('connects with expectedMrenclave, refuses the wrong one before any request', async () => {
      const ok = await connectWorker(server.url, { tls: { expectedMrenclave: backend.mrenclaveBytes, servicePublicKey: att.servicePublicKey } });
      assert.deepEqual(await ok.getFingerprint(), backend.mrenclaveBytes);
      await ok.close();
      await assert.rejects(connectWorker(server.url, { tls: { expectedMrenclave: new Uint8Array(32), servicePublicKey: att.servicePublicKey } }),
        (err: unknown) => err instanceof AttestationError && err.code === 'QUOTE_MRENCLAVE_MISMATCH');
    });

    it('pins a certificate, refuses another, and verifyWorker fails on a plain self-signed worker', async () => {
      const plainTls = rpc.selfSignedTls();
      const plain = await rpc.startRpcServer({ backend, tls: plainTls, port: 0 });
      try {
        const pinned = await connectWorker(plain.url, { tls: { pinnedCertPem: plainTls.certPem } });
        await assert.rejects(pinned.verifyWorker({ expectedMrenclave: backend.mrenclaveBytes, servicePublicKey: att.servicePublicKey }),
          (err: unknown) => err instanceof AttestationError && err.code === 'RA_TLS_NO_QUOTE');
        await pinned.close();
        await assert.rejects(connectWorker(plain.url, { tls: { pinnedCertPem: att.certPem } }),
          (err: unknown) => err instanceof WorkerConnectionError && err.code === 'WORKER_CERT_MISMATCH');
      } finally {
        await plain.close();
      }
    });
  });

  describe('connection failures', () => {
    it('reports an unreachable worker clearly', async () => {
      const srv = await rpc.startRpcServer({ backend, tls: att, port: 0 });
      const url = srv.url;
      await srv.close();
      await assert.rejects(connectWorker(url), (err: unknown) =>
        err instanceof WorkerConnectionError && err.code === 'WORKER_UNREACHABLE' && err.message.startsWith(`worker not reachable at ${url}`));
    });

    it('times out a request the worker never answers', async () => {
      const stuck = new rpc.FakeBackend(att.certPem, { shareKeyWith: backend }) as FakeBackendLike & { executeGetter(): Promise<never> };
      stuck.executeGetter = () => new Promise(() => {});
      const srv = await rpc.startRpcServer({ backend: stuck, tls: att, port: 0 });
      const c = await connectWorker(srv.url, { timeoutMs: 300 });
      try {
        // Replies are strictly ordered per connection, so a stuck call also holds later ones on this connection.
        await assert.rejects(c.publicGetter(stuck.shard), (err: unknown) => err instanceof WorkerConnectionError && err.code === 'WORKER_TIMEOUT');
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('fails outstanding requests and watches when the worker goes away', async () => {
      const holding = new rpc.FakeBackend(att.certPem, { holdPending: true, shareKeyWith: backend });
      holding.setAccount(alice.publicKey, { free: 5n });
      const srv = await rpc.startRpcServer({ backend: holding, tls: att, port: 0 });
      const c = await connectWorker(srv.url);
      const watch = c.watch(holding.shard, transfer(alice, bob.publicKey, 1n, 0, holding));
      assert.equal((await watch.next()).value?.status, 'Submitted');
      const closing = srv.close();
      await assert.rejects(watch.next(), (err: unknown) => err instanceof WorkerConnectionError && err.code === 'WORKER_CONNECTION_CLOSED');
      await closing;
      await assert.rejects(c.getShard(), (err: unknown) => err instanceof WorkerConnectionError && err.code === 'WORKER_CONNECTION_CLOSED');
    });
  });
});
