import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoReady, encodeRequest, RSA_BLOCK_BYTES, shieldEncrypt } from '@sealbridge/chain-types';
import { MAX_SHIELDED_BYTES } from '../settings.js';
import WebSocket from 'ws';

import { JSON_RPC_CODES } from './errors.js';
import { DEFAULT_RPC_LIMITS } from './settings.js';
import { startRpcServer, type RpcServer } from './server.js';
import { FakeBackend } from './testing/fake-backend.js';
import { RawClient } from './testing/raw-client.js';
import { selfSignedTls } from './testing/tls.js';
import { rpcErrorHex } from './wire.js';

const submitFrame = (backend: FakeBackend, cyphertext: Uint8Array, id: number, method = 'author_submitExtrinsic'): string =>
  JSON.stringify({ jsonrpc: '2.0', method, params: [u8aToHex(encodeRequest(backend.shard, cyphertext))], id });

/** A backend whose decryptions wait until `release()`, recording which connection's request each was. */
function gate(backend: FakeBackend): { order: string[]; release(): void } {
  const order: string[] = [];
  const waiting: Array<() => void> = [];
  let open = false;
  const decrypt = backend.decryptRequest.bind(backend);
  backend.decryptRequest = async (cyphertext) => {
    order.push(new TextDecoder().decode(cyphertext.subarray(0, 2)));
    if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
    return decrypt(cyphertext);
  };
  return { order, release: () => ((open = true), waiting.splice(0).forEach((r) => r())) };
}

describe('worker rpc server: decryption amplification and limits', function () {
  this.timeout(30_000);
  let tls: { certPem: string; keyPem: string };
  let keyOwner: FakeBackend;

  before(async () => {
    await cryptoReady();
    tls = selfSignedTls();
    keyOwner = new FakeBackend(tls.certPem);
  });

  async function withServer(backend: FakeBackend, limits: Parameters<typeof startRpcServer>[0]['limits'], body: (server: RpcServer) => Promise<void>): Promise<void> {
    const server = await startRpcServer({ backend, tls, port: 0, limits });
    try {
      await body(server);
    } finally {
      await server.close();
    }
  }

  it('refuses padded cyphertexts without decrypting anything: 1,364 copies of one valid RSA block (1 MB) by the frame limit, 300 on both submit methods', async () => {
    const backend = new FakeBackend(tls.certPem, { shareKeyWith: keyOwner });
    const block = shieldEncrypt(backend.shieldingPublicKey(), new Uint8Array(randomBytes(100)));
    const padded = (copies: number): Uint8Array => u8aConcat(...Array.from({ length: copies }, () => block));
    const refusal = rpcErrorHex(`Error { code: ServerError(1001), message: "Trusted operation has invalid format", data: Some(String("shielded payload over ${MAX_SHIELDED_BYTES} bytes")) }`);
    await withServer(backend, {}, async (server) => {
      // The fuzzer's request: ws refuses the frame from its header (1009), before reading, unmasking or parsing it.
      const fuzzer = await RawClient.connect(server.url);
      const frame = submitFrame(backend, padded(1364), 1);
      assert.ok(frame.length > 1_000_000 && frame.length > DEFAULT_RPC_LIMITS.maxFrameBytes, `${frame.length} bytes`);
      fuzzer.send(frame);
      assert.equal((await fuzzer.closed).code, 1009);
      assert.equal(backend.refusals.get('frame_too_large'), 1);

      const c = await RawClient.connect(server.url);
      try {
        for (const method of ['author_submitExtrinsic', 'author_submitAndWatchExtrinsic']) {
          c.send(submitFrame(backend, padded(300), 1, method));
          assert.deepEqual(await c.nextJson(), { jsonrpc: '2.0', result: refusal, id: 1 });
        }
        // Just over the cap is refused too; the cap itself is decrypted (and then fails as no operation).
        c.send(submitFrame(backend, new Uint8Array(MAX_SHIELDED_BYTES + RSA_BLOCK_BYTES), 2));
        assert.equal((await c.nextJson()).result, refusal);
        assert.equal(backend.privateKeyOps, 0);
        assert.equal(backend.refusals.get('oversized'), 3);
        c.send(submitFrame(backend, padded(16), 3));
        assert.match(String((await c.nextJson()).result), /02$/);
        assert.equal(backend.privateKeyOps, 16);
      } finally {
        await c.close();
      }
    });
  });

  it('takes a full batch of submissions at the cap within the frame limit', async () => {
    const backend = new FakeBackend(tls.certPem, { shareKeyWith: keyOwner });
    await withServer(backend, {}, async (server) => {
      const c = await RawClient.connect(server.url);
      try {
        const param = u8aToHex(encodeRequest(backend.shard, new Uint8Array(MAX_SHIELDED_BYTES)));
        const batch = Array.from({ length: DEFAULT_RPC_LIMITS.maxBatchItems }, (_, id) => ({ jsonrpc: '2.0', method: 'author_submitAndWatchExtrinsic', params: [param], id }));
        const frame = JSON.stringify(batch);
        assert.ok(frame.length < DEFAULT_RPC_LIMITS.maxFrameBytes, `${frame.length} bytes`);
        c.send(frame);
        const replies = JSON.parse(await c.next()) as Array<{ result?: string }>;
        assert.equal(replies.length, DEFAULT_RPC_LIMITS.maxBatchItems);
        assert.ok(replies.every((r) => typeof r.result === 'string'), 'each answered (undecipherable), none refused');
      } finally {
        await c.close();
      }
    });
  });

  it('serves connections round-robin: a greedy connection does not delay the others', async () => {
    const backend = new FakeBackend(tls.certPem, { shareKeyWith: keyOwner });
    const gated = gate(backend);
    await withServer(backend, { maxDecryptsRunning: 1 }, async (server) => {
      const greedy = await RawClient.connect(server.url);
      const polite = await Promise.all(Array.from({ length: 4 }, () => RawClient.connect(server.url)));
      try {
        // The cyphertext's first bytes name the connection (the fake backend only fails to decrypt them).
        const tagged = (tag: string): Uint8Array => u8aConcat(new TextEncoder().encode(tag), new Uint8Array(RSA_BLOCK_BYTES - 2));
        for (let i = 0; i < 12; i++) greedy.send(submitFrame(backend, tagged('gg'), i));
        await new Promise((r) => setTimeout(r, 50));
        polite.forEach((c, i) => c.send(submitFrame(backend, tagged(`p${i}`), 100 + i)));
        await new Promise((r) => setTimeout(r, 50));
        gated.release();
        await Promise.all(polite.map((c) => c.nextJson()));
        for (let i = 0; i < 12; i++) await greedy.nextJson();
        // Without the fair queue all four would wait behind the greedy twelve. (The polite ones' mutual order is
        // their arrival order over four sockets.)
        assert.deepEqual(gated.order.slice(0, 2), ['gg', 'gg'], 'one running, and the one queued before the others came');
        assert.deepEqual(gated.order.slice(2, 6).sort(), ['p0', 'p1', 'p2', 'p3']);
        assert.deepEqual(gated.order.slice(6), Array(10).fill('gg'));
      } finally {
        await Promise.all([greedy, ...polite].map((c) => c.close()));
      }
    });
  });

  it('answers over the per-connection (-32005) and total (-32002) decryption limits at once, not after a wait', async () => {
    const backend = new FakeBackend(tls.certPem, { shareKeyWith: keyOwner });
    const gated = gate(backend);
    await withServer(backend, { maxDecryptsRunning: 1, maxDecryptsPerConnection: 3, maxDecryptsWaiting: 4 }, async (server) => {
      const [a, b, c] = await Promise.all([RawClient.connect(server.url), RawClient.connect(server.url), RawClient.connect(server.url)]);
      try {
        const ct = new Uint8Array(RSA_BLOCK_BYTES);
        // a: one running, two waiting, the fourth over its limit; b: two more waiting fill the total of 4.
        for (let i = 0; i < 4; i++) a.send(submitFrame(backend, ct, i));
        await new Promise((r) => setTimeout(r, 50));
        for (let i = 0; i < 2; i++) b.send(submitFrame(backend, ct, 10 + i));
        await new Promise((r) => setTimeout(r, 50));
        c.send(submitFrame(backend, ct, 20));
        const busy = await c.nextJson(); // while every decryption is still held
        assert.equal(busy.error?.code, JSON_RPC_CODES.RESOURCE_UNAVAILABLE, JSON.stringify(busy));
        assert.match(busy.error!.message, /decryption queue full/);
        assert.equal(a.backlog, 0, "a's refusal is answered in request order, behind its three accepted requests");
        gated.release();
        const repliesA = await Promise.all(Array.from({ length: 4 }, () => a.nextJson()));
        assert.deepEqual(repliesA.map((r) => r.error?.code ?? 'answered'), ['answered', 'answered', 'answered', JSON_RPC_CODES.LIMIT_EXCEEDED]);
        assert.match(repliesA[3]!.error!.message, /more than 3 shielded requests of this connection/);
        assert.deepEqual((await Promise.all([b.nextJson(), b.nextJson()])).map((r) => r.error?.code ?? 'answered'), ['answered', 'answered']);
        assert.deepEqual([...backend.refusals], [['decrypt_queue_full', 1], ['server_busy', 1]]);
      } finally {
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });
  });

  it('refuses connections over maxConnections with HTTP 503 and accepts again once one closes', async () => {
    const backend = new FakeBackend(tls.certPem, { shareKeyWith: keyOwner });
    await withServer(backend, { maxConnections: 3 }, async (server) => {
      const held = await Promise.all(Array.from({ length: 3 }, () => RawClient.connect(server.url)));
      const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(server.url, { rejectUnauthorized: false });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('open', () => reject(new Error('connection over the limit was accepted')));
      });
      assert.deepEqual(refused, { status: 503, body: 'connection limit of 3 reached; retry later\n' });
      assert.equal(backend.refusals.get('max_connections'), 1);
      assert.equal(server.connectionCount(), 3);
      // The held ones keep working; a place freed is taken again.
      assert.equal((await held[0]!.call('system_name')).result, 'hello, world');
      await held[0]!.close();
      while (server.connectionCount() > 2) await new Promise((r) => setTimeout(r, 5));
      const again = await RawClient.connect(server.url);
      assert.equal((await again.call('system_name')).result, 'hello, world');
      await Promise.all([again, ...held.slice(1)].map((c) => c.close()));
    });
  });
});
