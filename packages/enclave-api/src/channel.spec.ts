import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';

import { ecallClient, ocallClient, serveEcalls, serveOcalls, type EcallHandlers, type OcallHandlers } from './calls.js';
import { Channel, FRAME_KIND, MAX_MESSAGE_BYTES, type Side } from './channel.js';
import { encode } from './codec.js';
import { ECALLS, type BlockImported, type InitArgs } from './ecalls.js';
import { BOUNDARY_ERRORS, BoundaryError, type BoundaryErrorCode } from './errors.js';
import { OCALLS, type LogRecord } from './ocalls.js';
import { duplexPair } from './testing/duplex-pair.js';
import { decodeErrorReply, encodeFrame, FrameReader, type RawFrame } from './testing/frames.js';
import { seededBytes } from './testing/random.js';

/** A connected pair of real TCP sockets on 127.0.0.1 (the kernel's framing: arbitrary chunk boundaries). */
async function tcpPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [serverSide] = await accepted;
  server.close();
  client.setNoDelay(true);
  serverSide.setNoDelay(true);
  return [client, serverSide];
}

const sockets: net.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function sockPair(): Promise<[net.Socket, net.Socket]> {
  const pair = await tcpPair();
  sockets.push(...pair);
  return pair;
}

function channel(stream: net.Socket | import('node:stream').Duplex, side: Side, maxMessageBytes?: number) {
  const errors: BoundaryError[] = [];
  const ch = new Channel(stream, { side, maxMessageBytes, onProtocolError: (e) => errors.push(e) });
  return { ch, errors };
}

const h = (byte: number) => new Uint8Array(32).fill(byte);
const initArgs: InitArgs = {
  sealedDir: '/tmp/sealed', platformSecretPath: undefined, shard: undefined, genesisHash: h(1),
  runtime: { metadata: new Uint8Array([1, 2, 3]), specVersion: 1, transactionVersion: 1 }, ss58Prefix: 42, development: true,
  nextNonce: 0, rpc: undefined, runner: undefined, smartWorkerFetchAllow: [], decryptThreads: 1, logLevel: 'info',
};
const info = { mrenclave: h(1), mrsigner: h(2), signer: h(3), shard: h(4), shieldingKeyJson: '{}', rpcUrl: undefined, runnerUrl: undefined, stateRoot: h(5) };
const imported = (n: number): BlockImported => ({
  writes: [{ key: `k${n}`, value: new Uint8Array([n]) }], extrinsics: [], indirectCalls: n, ok: n, failed: 0, callsRoot: h(n), stateRoot: h(n), executionSeconds: n + 0.25,
});

/** ECALL handlers; each throws unless a spec replaces it. */
function handlers(overrides: Partial<EcallHandlers> = {}): EcallHandlers {
  const missing = (name: string) => () => {
    throw new BoundaryError('INTERNAL', `${name} not in this spec`);
  };
  return Object.fromEntries(Object.keys(ECALLS).map((name) => [name, (overrides as Record<string, unknown>)[name] ?? missing(name)])) as unknown as EcallHandlers;
}

async function rejectsWith(promise: Promise<unknown>, code: BoundaryErrorCode, message?: RegExp): Promise<BoundaryError> {
  let caught: unknown;
  await promise.then(() => assert.fail(`resolved, expected ${code}`), (e: unknown) => (caught = e));
  assert.ok(caught instanceof BoundaryError, `not a BoundaryError: ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

function assertErrorReply(frame: RawFrame, seq: number, code: BoundaryErrorCode, message?: RegExp): void {
  assert.equal(frame.kind, FRAME_KIND.ecallReply, 'an ECALL reply');
  assert.equal(frame.seq, seq, 'to the request it answers');
  assert.equal(frame.code, BOUNDARY_ERRORS[code], `status ${code}, got ${frame.code}: ${frame.code ? decodeErrorReply(frame.payload).message : ''}`);
  if (message) assert.match(decodeErrorReply(frame.payload).message, message);
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw host (bytes by hand, replies read frame by frame) against a real enclave-side Channel. */
async function rawHostAgainstEnclave(overrides: Partial<EcallHandlers> = {}, maxMessageBytes?: number) {
  const [hostSocket, enclaveSocket] = await sockPair();
  const enclave = channel(enclaveSocket, 'enclave', maxMessageBytes);
  serveEcalls(enclave.ch, handlers({ console_status: () => ({ smartWorkers: [{ alive: true }] }), ...overrides }));
  const replies = new FrameReader(hostSocket);
  /** console_status round trip: the enclave side still parses frames and answers. */
  const alive = async (seq: number) => {
    hostSocket.write(encodeFrame(FRAME_KIND.ecall, seq, ECALLS.console_status.id));
    const reply = await replies.next();
    assert.deepEqual([reply.kind, reply.seq, reply.code], [FRAME_KIND.ecallReply, seq, 0], reply.code ? decodeErrorReply(reply.payload).message : '');
  };
  return { hostSocket, enclaveSocket, enclave, replies, alive };
}

describe('enclave-api channel', () => {
  describe('between two Channels over a TCP socket pair', () => {
    async function connected(ecalls: Partial<EcallHandlers>, ocalls: Partial<OcallHandlers> = {}) {
      const [a, b] = await sockPair();
      const host = channel(a, 'host');
      const enclave = channel(b, 'enclave');
      serveEcalls(enclave.ch, handlers(ecalls));
      serveOcalls(host.ch, ocalls as OcallHandlers);
      return { a, b, host, enclave, ecalls: ecallClient(host.ch), ocalls: ocallClient(enclave.ch) };
    }

    it('request and response, both directions, and one-way OCALLs', async () => {
      const logs: LogRecord[] = [];
      const stored = new Map<string, Uint8Array>([['k', new Uint8Array([9, 8, 7])]]);
      const { ecalls, ocalls, host, enclave } = await connected(
        { init: (args) => ({ ...info, shard: args.shard ?? h(0xee) }), import_block: (b) => imported(b.number) },
        { log: (r) => void logs.push(r), sealed_get: (key) => stored.get(key) },
      );
      assert.deepStrictEqual(await ecalls.init(initArgs), { ...info, shard: h(0xee) });
      assert.deepStrictEqual(await ecalls.import_block({ number: 7, hash: h(7), parentHash: h(6), extrinsics: [new Uint8Array(100_000)], events: undefined, committed: 0 }), imported(7));
      assert.deepStrictEqual(await ocalls.sealed_get('k'), new Uint8Array([9, 8, 7]));
      assert.equal(await ocalls.sealed_get('missing'), undefined);
      ocalls.log({ level: 'warn', component: 'stf', msg: 'hello', fields: '{}' });
      await tick();
      assert.deepStrictEqual(logs, [{ level: 'warn', component: 'stf', msg: 'hello', fields: '{}' }]);
      assert.deepEqual([host.errors, enclave.errors], [[], []]);
    });

    it('matches concurrent requests by sequence number, whatever order the replies come in', async () => {
      const { ecalls } = await connected({
        import_block: async (b) => {
          await tick(5 * (20 - b.number));
          return imported(b.number);
        },
      });
      const numbers = Array.from({ length: 20 }, (_, i) => i);
      const results = await Promise.all(numbers.map((n) => ecalls.import_block({ number: n, hash: h(n), parentHash: h(n), extrinsics: [], events: undefined, committed: 0 })));
      assert.deepStrictEqual(results, numbers.map(imported));
    });

    it('error replies carry the code, the message and the details; other errors become INTERNAL', async () => {
      const { ecalls } = await connected({
        import_block: () => {
          throw new BoundaryError('CHAIN_MISMATCH', 'block 12 does not extend 10', { details: { expected: 11, got: 12, hashes: ['0xab'], nested: { ok: false } } });
        },
        register: () => {
          throw new TypeError('oops');
        },
        console_status: () => {
          // Details that are no JSON still give the code and message.
          throw new BoundaryError('BUSY', 'busy now', { details: { big: 1n } });
        },
        set_runtime: () => {
          throw new BoundaryError('SEALED_DATA_INVALID', 'no details');
        },
      });
      const e = await rejectsWith(ecalls.import_block({ number: 12, hash: h(12), parentHash: h(11), extrinsics: [], events: undefined, committed: 0 }), 'CHAIN_MISMATCH', /^block 12 does not extend 10$/);
      assert.equal(e.status, 21);
      assert.deepStrictEqual(e.details, { expected: 11, got: 12, hashes: ['0xab'], nested: { ok: false } });
      await rejectsWith(ecalls.register({ url: undefined, nextNonce: 0 }), 'INTERNAL', /oops/);
      assert.equal((await rejectsWith(ecalls.console_status(undefined), 'BUSY', /busy now/)).details, undefined);
      assert.equal((await rejectsWith(ecalls.set_runtime(initArgs.runtime), 'SEALED_DATA_INVALID')).details, undefined);
    });

    it('an unknown call id is UNKNOWN_CALL, an argument that does not decode is MALFORMED_ARGUMENT', async () => {
      const { host, enclave } = await connected({ init: () => info });
      await rejectsWith(host.ch.request(999, new Uint8Array(0)), 'UNKNOWN_CALL', /999/);
      await rejectsWith(host.ch.request(OCALLS.sealed_get.id, encode(OCALLS.sealed_get.arg, 'k')), 'UNKNOWN_CALL', /105/);
      const good = encode(ECALLS.init.arg, initArgs);
      await rejectsWith(host.ch.request(ECALLS.init.id, good.subarray(0, good.length - 3)), 'MALFORMED_ARGUMENT', /^init: cannot decode InitArgs/);
      await rejectsWith(host.ch.request(ECALLS.init.id, new Uint8Array([...good, 0])), 'MALFORMED_ARGUMENT', /trailing|left after/);
      const badEnum = good.slice();
      badEnum[badEnum.length - 1] = 9;
      await rejectsWith(host.ch.request(ECALLS.init.id, badEnum), 'MALFORMED_ARGUMENT', /LogLevel has no variant 9/);
      await rejectsWith(host.ch.request(ECALLS.console_status.id, new Uint8Array([0])), 'MALFORMED_ARGUMENT');
      assert.deepStrictEqual(await ecallClient(host.ch).init(initArgs), info);
      assert.deepEqual(enclave.errors, []);
    });

    it('the other side closing rejects pending requests with ENCLAVE_CLOSED, and later ones at once', async () => {
      const { ecalls, b, host } = await connected({ import_block: () => new Promise(() => undefined) });
      const pending = [1, 2, 3].map((n) => ecalls.import_block({ number: n, hash: h(n), parentHash: h(n), extrinsics: [], events: undefined, committed: 0 }));
      await tick();
      b.destroy();
      for (const p of pending) await rejectsWith(p, 'ENCLAVE_CLOSED');
      await host.ch.closed;
      await rejectsWith(ecalls.console_status(undefined), 'ENCLAVE_CLOSED');
    });

    it('the host closing ends the enclave side (which is how the enclave process learns to exit)', async () => {
      const { host, enclave, ocalls } = await connected({});
      const pending = ocalls.sealed_get('k');
      host.ch.close();
      await enclave.ch.closed;
      await rejectsWith(pending, 'ENCLAVE_CLOSED');
    });
  });

  describe('bad frames, sent byte by byte to an enclave-side Channel', () => {
    it('an oversized frame is refused with MESSAGE_TOO_LARGE, skipped unread, and the next frame is served', async () => {
      const limit = 64 * 1024;
      const { hostSocket, enclave, replies, alive } = await rawHostAgainstEnclave({}, limit);
      const payload = seededBytes(limit + 1, 1);
      // Its tail and the next request in one write: the skipping must stop exactly at the frame's end.
      hostSocket.write(Buffer.concat([encodeFrame(FRAME_KIND.ecall, 41, ECALLS.init.id, payload), encodeFrame(FRAME_KIND.ecall, 42, ECALLS.console_status.id)]));
      assertErrorReply(await replies.next(), 41, 'MESSAGE_TOO_LARGE', /over the 65536-byte limit/);
      const next = await replies.next();
      assert.deepEqual([next.seq, next.code], [42, 0]);
      await alive(43);
      assert.deepEqual(enclave.errors.map((e) => e.code), ['MESSAGE_TOO_LARGE']);
    });

    it('also when the oversized frame arrives in many small chunks, its header split too', async () => {
      const limit = 64 * 1024;
      const { hostSocket, enclave, replies, alive } = await rawHostAgainstEnclave({}, limit);
      const frame = encodeFrame(FRAME_KIND.ecall, 7, ECALLS.import_block.id, seededBytes(3 * limit, 2));
      const after = encodeFrame(FRAME_KIND.ecall, 8, ECALLS.console_status.id);
      const stream = Buffer.concat([frame, after]);
      // 1, 2, 3 … byte pieces at first (the header arrives in pieces), then 4 KiB ones, each its own write.
      let at = 0;
      for (let size = 1; at < stream.length; size = size < 16 ? size + 1 : 4096) {
        hostSocket.write(stream.subarray(at, at + size));
        at += size;
        if (size < 16 || at % (16 * 4096) < 4096) await tick(1);
      }
      assertErrorReply(await replies.next(), 7, 'MESSAGE_TOO_LARGE');
      const next = await replies.next();
      assert.deepEqual([next.seq, next.code], [8, 0]);
      await alive(9);
      assert.equal(enclave.errors.length, 1);
    });

    it('at the default limit: a frame over MAX_MESSAGE_BYTES is skipped, one just under it is served', async () => {
      let got = -1;
      const { hostSocket, replies, alive } = await rawHostAgainstEnclave({ set_runtime: (r) => void (got = r.metadata.length) });
      const header = encodeFrame(FRAME_KIND.ecall, 1, ECALLS.set_runtime.id, new Uint8Array(0), MAX_MESSAGE_BYTES + 1 - 4);
      hostSocket.write(header);
      assertErrorReply(await replies.next(), 1, 'MESSAGE_TOO_LARGE');
      const chunk = Buffer.alloc(1 << 20);
      for (let left = MAX_MESSAGE_BYTES + 1 - header.length; left > 0; left -= chunk.length) {
        if (!hostSocket.write(chunk.subarray(0, Math.min(left, chunk.length)))) await once(hostSocket, 'drain');
      }
      await alive(2);
      const metadata = new Uint8Array(MAX_MESSAGE_BYTES - 11 - 4 - 8 - 8);
      const arg = encode(ECALLS.set_runtime.arg, { metadata, specVersion: 1, transactionVersion: 1 });
      assert.equal(11 + arg.length, MAX_MESSAGE_BYTES - 8);
      hostSocket.write(encodeFrame(FRAME_KIND.ecall, 3, ECALLS.set_runtime.id, arg));
      const reply = await replies.next(10_000);
      assert.deepEqual([reply.seq, reply.code], [3, 0]);
      assert.equal(got, metadata.length);
    });

    it('a frame shorter than its header is MALFORMED_MESSAGE, and the frames after it are still read', async () => {
      const { hostSocket, enclave, replies, alive } = await rawHostAgainstEnclave();
      // Length 5: kind and sequence number, no call id. Then length 0 and length 2, and a good request, in one write.
      const short5 = Buffer.from([5, 0, 0, 0, FRAME_KIND.ecall, 77, 0, 0, 0]);
      const short0 = Buffer.from([0, 0, 0, 0]);
      const short2 = Buffer.from([2, 0, 0, 0, FRAME_KIND.ecall, 1]);
      hostSocket.write(Buffer.concat([short5, short0, short2, encodeFrame(FRAME_KIND.ecall, 78, ECALLS.console_status.id)]));
      assertErrorReply(await replies.next(), 77, 'MALFORMED_MESSAGE', /shorter than a header/);
      assertErrorReply(await replies.next(), 0, 'MALFORMED_MESSAGE');
      assertErrorReply(await replies.next(), 0, 'MALFORMED_MESSAGE');
      const reply = await replies.next();
      assert.deepEqual([reply.seq, reply.code], [78, 0]);
      // A short frame on its own, the next request in a later write.
      hostSocket.write(short0);
      assertErrorReply(await replies.next(), 0, 'MALFORMED_MESSAGE');
      await alive(79);
      assert.deepEqual(enclave.errors.map((e) => e.code), Array(4).fill('MALFORMED_MESSAGE'));
    });

    it('a reply of a kind this side does not accept, or to no request, is reported and ignored', async () => {
      const { hostSocket, enclave, replies, alive } = await rawHostAgainstEnclave();
      hostSocket.write(Buffer.concat([
        encodeFrame(FRAME_KIND.ecallReply, 5, 0, new Uint8Array([1, 2])), // the enclave sends these, it never receives them
        encodeFrame(FRAME_KIND.ocallOneWay, 0, OCALLS.log.id, new Uint8Array(0)),
        encodeFrame(FRAME_KIND.ocallReply, 12345, 0, new Uint8Array(0)), // the kind it accepts, but no OCALL 12345 is pending
        encodeFrame(FRAME_KIND.ocallReply, 12346, BOUNDARY_ERRORS.HOST_FAILED, new Uint8Array(0)),
        encodeFrame(200, 6, 0),
      ]));
      await alive(1);
      assert.deepEqual(await replies.drain(100), [], 'nothing is answered');
      assert.deepEqual(enclave.errors.map((e) => [e.code, e.message]), [
        ['MALFORMED_MESSAGE', 'unexpected frame kind 1'],
        ['MALFORMED_MESSAGE', 'unexpected frame kind 4'],
        ['MALFORMED_MESSAGE', 'reply to unknown request 12345'],
        ['MALFORMED_MESSAGE', 'error reply to unknown request 12346: error reply without a readable message'],
        ['MALFORMED_MESSAGE', 'unexpected frame kind 200'],
      ]);
    });

    it('the host side likewise ignores ECALL frames and stray replies from the enclave', async () => {
      const [hostSocket, enclaveSocket] = await sockPair();
      const host = channel(hostSocket, 'host');
      serveOcalls(host.ch, { sync_status: () => ({ imported: 1, finalized: 2, lag: 1, stalled: undefined }) } as unknown as OcallHandlers);
      const replies = new FrameReader(enclaveSocket);
      enclaveSocket.write(Buffer.concat([
        encodeFrame(FRAME_KIND.ecall, 1, ECALLS.shutdown.id),
        encodeFrame(FRAME_KIND.ecallReply, 99, 0),
        encodeFrame(FRAME_KIND.ocall, 2, OCALLS.sync_status.id),
      ]));
      const reply = await replies.next();
      assert.deepEqual([reply.kind, reply.seq, reply.code], [FRAME_KIND.ocallReply, 2, 0]);
      assert.deepEqual(await replies.drain(50), []);
      assert.deepEqual(host.errors.map((e) => e.message), ['unexpected frame kind 0', 'reply to unknown request 99']);
      assert.throws(() => host.ch.notify(OCALLS.log.id, new Uint8Array(0)), /enclave to the host only/);
    });

    it('an oversized reply rejects its request with MESSAGE_TOO_LARGE instead of leaving it pending', async () => {
      const [hostSocket, enclaveSocket] = await sockPair();
      const host = channel(hostSocket, 'host', 1024);
      const enclaveReplies = new FrameReader(enclaveSocket);
      const pending = host.ch.request(ECALLS.console_status.id, new Uint8Array(0));
      const request = await enclaveReplies.next();
      enclaveSocket.write(Buffer.concat([encodeFrame(FRAME_KIND.ecallReply, request.seq, 0, new Uint8Array(5000)), encodeFrame(FRAME_KIND.ecallReply, request.seq + 1, 0)]));
      await rejectsWith(pending, 'MESSAGE_TOO_LARGE');
      const next = host.ch.request(ECALLS.console_status.id, new Uint8Array(0));
      const second = await enclaveReplies.next();
      enclaveSocket.write(encodeFrame(FRAME_KIND.ecallReply, second.seq, 0, new Uint8Array([7])));
      assert.deepStrictEqual(new Uint8Array(await next), new Uint8Array([7]));
    });

    it('refuses to send a frame the other side would refuse: a request locally, a result as MESSAGE_TOO_LARGE', async () => {
      const [a, b] = duplexPair();
      const host = channel(a, 'host', 4096);
      const enclave = channel(b, 'enclave', 4096);
      serveEcalls(enclave.ch, handlers({ console_status: () => ({ smartWorkers: [{ blob: 'x'.repeat(10_000) }] }) }));
      await rejectsWith(host.ch.request(ECALLS.init.id, new Uint8Array(5000)), 'MESSAGE_TOO_LARGE', /not sent/);
      await rejectsWith(ecallClient(host.ch).console_status(undefined), 'MESSAGE_TOO_LARGE');
      assert.deepEqual(enclave.errors.map((e) => e.code), ['MESSAGE_TOO_LARGE']);
    });
  });

  it('reassembles frames delivered one byte at a time (in-memory pair)', async () => {
    const [a, b] = duplexPair({ chunkBytes: 1 });
    const host = channel(a, 'host');
    const enclave = channel(b, 'enclave');
    serveEcalls(enclave.ch, handlers({ import_block: (blk) => imported(blk.number) }));
    const ecalls = ecallClient(host.ch);
    const results = await Promise.all([1, 2, 3].map((n) => ecalls.import_block({ number: n, hash: h(n), parentHash: h(n), extrinsics: [seededBytes(300, n)], events: seededBytes(10, n), committed: n - 1 })));
    assert.deepStrictEqual(results, [1, 2, 3].map(imported));
  });
});
