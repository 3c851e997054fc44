import assert from 'node:assert/strict';

import { ScaleDecodeError, ScaleEncodeError, type ScaleDecodeErrorCode } from '@sealbridge/chain-types';

import { bool, bytes, decode, encode, f64, fixed, h256, json, names, option, str, struct, tuple, u16, u32, u64, u8, unit, vec, type Codec } from './codec.js';
import { ECALLS, type EcallArg, type EcallName, type EcallResult, type InitArgs, type RawBlock, type SignedExtrinsic } from './ecalls.js';
import { OCALLS, type OcallArg, type OcallName, type OcallResult } from './ocalls.js';
import { SeededRandom, seededBytes } from './testing/random.js';

const U32_MAX = 2 ** 32 - 1;
const h = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
/** Floats that must come back bit for bit (deepStrictEqual compares with Object.is: NaN equals NaN, -0 is not 0). */
const FLOATS = [0, -0, 1, 0.5, 0.1 + 0.2, -273.15, 1e-300, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 12345.678901234];

const runtimeInfo = { metadata: seededBytes(70_000, 7), specVersion: U32_MAX, transactionVersion: 0 };
const extrinsic = (nonce: number, kind = 'confirm', size = 150): SignedExtrinsic => ({ hash: h(nonce & 0xff), nonce, kind, bytes: seededBytes(size, nonce + 1) });

const initFull: InitArgs = {
  sealedDir: '/var/lib/sealbridge/sealed/ünïcødé ✓',
  platformSecretPath: '/dev/shm/platform.secret',
  shard: h(0xab),
  genesisHash: h(0x01),
  runtime: runtimeInfo,
  ss58Prefix: 65535,
  development: true,
  nextNonce: U32_MAX,
  rpc: { host: '127.0.0.1', port: 2000, maxConnections: U32_MAX, advertisedUrl: 'wss://worker.example:2000' },
  runner: { host: '0.0.0.0', port: 0, token: 'secret-token' },
  smartWorkerFetchAllow: ['https://api.example', '*.example.org', ''],
  decryptThreads: 0,
  logLevel: 'error',
};
const initMinimal: InitArgs = {
  sealedDir: '',
  platformSecretPath: undefined,
  shard: undefined,
  genesisHash: h(0),
  runtime: { metadata: new Uint8Array(0), specVersion: 0, transactionVersion: 0 },
  ss58Prefix: 0,
  development: false,
  nextNonce: 0,
  rpc: { host: '::1', port: 65535, maxConnections: 0, advertisedUrl: undefined },
  runner: undefined,
  smartWorkerFetchAllow: [],
  decryptThreads: 1,
  logLevel: 'debug',
};
const block = (number: number, extrinsics: Uint8Array[], events: Uint8Array | undefined, committed = number - 1): RawBlock => ({ number, hash: h(number & 0xff), parentHash: h((number - 1) & 0xff), extrinsics, events, committed: Math.max(0, committed) });

/** Representative values of every ECALL's argument and result: the edges of each field's range and shape. */
const ECALL_SAMPLES: { [N in EcallName]: { arg: Array<EcallArg<N>>; result: Array<EcallResult<N>> } } = {
  init: {
    arg: [initFull, initMinimal, { ...initMinimal, logLevel: 'info' }, { ...initMinimal, logLevel: 'warn', rpc: undefined }],
    result: [
      { mrenclave: h(1), mrsigner: h(2), signer: h(3), shard: h(4), shieldingKeyJson: '{"n":[1,2,3],"e":[1,0,1]}', rpcUrl: 'wss://127.0.0.1:2000', runnerUrl: 'http://127.0.0.1:8080', stateRoot: h(0xff) },
      { mrenclave: h(0), mrsigner: h(0), signer: h(0), shard: h(0), shieldingKeyJson: '', rpcUrl: undefined, runnerUrl: undefined, stateRoot: h(0) },
    ],
  },
  set_runtime: { arg: [runtimeInfo, { metadata: new Uint8Array(0), specVersion: 1, transactionVersion: U32_MAX }], result: [undefined] },
  import_block: {
    arg: [
      block(U32_MAX, [new Uint8Array(0), seededBytes(1, 1), seededBytes(63, 2), seededBytes(64, 3), seededBytes(16_383, 4), seededBytes(16_384, 5)], seededBytes(1 << 20, 6), U32_MAX),
      block(1, [], undefined),
      block(0, [], new Uint8Array(0)),
    ],
    result: [
      ...FLOATS.map((executionSeconds, i) => ({
        writes: [{ key: `state/${i}`, value: seededBytes(100 + i, i) }, { key: '', value: undefined }, { key: 'empty', value: new Uint8Array(0) }],
        extrinsics: [extrinsic(i), extrinsic(U32_MAX, 'unshield_funds', 0)],
        indirectCalls: U32_MAX,
        ok: i,
        failed: 0,
        callsRoot: h(i),
        stateRoot: h(0xfe),
        executionSeconds,
      })),
      { writes: [], extrinsics: [], indirectCalls: 0, ok: 0, failed: 0, callsRoot: h(0), stateRoot: h(0), executionSeconds: 0 },
    ],
  },
  register: {
    arg: [{ url: 'wss://worker.example:2000', nextNonce: 7 }, { url: undefined, nextNonce: U32_MAX }, { url: '', nextNonce: 0 }],
    result: [{ attestation: 'Skip', extrinsic: extrinsic(3, 'register') }, { attestation: 'Simulated', extrinsic: extrinsic(U32_MAX, 'register', 5000) }],
  },
  console_status: {
    arg: [undefined],
    result: [{ smartWorkers: [] }, { smartWorkers: [{ id: 'a1', name: 'echo ✓', createdAt: 1_700_000_000_000, tags: ['x'], nested: { ok: true, n: null } }] }],
  },
  shutdown: { arg: [undefined], result: [undefined] },
};

const OCALL_SAMPLES: { [N in OcallName]: { arg: Array<OcallArg<N>>; result: Array<OcallResult<N>> } } = {
  log: {
    arg: (['debug', 'info', 'warn', 'error'] as const).map((level, i) => ({ level, component: i ? 'stf' : '', msg: `message ${i} ✓`, fields: i ? '{"block":12,"ok":true}' : '{}' })),
    result: [undefined],
  },
  metrics: {
    arg: [
      [],
      (['define', 'inc', 'set', 'observe'] as const).flatMap((op, i) => FLOATS.map((value) => ({ op, name: `sealbridge_metric_${i}`, labels: '{"shard":"abc"}', values: [value] }))),
      [{ op: 'observe' as const, name: 'sealbridge_rpc_request_duration_seconds', labels: '{"method":"state_executeGetter"}', values: FLOATS }, { op: 'define' as const, name: 'd', labels: '{}', values: [] }],
    ],
    result: [undefined],
  },
  send_extrinsic: { arg: [{ extrinsic: extrinsic(9, 'relay', 300), origin: U32_MAX }, { extrinsic: extrinsic(0, 'olm_keys', 0), origin: 0 }], result: [undefined] },
  read_storage: {
    arg: [{ keys: [seededBytes(32, 1), new Uint8Array(0), seededBytes(80, 2)], at: h(9) }, { keys: [], at: undefined }],
    result: [[], [undefined, new Uint8Array(0), seededBytes(100_000, 3), undefined]],
  },
  sealed_get: { arg: ['state/current', ''], result: [undefined, new Uint8Array(0), seededBytes(2 << 20, 4)] },
  sealed_put: { arg: [['sw/record/1', seededBytes(500, 5)], ['', new Uint8Array(0)]], result: [undefined] },
  sealed_delete: { arg: ['sw/record/1'], result: [undefined] },
  sealed_scan: { arg: ['sw/', ''], result: [[], [['sw/a', seededBytes(10, 6)], ['sw/b', new Uint8Array(0)]]] },
  sync_status: {
    arg: [undefined],
    result: [
      { imported: U32_MAX, finalized: U32_MAX, lag: 0, stalled: undefined },
      { imported: 10, finalized: 20, lag: 10, stalled: { since: Number.MAX_SAFE_INTEGER, block: 11, reason: 'CHAIN_MISMATCH: block 11 does not extend 10' } },
      { imported: 0, finalized: 0, lag: 0, stalled: { since: 0, block: 0, reason: '' } },
    ],
  },
};

/** Every (codec, value) pair of both lists, named for the failure message. */
function allSamples(): Array<{ what: string; codec: Codec<unknown>; value: unknown }> {
  const out: Array<{ what: string; codec: Codec<unknown>; value: unknown }> = [];
  for (const [table, samples, kind] of [[ECALLS, ECALL_SAMPLES, 'ECALL'], [OCALLS, OCALL_SAMPLES, 'OCALL']] as const) {
    for (const [name, spec] of Object.entries(table) as Array<[string, { arg: Codec<unknown>; result: Codec<unknown> }]>) {
      const s = (samples as Record<string, { arg: unknown[]; result: unknown[] }>)[name]!;
      s.arg.forEach((value, i) => out.push({ what: `${kind} ${name} arg #${i} (${spec.arg.name})`, codec: spec.arg, value }));
      s.result.forEach((value, i) => out.push({ what: `${kind} ${name} result #${i} (${spec.result.name})`, codec: spec.result, value }));
    }
  }
  return out;
}

/** `bytes` inside a larger, pooled buffer at an odd offset: how a payload arrives, a view of a received chunk. */
function asFrameView(bytes: Uint8Array, seed: number): Buffer {
  const pool = Buffer.allocUnsafe(bytes.length + 37);
  pool.set(seededBytes(pool.length, seed));
  pool.set(bytes, 13);
  return pool.subarray(13, 13 + bytes.length);
}

function assertDecodeError(fn: () => unknown, code: ScaleDecodeErrorCode | ScaleDecodeErrorCode[] | undefined, what: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ScaleDecodeError, `${what}: ${(error as Error)?.constructor?.name} ${(error as Error)?.message}, not a ScaleDecodeError`);
    if (code) assert.ok([code].flat().includes(error.code), `${what}: ${error.code} ${error.message}`);
    return true;
  });
}

describe('enclave-api codec', () => {
  it('has samples for every ECALL and OCALL', () => {
    assert.deepEqual(Object.keys(ECALL_SAMPLES).sort(), Object.keys(ECALLS).sort());
    assert.deepEqual(Object.keys(OCALL_SAMPLES).sort(), Object.keys(OCALLS).sort());
    for (const [name, s] of Object.entries({ ...ECALL_SAMPLES, ...OCALL_SAMPLES })) {
      assert.ok(s.arg.length > 0 && s.result.length > 0, name);
    }
  });

  it('round-trips every ECALL and OCALL argument and result', () => {
    for (const { what, codec, value } of allSamples()) {
      const encoded = encode(codec, value);
      assert.deepStrictEqual(decode(codec, encoded), value, what);
      // Encoding is a function of the value: the same bytes again.
      assert.deepStrictEqual(encode(codec, decode(codec, encoded)), encoded, what);
    }
  });

  it('decodes the same from a view into a larger buffer (as payloads arrive: subarrays of a received chunk)', () => {
    allSamples().forEach(({ what, codec, value }, i) => {
      const view = asFrameView(encode(codec, value), i + 1);
      const decoded = decode(codec, view);
      assert.deepStrictEqual(decoded, value, what);
      // Byte fields are copies, not views that keep (or alias) the received chunk.
      view.fill(0);
      assert.deepStrictEqual(decoded, value, `${what}: decoded bytes alias the input`);
    });
  });

  it('f64 is IEEE-754 little endian and read from its own bytes, not the start of the underlying buffer', () => {
    assert.deepStrictEqual(encode(f64, 1.5), new Uint8Array([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]));
    assert.deepStrictEqual(encode(f64, -2), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0xc0]));
    for (const [i, value] of FLOATS.entries()) {
      // Small Buffers share node's 8 KiB pool: a decoder that read `.buffer` from offset 0 would see other bytes.
      const pooled = Buffer.concat([Buffer.from(seededBytes(i + 3, i + 1)), Buffer.from(encode(f64, value))]).subarray(i + 3);
      assert.ok(pooled.byteOffset > 0);
      assert.deepStrictEqual(decode(f64, pooled), value, String(value));
      const unaligned = asFrameView(encode(struct('S', { a: u8, v: f64 }), { a: 7, v: value }), i);
      assert.deepStrictEqual(decode(struct('S', { a: u8, v: f64 }), unaligned), { a: 7, v: value }, `unaligned ${value}`);
    }
    // NaN stays a NaN (its bits may be canonicalised, its nature may not).
    assert.ok(Number.isNaN(decode(f64, new Uint8Array([1, 0, 0, 0, 0, 0, 0xf8, 0x7f]))));
  });

  it('integers at their edges, and refuses values out of range when encoding', () => {
    assert.deepStrictEqual(encode(u32, U32_MAX), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    assert.equal(decode(u32, new Uint8Array([0xff, 0xff, 0xff, 0xff])), U32_MAX);
    assert.equal(decode(u16, new Uint8Array([0xff, 0xff])), 65535);
    assert.equal(decode(u64, encode(u64, Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    for (const [c, v] of [[u32, 2 ** 32], [u32, -1], [u32, 1.5], [u16, 65536], [u8, 256], [u64, 2 ** 53]] as const) {
      assert.throws(() => encode(c as Codec<number>, v), ScaleEncodeError, `${c.name} ${v}`);
    }
    assert.throws(() => encode(h256, new Uint8Array(31)), RangeError);
    assert.throws(() => encode(names('E', ['A'] as const), 'B' as 'A'), RangeError);
    assert.throws(() => encode(json('J'), undefined), ScaleEncodeError);
  });

  describe('strict decoding: ScaleDecodeError, never a value or another error', () => {
    it('refuses every truncation of every sample', () => {
      for (const { what, codec, value } of allSamples()) {
        const encoded = encode(codec, value);
        // Every prefix for small values; for large ones the edges and a spread in between.
        const cuts = encoded.length <= 600
          ? Array.from({ length: encoded.length }, (_, i) => i)
          : [...Array.from({ length: 300 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => Math.floor((encoded.length * i) / 100)), encoded.length - 1];
        for (const cut of cuts) assertDecodeError(() => decode(codec, encoded.subarray(0, cut)), undefined, `${what} cut at ${cut}/${encoded.length}`);
        // Short by one byte: the last field is cut, or the length before it claims more than is left.
        if (encoded.length > 0) assertDecodeError(() => decode(codec, encoded.subarray(0, encoded.length - 1)), ['SCALE_TRUNCATED', 'SCALE_LENGTH_OVERFLOW'], `${what} minus its last byte`);
      }
    });

    it('refuses trailing bytes after every sample', () => {
      for (const { what, codec, value } of allSamples()) {
        const encoded = encode(codec, value);
        for (const tail of [[0], [1, 2, 3]]) {
          assertDecodeError(() => decode(codec, new Uint8Array([...encoded, ...tail])), 'SCALE_TRAILING_BYTES', `${what} + ${tail.length} bytes`);
        }
      }
      assertDecodeError(() => decode(unit, new Uint8Array([0])), 'SCALE_TRAILING_BYTES', '()');
    });

    it('refuses an Option tag other than 0 or 1', () => {
      assertDecodeError(() => decode(option(u32), new Uint8Array([2, 0, 0, 0, 0])), 'SCALE_NON_CANONICAL', 'Option tag 2');
      assertDecodeError(() => decode(option(bytes), new Uint8Array([0xff])), 'SCALE_NON_CANONICAL', 'Option tag 255');
      // Inside a message: sealed_get's Option<Vec<u8>> result, InitArgs.platformSecretPath (right after sealedDir).
      assertDecodeError(() => decode(OCALLS.sealed_get.result, new Uint8Array([2, 0])), 'SCALE_NON_CANONICAL', 'sealed_get result');
      const init = encode(ECALLS.init.arg, initMinimal);
      assert.equal(init[1], 0, 'platformSecretPath None follows the empty sealedDir');
      const bad = init.slice();
      bad[1] = 7;
      assertDecodeError(() => decode(ECALLS.init.arg, bad), 'SCALE_NON_CANONICAL', 'InitArgs.platformSecretPath tag 7');
    });

    it('refuses an enum index past the last variant', () => {
      const init = encode(ECALLS.init.arg, initMinimal);
      assert.equal(init[init.length - 1], 0, 'logLevel is the last field');
      for (const index of [4, 255]) {
        const bad = init.slice();
        bad[bad.length - 1] = index;
        assertDecodeError(() => decode(ECALLS.init.arg, bad), 'SCALE_UNKNOWN_VARIANT', `LogLevel ${index}`);
      }
      const log = encode(OCALLS.log.arg, OCALL_SAMPLES.log.arg[0]!);
      assertDecodeError(() => decode(OCALLS.log.arg, new Uint8Array([4, ...log.subarray(1)])), 'SCALE_UNKNOWN_VARIANT', 'LogRecord.level');
      const metric = encode(OCALLS.metrics.arg, [{ op: 'inc', name: 'm', labels: '{}', values: [1] }]);
      metric[1] = 4;
      assertDecodeError(() => decode(OCALLS.metrics.arg, metric), 'SCALE_UNKNOWN_VARIANT', 'MetricOp.op');
      const registration = encode(ECALLS.register.result, ECALL_SAMPLES.register.result[0]!);
      registration[0] = 2;
      assertDecodeError(() => decode(ECALLS.register.result, registration), 'SCALE_UNKNOWN_VARIANT', 'Registration.attestation');
    });

    it('refuses other non-canonical bytes: bool 2, invalid UTF-8, a length past the end, u64 over 2^53, JSON that is not', () => {
      assertDecodeError(() => decode(bool, new Uint8Array([2])), 'SCALE_NON_CANONICAL', 'bool 2');
      assertDecodeError(() => decode(str, new Uint8Array([8, 0xc3, 0x28])), 'SCALE_NON_CANONICAL', 'bad UTF-8');
      assertDecodeError(() => decode(bytes, new Uint8Array([0xfe, 0xff, 0xff, 0xff, 1])), 'SCALE_LENGTH_OVERFLOW', 'Vec<u8> of 2^30 bytes');
      assertDecodeError(() => decode(vec(str), new Uint8Array([0x08, 0])), 'SCALE_LENGTH_OVERFLOW', 'Vec<str> of 2 in 1 byte');
      assertDecodeError(() => decode(bytes, new Uint8Array([0x01, 0x00])), 'SCALE_NON_CANONICAL', 'over-long compact');
      assertDecodeError(() => decode(u64, new Uint8Array([0, 0, 0, 0, 0, 0, 0x20, 0])), 'SCALE_NON_CANONICAL', 'u64 2^53');
      assertDecodeError(() => decode(fixed(32), new Uint8Array(31)), 'SCALE_TRUNCATED', '[u8; 32] of 31');
      assertDecodeError(() => decode(f64, new Uint8Array(7)), 'SCALE_TRUNCATED', 'f64 of 7 bytes');
      assertDecodeError(() => decode(tuple(str, bytes), encode(str, 'only the key')), 'SCALE_TRUNCATED', 'tuple missing its second');
      // A string that is not JSON where a JSON document is carried (console_status' result, error details).
      assertDecodeError(() => decode(ECALLS.console_status.result, encode(str, '{"smartWorkers": [')), 'SCALE_NON_CANONICAL', 'ConsoleInfo');
      assertDecodeError(() => decode(json('details'), encode(str, '')), 'SCALE_NON_CANONICAL', 'empty JSON');
    });

    it('random corruption of any sample decodes or throws ScaleDecodeError, nothing else (seeded)', () => {
      const seed = Number(process.env.SEALBRIDGE_CODEC_SEED ?? 0x5eed);
      const random = new SeededRandom(seed);
      const next = () => random.next() & 0xffff;
      let decodedAnyway = 0;
      let refused = 0;
      for (const { what, codec, value } of allSamples()) {
        const encoded = encode(codec, value);
        if (encoded.length === 0) continue;
        for (let round = 0; round < 40; round++) {
          const bad = encoded.slice(0, Math.min(encoded.length, 4096));
          const flips = 1 + (next() % 4);
          for (let f = 0; f < flips; f++) bad[next() % bad.length] = next() & 0xff;
          try {
            decode(codec, bad);
            decodedAnyway++;
          } catch (error) {
            assert.ok(error instanceof ScaleDecodeError, `${what} (seed ${seed}, round ${round}): ${(error as Error).constructor.name}: ${(error as Error).message}`);
            refused++;
          }
        }
      }
      assert.ok(refused > 0 && decodedAnyway >= 0);
    });
  });
});
