import assert from 'node:assert/strict';
import { constants, publicEncrypt, randomBytes, webcrypto, type KeyObject } from 'node:crypto';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { TypeRegistry } from '@polkadot/types';
import { BN, u8aConcat, u8aToHex } from '@polkadot/util';
import { base58Encode, blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { cryptoReady } from '@sealbridge/chain-types';

import { RpcServerError } from './errors.js';
import { startRpcServer, type RpcServer } from './server.js';
import { FakeBackend } from './testing/fake-backend.js';
import { RawClient } from './testing/raw-client.js';
import { selfSignedTls } from './testing/tls.js';

// ---- hand-built SCALE (docs/integritee-protocol.md Appendix A), independent of the server's encoder
const hex = (u8: Uint8Array): string => Buffer.from(u8).toString('hex');
function compact(n: number): Uint8Array {
  if (n < 64) return Uint8Array.of(n << 2);
  if (n < 16384) return Uint8Array.of(((n << 2) | 1) & 0xff, ((n << 2) | 1) >> 8);
  const v = (n << 2) | 2;
  return Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
}
const withLen = (b: Uint8Array): Uint8Array => u8aConcat(compact(b.length), b);
const u128le = (v: bigint): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const u32le = (v: number): Uint8Array => Uint8Array.from({ length: 4 }, (_, i) => (v >>> (8 * i)) & 0xff);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `"0x" + compact(len) value ‖ do_watch ‖ status` */
const rrvHex = (value: Uint8Array, doWatch: number, status: number[]): string =>
  `0x${hex(withLen(value))}${doWatch ? '01' : '00'}${hex(Uint8Array.from(status))}`;
const errorRrvHex = (msg: string): string => rrvHex(withLen(utf8(msg)), 0, [2]);
const requestHex = (shard: Uint8Array, cyphertext: Uint8Array): string => u8aToHex(u8aConcat(shard, withLen(cyphertext)));

const MULTISIG_INDEX = { ed25519: 0, sr25519: 1 } as const;
const multiSig = (pair: KeyringPair, payload: Uint8Array): Uint8Array =>
  u8aConcat(Uint8Array.of(MULTISIG_INDEX[pair.type as 'ed25519' | 'sr25519']), pair.sign(payload));

function trustedGetter(pair: KeyringPair, index: 0 | 1 | 2, signer: KeyringPair = pair): Uint8Array {
  const getter = u8aConcat(Uint8Array.of(index), pair.publicKey);
  return u8aConcat(Uint8Array.of(1), getter, multiSig(signer, getter));
}

function directTransfer(backend: FakeBackend, from: KeyringPair, to: Uint8Array, amount: bigint, nonce: number, variant = 1): Uint8Array {
  const call = u8aConcat(Uint8Array.of(2), from.publicKey, to, u128le(amount));
  const payload = u8aConcat(call, u32le(nonce), backend.mrenclaveBytes, backend.shard);
  return u8aConcat(Uint8Array.of(variant), call, u32le(nonce), multiSig(from, payload));
}

/** Encrypts like the encointer client: JSON key via `substring(2)`, BN LE → BE → base64url JWK, WebCrypto RSA-OAEP-256. */
async function encointerEncrypt(keyResultHex: string, plaintext: Uint8Array): Promise<Uint8Array> {
  const registry = new TypeRegistry();
  registry.register({ RpcReturnValue: { value: 'Vec<u8>', do_watch: 'bool', status: 'u8' } });
  const rrv = registry.createType('RpcReturnValue', keyResultHex) as unknown as { value: Uint8Array };
  const text = registry.createType('String', rrv.value).toString();
  const json = JSON.parse(text.substring(2)) as { n: number[]; e: number[] };
  const b64 = (le: number[]): string => Buffer.from(new BN(le, 'le').toArray()).toString('base64url');
  const key = await webcrypto.subtle.importKey('jwk', { kty: 'RSA', n: b64(json.n), e: b64(json.e), ext: true },
    { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  return new Uint8Array(await webcrypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, plaintext));
}

describe('worker rpc server', function () {
  let tls: { certPem: string; keyPem: string };
  let backend: FakeBackend;
  let server: RpcServer;
  let client: RawClient;
  let alice: KeyringPair;
  let bob: KeyringPair;
  let edwin: KeyringPair;
  let dave: KeyringPair;

  before(async () => {
    await cryptoWaitReady();
    await cryptoReady();
    tls = selfSignedTls();
    backend = new FakeBackend(tls.certPem, { vault: { account: new Uint8Array(32).fill(7), parentchainId: 1 } });
    alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
    edwin = new Keyring({ type: 'ed25519' }).addFromUri('//Edwin');
    backend.setAccount(alice.publicKey, { free: 5_000_000_000_000n, nonce: 0 });
    dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
    backend.setAccount(dave.publicKey, { free: 5_000_000_000_000n });
    backend.setAccount(edwin.publicKey, { free: 1n, reserved: 2n, nonce: 3 });
    server = await startRpcServer({ backend, tls, port: 0 });
    client = await RawClient.connect(server.url);
  });

  after(async () => {
    await client.close();
    await server.close();
  });

  describe('methods (byte-exact RpcReturnValues)', () => {
    it('author_getFingerprint / author_getShard return H256 mrenclave and shard', async () => {
      assert.deepEqual(await client.call('author_getFingerprint'), { jsonrpc: '2.0', result: rrvHex(backend.mrenclaveBytes, 0, [0]), id: 1 });
      assert.equal((await client.call('author_getShard', [], 'abc')).result, rrvHex(backend.shard, 0, [0]));
    });

    it('author_getShieldingKey is double wrapped and works the encointer way (substring(2), BN, WebCrypto)', async () => {
      const { result } = await client.call('author_getShieldingKey');
      const json = backend.shieldingKeyJson();
      assert.equal(result, rrvHex(withLen(utf8(json)), 0, [0]));
      assert.equal(JSON.parse(json).n.length, 384);
      assert.deepEqual(JSON.parse(json).e, [1, 0, 0, 1]);

      const top = directTransfer(backend, alice, bob.publicKey, 1_000n, 0);
      const cyphertext = await encointerEncrypt(result as string, top);
      assert.equal(cyphertext.length, 384);
      const reply = await client.call('author_submitAndWatchExtrinsic', [requestHex(backend.shard, cyphertext)]);
      const topHash = blake2AsU8a(top, 256);
      assert.equal(reply.result, rrvHex(topHash, 1, [1, 0]));
      assert.equal((await client.nextJson()).result, rrvHex(topHash, 1, [1, 2]));
      const last = await client.nextJson();
      assert.equal(last.id, 1);
      assert.equal(last.result, `${rrvHex(topHash, 0, [1, 4])}${hex(backend.blockHash)}`);
      assert.equal(backend.account(bob.publicKey)?.free, 1_000n);
      assert.equal(backend.account(alice.publicKey)?.nonce, 1);
    });

    it('author_getShardVault returns (AccountId, ParentchainId)', async () => {
      const { result } = await client.call('author_getShardVault');
      assert.equal(result, rrvHex(u8aConcat(new Uint8Array(32).fill(7), Uint8Array.of(1)), 0, [0]));
    });

    it('author_getMuRaUrl / author_getUntrustedUrl return SCALE strings', async () => {
      assert.equal((await client.call('author_getMuRaUrl')).result, rrvHex(withLen(utf8('wss://127.0.0.1:3443')), 0, [0]));
      assert.equal((await client.call('author_getUntrustedUrl')).result, rrvHex(withLen(utf8('ws://127.0.0.1:2001')), 0, [0]));
    });

    it('state_executeGetter: trusted free_balance of 5·10¹² is 0x48 01 40 <u128> 00 00', async () => {
      const { result } = await client.call('state_executeGetter', [requestHex(backend.shard, trustedGetter(dave, 0))]);
      assert.equal(result, `0x480140${hex(u128le(5_000_000_000_000n))}0000`);
    });

    it('state_executeGetter: nonce and reserved (ed25519 signer), public getter and None', async () => {
      const nonce = await client.call('state_executeGetter', [requestHex(backend.shard, trustedGetter(edwin, 2))]);
      assert.equal(nonce.result, rrvHex(u8aConcat(Uint8Array.of(1), withLen(u32le(3))), 0, [0]));
      const reserved = await client.call('state_executeGetter', [requestHex(backend.shard, trustedGetter(edwin, 1))]);
      assert.equal(reserved.result, rrvHex(u8aConcat(Uint8Array.of(1), withLen(u128le(2n))), 0, [0]));
      const pub = await client.call('state_executeGetter', [requestHex(backend.shard, Uint8Array.of(0, 0))]);
      assert.equal(pub.result, rrvHex(u8aConcat(Uint8Array.of(1), withLen(u32le(42))), 0, [0]));
      const charlie = new Keyring({ type: 'sr25519' }).addFromUri('//Charlie');
      const none = await client.call('state_executeGetter', [requestHex(backend.shard, trustedGetter(charlie, 0))]);
      assert.equal(none.result, rrvHex(Uint8Array.of(0), 0, [0]));
    });

    it('state_executeGetter refuses a wrong signature (Error GetterIsNotAuthorized) and a missing one (-32602)', async () => {
      const forged = await client.call('state_executeGetter', [requestHex(backend.shard, trustedGetter(alice, 0, bob))]);
      assert.equal(forged.result, errorRrvHex('GetterIsNotAuthorized'));
      const unsigned = u8aConcat(Uint8Array.of(1, 0), alice.publicKey);
      const missing = await client.call('state_executeGetter', [requestHex(backend.shard, unsigned)]);
      assert.equal(missing.error?.code, -32602);
    });

    it('state_executeGetter on an unknown shard answers Error "Shard does not exist"', async () => {
      const { result } = await client.call('state_executeGetter', [requestHex(new Uint8Array(32).fill(9), trustedGetter(alice, 0))]);
      assert.equal(result, errorRrvHex('Shard does not exist'));
    });

    it('author_submitExtrinsic: Submitted with do_watch=false and no later frames', async () => {
      const nonce = backend.account(alice.publicKey)!.nonce;
      const top = directTransfer(backend, alice, bob.publicKey, 5n, nonce);
      const cyphertext = publicEncrypt({ key: backendPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
      const reply = await client.call('author_submitExtrinsic', [requestHex(backend.shard, cyphertext)]);
      assert.equal(reply.result, rrvHex(blake2AsU8a(top, 256), 0, [1, 0]));
      while (backend.account(alice.publicKey)!.nonce === nonce) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 20));
      // The next frame must be the answer to the next request: no unsolicited status frame came in between.
      assert.equal((await client.call('author_getFingerprint')).result, rrvHex(backend.mrenclaveBytes, 0, [0]));
      assert.equal(client.backlog, 0);
    });

    it('submit rejects undecryptable cyphertext, unknown shard, getters and indirect calls with Integritee messages', async () => {
      const bad = await client.call('author_submitAndWatchExtrinsic', [requestHex(backend.shard, randomBytes(384))]);
      assert.equal(bad.result, errorRrvHex('Error { code: ServerError(1001), message: "Trusted operation could not be deciphered", data: None }'));
      const shard = await client.call('author_submitExtrinsic', [requestHex(new Uint8Array(32), randomBytes(384))]);
      assert.equal(shard.result, errorRrvHex('Error { code: ServerError(1002), message: "Shard does not exist", data: None }'));
      const unsupported = 'Error { code: InternalError, message: "Unknown error occurred", data: Some(String("UnsupportedOperation")) }';
      for (const top of [u8aConcat(Uint8Array.of(2), trustedGetter(alice, 0)), directTransfer(backend, alice, bob.publicKey, 1n, 9, 0)]) {
        const cyphertext = publicEncrypt({ key: backendPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
        const reply = await client.call('author_submitAndWatchExtrinsic', [requestHex(backend.shard, cyphertext)]);
        assert.equal(reply.result, errorRrvHex(unsupported));
      }
      assert.equal(client.backlog, 0);
    });

    it('watch: a direct call with a bad signature goes Submitted → Invalid and stops', async () => {
      const top = directTransfer(backend, alice, bob.publicKey, 1n, 0); // stale nonce
      const cyphertext = publicEncrypt({ key: backendPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
      const hash = blake2AsU8a(top, 256);
      const reply = await client.call('author_submitAndWatchExtrinsic', [requestHex(backend.shard, cyphertext)], 77);
      assert.deepEqual(reply, { jsonrpc: '2.0', result: rrvHex(hash, 1, [1, 0]), id: 77 });
      assert.deepEqual(await client.nextJson(), { jsonrpc: '2.0', result: rrvHex(hash, 0, [1, 10]), id: 77 });
    });

    it('author_pendingTrustedCallsFor / author_pendingExtrinsics list held calls', async () => {
      const holding = new FakeBackend(tls.certPem, { holdPending: true, shareKeyWith: backend });
      holding.setAccount(alice.publicKey, { free: 10n });
      const srv = await startRpcServer({ backend: holding, tls, port: 0 });
      const c = await RawClient.connect(srv.url);
      try {
        const top = directTransfer(holding, alice, bob.publicKey, 1n, 0);
        const cyphertext = publicEncrypt({ key: holding.shieldingPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
        await c.call('author_submitExtrinsic', [requestHex(holding.shard, cyphertext)]);
        const shard58 = base58Encode(holding.shard);
        const mine = await c.call('author_pendingTrustedCallsFor', [shard58, u8aToHex(alice.publicKey)]);
        assert.equal(mine.result, rrvHex(u8aConcat(compact(1), top.subarray(1)), 0, [0]));
        const bobs = await c.call('author_pendingTrustedCallsFor', [shard58, u8aToHex(bob.publicKey)]);
        assert.equal(bobs.result, rrvHex(compact(0), 0, [0]));
        const all = await c.call('author_pendingExtrinsics', [shard58]);
        assert.equal(all.result, rrvHex(u8aConcat(compact(1), compact(1), withLen(top)), 0, [0]));
        const badAccount = await c.call('author_pendingTrustedCallsFor', [shard58, '0x1234']);
        assert.equal(badAccount.error?.code, -32602);
        const badShard = await c.call('author_pendingExtrinsics', ['0OIl']);
        assert.equal(badShard.error?.code, -32602);
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('state_getMetadata, stubs, system_version, rpc_methods and sealbridge_attestation', async () => {
      assert.equal((await client.call('state_getMetadata')).result, rrvHex(backend.metadata(), 0, [0]));
      for (const m of ['state_getRuntimeVersion', 'system_health', 'system_name', 'chain_subscribeAllHeads']) {
        assert.equal((await client.call(m)).result, 'hello, world');
      }
      assert.equal((await client.call('system_version')).result, rrvHex(utf8('enclave-runtime: sealbridge-0.1.0'), 0, [0]));
      const methods = (await client.call('rpc_methods')).result as string;
      assert.match(methods, /^methods: \[author_getShieldingKey, .*state_executeGetter, .*sealbridge_attestation\]$/);
      const att = await client.call('sealbridge_attestation');
      assert.equal(att.result, rrvHex(u8aConcat(withLen(backend.quote), withLen(utf8(backend.certPem))), 0, [0]));
      assert.ok((backend.requestCounts.get('state_getMetadata') ?? 0) >= 1);
    });

    it('author_getShardVault without a vault answers the double-hex Error quirk', async () => {
      const plain = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      const srv = await startRpcServer({ backend: plain, tls, port: 0 });
      const c = await RawClient.connect(srv.url);
      try {
        const { result } = await c.call('author_getShardVault');
        const inner = errorRrvHex('shard vault key has not been initialized');
        assert.equal(result, `0x${hex(utf8(inner))}`);
      } finally {
        await c.close();
        await srv.close();
      }
    });
  });

  describe('ordering and watch delivery', () => {
    it('answers pipelined requests with id 1 strictly in request order', async () => {
      const calls: [string, unknown[], string][] = [];
      for (let i = 0; i < 30; i++) {
        if (i % 3 === 0) calls.push(['state_executeGetter', [requestHex(backend.shard, trustedGetter(alice, 0))], 'getter']);
        else if (i % 3 === 1) calls.push(['author_submitExtrinsic', [requestHex(backend.shard, randomBytes(384))], 'submit']);
        else calls.push(['author_getFingerprint', [], 'fp']);
      }
      for (const [method, params] of calls) client.send(JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }));
      for (const [, , kind] of calls) {
        const frame = await client.nextJson();
        const result = frame.result as string;
        if (kind === 'fp') assert.equal(result, rrvHex(backend.mrenclaveBytes, 0, [0]));
        else if (kind === 'getter') assert.ok(result.startsWith('0x480140'));
        else assert.ok(result.endsWith('0002'), 'submit of garbage is an Error RpcReturnValue');
      }
    });

    it('a status reported before the submit resolves still arrives after the Submitted reply', async () => {
      const eager = new FakeBackend(tls.certPem, { synchronousReady: true, shareKeyWith: backend });
      eager.setAccount(alice.publicKey, { free: 10n });
      const srv = await startRpcServer({ backend: eager, tls, port: 0 });
      const c = await RawClient.connect(srv.url);
      try {
        const top = directTransfer(eager, alice, bob.publicKey, 1n, 0);
        const cyphertext = publicEncrypt({ key: eager.shieldingPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
        const hash = blake2AsU8a(top, 256);
        c.send(JSON.stringify({ jsonrpc: '2.0', method: 'author_submitAndWatchExtrinsic', params: [requestHex(eager.shard, cyphertext)], id: 5 }));
        assert.equal((await c.nextJson()).result, rrvHex(hash, 1, [1, 0]));
        assert.equal((await c.nextJson()).result, rrvHex(hash, 1, [1, 2]));
        assert.equal((await c.nextJson()).result, `${rrvHex(hash, 0, [1, 4])}${hex(eager.blockHash)}`);
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('a submission that fails after its watcher fired sends the Error and nothing more', async () => {
      const failing = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      failing.submitTrustedOperation = async (_shard, _top, watcher) => {
        watcher?.({ kind: 'Ready' });
        throw new RpcServerError('TOP_INVALID');
      };
      const srv = await startRpcServer({ backend: failing, tls, port: 0 });
      const c = await RawClient.connect(srv.url);
      try {
        const top = directTransfer(failing, alice, bob.publicKey, 1n, 0);
        const cyphertext = publicEncrypt({ key: failing.shieldingPublicKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, top);
        const reply = await c.call('author_submitAndWatchExtrinsic', [requestHex(failing.shard, cyphertext)]);
        assert.equal(reply.result, errorRrvHex('Error { code: ServerError(1010), message: "Invalid Trusted Operation", data: None }'));
        assert.equal((await c.call('author_getFingerprint')).result, rrvHex(failing.mrenclaveBytes, 0, [0]));
      } finally {
        await c.close();
        await srv.close();
      }
    });
  });

  describe('repeated getters', () => {
    /** Counts the getters that reached the backend rather than the reply cache. */
    function countExecutions(target: FakeBackend): { readonly count: number } {
      const counter = { count: 0 };
      const execute = target.executeGetter.bind(target);
      target.executeGetter = (shard, getter) => {
        counter.count++;
        return execute(shard, getter);
      };
      return counter;
    }

    it('answers a resent getter from the cache until the state changes, then from the new state', async () => {
      const cached = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      const executed = countExecutions(cached);
      cached.setAccount(edwin.publicKey, { free: 10n });
      const own = await startRpcServer({ backend: cached, tls, port: 0 });
      const c = await RawClient.connect(own.url);
      try {
        const param = requestHex(cached.shard, trustedGetter(edwin, 0));
        const answer = (free: bigint): string => rrvHex(u8aConcat(Uint8Array.of(1), withLen(u128le(free))), 0, [0]);
        for (let i = 0; i < 3; i++) assert.equal((await c.call('state_executeGetter', [param])).result, answer(10n));
        assert.equal(executed.count, 1);
        cached.setAccount(edwin.publicKey, { free: 11n });
        assert.equal((await c.call('state_executeGetter', [param])).result, answer(11n));
        assert.equal((await c.call('state_executeGetter', [param])).result, answer(11n));
        assert.equal(executed.count, 2);
        // Refusals are not kept: every forged getter is checked again.
        const forged = requestHex(cached.shard, trustedGetter(edwin, 0, alice));
        for (let i = 0; i < 2; i++) assert.equal((await c.call('state_executeGetter', [forged])).result, errorRrvHex('GetterIsNotAuthorized'));
        assert.equal(executed.count, 4);
      } finally {
        await c.close();
        await own.close();
      }
    });

    it('never caches with getterReplyCacheEntries 0 or a backend without getter epochs', async () => {
      const noCache = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      const noEpoch = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      Object.defineProperty(noEpoch, 'getterEpoch', { value: undefined });
      for (const [target, limits] of [[noCache, { getterReplyCacheEntries: 0 }], [noEpoch, {}]] as const) {
        const executed = countExecutions(target);
        target.setAccount(edwin.publicKey, { free: 10n });
        const own = await startRpcServer({ backend: target, tls, port: 0, limits });
        const c = await RawClient.connect(own.url);
        const param = requestHex(target.shard, trustedGetter(edwin, 0));
        for (let i = 0; i < 3; i++) await c.call('state_executeGetter', [param]);
        assert.equal(executed.count, 3);
        await c.close();
        await own.close();
      }
    });
  });

  describe('bad input', () => {
    const expectError = async (c: RawClient, text: string, code: number): Promise<void> => {
      c.send(text);
      const reply = await c.nextJson();
      assert.equal(reply.error?.code, code, `${text.slice(0, 60)} → ${JSON.stringify(reply)}`);
    };

    it('non-JSON → -32700, unknown method → -32601, malformed envelopes → -32600', async () => {
      await expectError(client, '{"jsonrpc":"2.0",', -32700);
      await expectError(client, 'hello', -32700);
      await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'state_getMrenclave', params: [], id: 1 }), -32601);
      await expectError(client, JSON.stringify({ jsonrpc: '1.0', method: 'system_name', params: [], id: 1 }), -32600);
      await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 7, params: [], id: 1 }), -32600);
      await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'system_name', params: [], id: { a: 1 } }), -32600);
      await expectError(client, '42', -32600);
      await expectError(client, 'null', -32600);
    });

    it('batch abuse: empty, oversized, non-object entries', async () => {
      await expectError(client, '[]', -32600);
      const big = Array.from({ length: 17 }, (_, i) => ({ jsonrpc: '2.0', method: 'system_name', params: [], id: i }));
      await expectError(client, JSON.stringify(big), -32600);
      client.send(JSON.stringify([1, 'x', { jsonrpc: '2.0', method: 'system_name', params: [], id: 3 }, null]));
      const replies = JSON.parse(await client.next()) as { id: unknown; error?: { code: number }; result?: string }[];
      assert.deepEqual(replies.map((r) => r.error?.code ?? r.result), [-32600, -32600, 'hello, world', -32600]);
      // A batch of notifications produces no frame at all; the next answer is for the next request.
      client.send(JSON.stringify([{ jsonrpc: '2.0', method: 'system_name', params: [] }]));
      assert.equal((await client.call('system_health')).result, 'hello, world');
    });

    it('wrong param types and counts → -32602', async () => {
      for (const params of [[1], 'x', { a: 1 }, [null], [['0x00']], ['0x00', '0x00']]) {
        await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params, id: 1 }), -32602);
      }
      await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'author_getShard', params: ['x'], id: 1 }), -32602);
    });

    it('truncated / odd / non-hex / trailing bytes → -32602', async () => {
      const good = requestHex(backend.shard, trustedGetter(alice, 0));
      for (const p of ['0x123', good.slice(0, -2), `${good}00`, 'zz', good.slice(2), '0x', `0x${'00'.repeat(31)}`]) {
        await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params: [p], id: 1 }), -32602);
        await expectError(client, JSON.stringify({ jsonrpc: '2.0', method: 'author_submitExtrinsic', params: [p], id: 1 }), -32602);
      }
    });

    it('a frame over the frame limit closes that connection with 1009; others are unaffected', async () => {
      const victim = await RawClient.connect(server.url);
      victim.send(JSON.stringify({ jsonrpc: '2.0', method: 'system_name', params: ['0x' + '00'.repeat(600 * 1024)], id: 1 }));
      assert.equal((await victim.closed).code, 1009);
      assert.equal((await client.call('author_getFingerprint')).result, rrvHex(backend.mrenclaveBytes, 0, [0]));
    });

    it('1,000 random params get the right error while a concurrent client keeps getting correct answers', async () => {
      const fuzz = await RawClient.connect(server.url);
      let healthy = 0;
      let stop = false;
      const healthyLoop = (async () => {
        while (!stop) {
          assert.equal((await client.call('author_getFingerprint')).result, rrvHex(backend.mrenclaveBytes, 0, [0]));
          healthy++;
        }
      })();
      try {
        for (let i = 0; i < 1000; i++) {
          const bytes = randomBytes(i % 97);
          // Random bytes are a valid Request only when shard(32) ‖ compact(len) ‖ len bytes lines up exactly.
          const decodable = bytes.length >= 33 && isRequest(bytes);
          const param = i % 5 === 4 ? bytes.toString('latin1') : u8aToHex(bytes);
          const method = i % 2 ? 'state_executeGetter' : 'author_submitExtrinsic';
          const reply = await fuzz.call(method, [param], i);
          assert.equal(reply.id, i);
          if (decodable && i % 5 !== 4) assert.ok(typeof reply.result === 'string' && reply.result.endsWith('02'));
          else assert.equal(reply.error?.code, -32602, `${method}(${param}) → ${JSON.stringify(reply)}`);
        }
      } finally {
        stop = true;
        await healthyLoop;
        await fuzz.close();
      }
      assert.ok(healthy > 0);
    });
  });

  describe('limits', () => {
    it('token bucket: requests beyond the burst get -32005 in order', async () => {
      const srv = await startRpcServer({ backend, tls, port: 0, limits: { rateLimitBurst: 3, rateLimitPerSecond: 0.001 } });
      const c = await RawClient.connect(srv.url);
      try {
        for (let i = 0; i < 5; i++) c.send(JSON.stringify({ jsonrpc: '2.0', method: 'system_name', params: [], id: i }));
        const replies = await Promise.all(Array.from({ length: 5 }, () => c.nextJson()));
        assert.deepEqual(replies.map((r) => [r.id, r.error?.code ?? r.result]),
          [[0, 'hello, world'], [1, 'hello, world'], [2, 'hello, world'], [3, -32005], [4, -32005]]);
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('in-flight cap: an excess request is refused (-32005) but answered after the earlier ones', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const gated = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      const execute = gated.executeGetter.bind(gated);
      gated.executeGetter = async (s, g) => (await gate, execute(s, g));
      const srv = await startRpcServer({ backend: gated, tls, port: 0, limits: { maxInFlightPerConnection: 2 } });
      const c = await RawClient.connect(srv.url);
      try {
        const getter = (id: number): string =>
          JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params: [requestHex(gated.shard, Uint8Array.of(0, 0))], id });
        c.send(getter(1));
        c.send(getter(2));
        c.send(getter(3));
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(c.backlog, 0, 'the refusal waits behind the two gated getters');
        release();
        const replies = await Promise.all([c.nextJson(), c.nextJson(), c.nextJson()]);
        assert.deepEqual(replies.map((r) => [r.id, r.error?.code ?? 'ok']), [[1, 'ok'], [2, 'ok'], [3, -32005]]);
      } finally {
        await c.close();
        await srv.close();
      }
    });

    it('a client that keeps queueing behind a stuck request is disconnected (1008)', async () => {
      const stuck = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      stuck.executeGetter = () => new Promise(() => {});
      const srv = await startRpcServer({ backend: stuck, tls, port: 0, limits: { maxInFlightPerConnection: 1, maxQueuedPerConnection: 3 } });
      const c = await RawClient.connect(srv.url);
      try {
        const getter = JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params: [requestHex(stuck.shard, Uint8Array.of(0, 0))], id: 1 });
        for (let i = 0; i < 4; i++) c.send(getter);
        assert.equal((await c.closed).code, 1008);
      } finally {
        await srv.close();
      }
    });

    it('a slow reader whose unsent output exceeds the cap is terminated; others carry on', async () => {
      const big = new FakeBackend(tls.certPem, { shareKeyWith: backend });
      big.metadata = () => new Uint8Array(512 * 1024);
      const srv = await startRpcServer({ backend: big, tls, port: 0, limits: { maxBufferedBytes: 256 * 1024 } });
      const slow = await RawClient.connect(srv.url);
      const other = await RawClient.connect(srv.url);
      try {
        (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        for (let i = 0; i < 64; i++) slow.send(JSON.stringify({ jsonrpc: '2.0', method: 'state_getMetadata', params: [], id: i }));
        while (srv.connectionCount() > 1) await new Promise((r) => setTimeout(r, 10));
        assert.equal((await other.call('author_getFingerprint')).result, rrvHex(big.mrenclaveBytes, 0, [0]));
      } finally {
        slow.ws.terminate();
        await other.close();
        await srv.close();
      }
    });
  });

  function backendPublicKey(): KeyObject {
    return backend.shieldingPublicKey();
  }
});

function isRequest(bytes: Uint8Array): boolean {
  const mode = bytes[32] & 3;
  const width = [1, 2, 4][mode];
  if (width === undefined || bytes.length < 32 + width) return false;
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + bytes[32 + i];
  const len = v / 4 | 0;
  const canonical = mode === 0 || (mode === 1 ? len >= 64 : len >= 16384);
  return canonical && 32 + width + len === bytes.length;
}
