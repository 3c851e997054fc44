import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { ScaleDecodeError } from '../errors.js';
import { sealbridgeRegistry } from '../registry.js';
import { decodeExact, decodeGetterStrict, decodeRequestStrict, decodeTrustedCallSignedStrict, decodeTrustedOperationStrict } from '../scale.js';
import { PortableCodec, ScaleReader, encodeCompact, type EnumValue, type PortableField, type PortableType, type PortableTypeDef, type ScaleValue } from './index.js';

/**
 * Fuzz of the SCALE codec: random and mutated bytes into PortableCodec (over a small hand-written portable table
 * with every kind of type), ScaleReader's primitives and chain-types' trusted-operation decoders. Only
 * ScaleDecodeError may come out, decode and skip must agree, whatever decodes must re-encode to the same bytes, no
 * input may take long or allocate by its claimed length. Seeded; the seed is printed and SEALBRIDGE_FUZZ_SEED
 * replays it.
 */

const SEED_ENV = 'SEALBRIDGE_FUZZ_SEED';
/**
 * One input may take this long at most (garbage collection and polkadot-js' first use of a type included); a loop
 * driven by a hostile length, 2^30 iterations, would take minutes.
 */
const SLOW_MS = 1000;

/** mulberry32: reproducible from the printed seed. */
function rngFrom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function seedFromEnv(): number {
  const raw = process.env[SEED_ENV];
  if (raw === undefined || raw === '') return randomInt(2 ** 32 - 1);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`${SEED_ENV}=${raw} is not a 32-bit unsigned integer`);
  return n;
}

class Fuzz {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = rngFrom(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Bytes biased towards what parsers branch on: 0, 1, the compact mode bits, 0xff. */
  byte(): number {
    return this.next() < 0.5 ? this.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x0c, 0x40, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff]) : this.int(256);
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.byte());
  }
}

// ---- the portable table ---------------------------------------------------------------------------------------

class Table {
  readonly types: PortableType[] = [];
  readonly names = new Map<number, string>();

  add(name: string, def: PortableTypeDef, path: string[] = []): number {
    const id = this.types.length;
    this.types.push({ id, path, params: [], def, docs: [] });
    this.names.set(id, name);
    return id;
  }

  reserve(name: string): number {
    return this.add(name, { kind: 'tuple', types: [] });
  }

  define(id: number, def: PortableTypeDef, path: string[] = []): void {
    this.types[id] = { id, path, params: [], def, docs: [] };
  }
}

function buildTable(): Table {
  const t = new Table();
  const prim = Object.fromEntries(
    (['bool', 'char', 'str', 'u8', 'u16', 'u32', 'u64', 'u128', 'u256', 'i8', 'i16', 'i32', 'i64', 'i128', 'i256'] as const).map((name) => [name, t.add(name, { kind: 'primitive', name })]),
  ) as Record<'bool' | 'char' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256', number>;
  const unit = t.add('()', { kind: 'tuple', types: [] });
  for (const w of ['u8', 'u16', 'u32', 'u64', 'u128', 'u256'] as const) t.add(`Compact<${w}>`, { kind: 'compact', type: prim[w] });
  t.add('Compact<()>', { kind: 'compact', type: unit });
  const perbill = t.add('Perbill', { kind: 'composite', fields: [{ type: prim.u32 }] }, ['sp_arithmetic', 'per_things', 'Perbill']);
  t.add('Compact<Perbill>', { kind: 'compact', type: perbill });
  const compactU64 = t.add('Compact<u64>', { kind: 'compact', type: prim.u64 });
  const option = (name: string, inner: number) =>
    t.add(name, { kind: 'variant', variants: [{ name: 'None', index: 0, fields: [] }, { name: 'Some', index: 1, fields: [{ type: inner }] }] }, ['Option']);
  const result = (name: string, ok: number, err: number) =>
    t.add(name, { kind: 'variant', variants: [{ name: 'Ok', index: 0, fields: [{ type: ok }] }, { name: 'Err', index: 1, fields: [{ type: err }] }] }, ['Result']);
  const optionBool = option('Option<bool>', prim.bool);
  option('Option<u64>', prim.u64);
  const optionU8 = option('Option<u8>', prim.u8);
  const bytes = t.add('Vec<u8>', { kind: 'sequence', type: prim.u8 });
  result('Result<u8, str>', prim.u8, prim.str);
  const resultOptionUnit = result('Result<Option<u8>, ()>', optionU8, unit);
  option('Option<Result<Option<u8>, ()>>', resultOptionUnit);
  result('Result<Option<bool>, Vec<u8>>', optionBool, bytes);
  // Some(None) and None: an Option of an Option is an enum value, so both stay distinct.
  option('Option<Option<u8>>', optionU8);
  const vecUnit = t.add('Vec<()>', { kind: 'sequence', type: unit });
  const pair = t.add('(u16, u32)', { kind: 'tuple', types: [prim.u16, prim.u32] });
  t.add(
    'Gaps',
    {
      kind: 'variant',
      variants: [
        { name: 'A', index: 0, fields: [] },
        { name: 'B', index: 3, fields: [{ type: prim.u8 }] },
        { name: 'C', index: 7, fields: [{ name: 'x', type: compactU64 }, { name: 'y', type: prim.bool }] },
        { name: 'D', index: 200, fields: [{ type: prim.u16 }, { type: prim.u32 }] },
        { name: 'E', index: 255, fields: [{ type: vecUnit }] },
      ],
    },
    ['demo', 'Gaps'],
  );
  t.add('Vec<u64>', { kind: 'sequence', type: prim.u64 });
  t.add('Vec<Option<bool>>', { kind: 'sequence', type: optionBool });
  t.add('Vec<(u16, u32)>', { kind: 'sequence', type: pair });
  t.add('[u8; 4]', { kind: 'array', len: 4, type: prim.u8 });
  t.add('[u16; 3]', { kind: 'array', len: 3, type: prim.u16 });
  t.add('[(); 5]', { kind: 'array', len: 5, type: unit });
  t.add('[bool; 2]', { kind: 'array', len: 2, type: prim.bool });
  t.add('(u8, Compact<u64>, str)', { kind: 'tuple', types: [prim.u8, compactU64, prim.str] });
  t.add('Struct', { kind: 'composite', fields: [{ name: 'a', type: prim.u32 }, { name: 'b', type: bytes }, { name: 'c', type: option('Option<i16>', prim.i16) }] }, ['demo', 'Struct']);
  const lsb0 = t.add('Lsb0', { kind: 'composite', fields: [] }, ['bitvec', 'order', 'Lsb0']);
  const msb0 = t.add('Msb0', { kind: 'composite', fields: [] }, ['bitvec', 'order', 'Msb0']);
  t.add('BitVec<u8, Lsb0>', { kind: 'bitSequence', storeType: prim.u8, orderType: lsb0 });
  t.add('BitVec<u32, Msb0>', { kind: 'bitSequence', storeType: prim.u32, orderType: msb0 });
  t.add('BitVec<u64, Lsb0>', { kind: 'bitSequence', storeType: prim.u64, orderType: lsb0 });
  // Recursive: a tree through Vec and through two direct fields, a list through Option, a RuntimeCall look-alike.
  const tree = t.reserve('Tree');
  const trees = t.add('Vec<Tree>', { kind: 'sequence', type: tree });
  t.define(tree, { kind: 'variant', variants: [{ name: 'Leaf', index: 0, fields: [{ type: prim.u8 }] }, { name: 'Node', index: 1, fields: [{ type: trees }] }, { name: 'Pair', index: 2, fields: [{ type: tree }, { type: tree }] }] }, ['demo', 'Tree']);
  const list = t.reserve('List');
  const tail = option('Option<List>', list);
  t.define(list, { kind: 'composite', fields: [{ name: 'head', type: prim.u8 }, { name: 'tail', type: tail }] }, ['demo', 'List']);
  const call = t.reserve('Call');
  const calls = t.add('Vec<Call>', { kind: 'sequence', type: call });
  t.define(call, { kind: 'variant', variants: [{ name: 'Remark', index: 0, fields: [{ name: 'remark', type: bytes }] }, { name: 'Batch', index: 1, fields: [{ name: 'calls', type: calls }] }, { name: 'Sudo', index: 5, fields: [{ name: 'call', type: call }] }] }, ['demo_runtime', 'RuntimeCall']);
  t.add('Void', { kind: 'variant', variants: [] }, ['sp_core', 'Void']);
  return t;
}

const TABLE = buildTable();
const CODEC = new PortableCodec(TABLE.types);
const IDS = TABLE.types.map((t) => t.id);
const isOption = (t: PortableType) => t.path.length === 1 && t.path[0] === 'Option';

// ---- random valid values (for mutation) ------------------------------------------------------------------------

const UINT_BYTES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, u256: 32 };
const INT_BYTES: Record<string, number> = { i8: 1, i16: 2, i32: 4, i64: 8, i128: 16, i256: 32 };

function randomBig(f: Fuzz, bits: number): bigint {
  let v = 0n;
  const width = f.int(bits + 1);
  for (let i = 0; i < width; i += 8) v = (v << 8n) | BigInt(f.int(256));
  return BigInt.asUintN(width, v);
}

function randomValue(f: Fuzz, id: number, depth = 0): ScaleValue {
  const t = TABLE.types[id]!;
  const d = t.def;
  const shallow = depth > 6;
  switch (d.kind) {
    case 'primitive': {
      if (d.name === 'bool') return f.next() < 0.5;
      if (d.name === 'char') return String.fromCodePoint(f.pick([0x41, 0xe9, 0x20ac, 0x1f600, 0x10ffff]));
      if (d.name === 'str') return f.pick(['', 'a', 'grüße', '😀🙂', 'x'.repeat(70)]);
      const size = UINT_BYTES[d.name] ?? INT_BYTES[d.name]!;
      const v = UINT_BYTES[d.name] ? randomBig(f, size * 8) : BigInt.asIntN(size * 8, randomBig(f, size * 8));
      return size <= 4 ? Number(v) : v;
    }
    case 'compact': {
      const inner = TABLE.types[d.type]!.def;
      if (inner.kind === 'tuple') return 0;
      const bits = inner.kind === 'primitive' ? UINT_BYTES[inner.name]! * 8 : 32;
      const v = inner.kind === 'composite' ? BigInt(f.int(1_000_000_001)) : randomBig(f, bits);
      return bits <= 32 ? Number(v) : v;
    }
    case 'bitSequence': {
      const store = UINT_BYTES[(TABLE.types[d.storeType]!.def as { name: string }).name]!;
      const bits = f.int(shallow ? 9 : 200);
      return { bits, bytes: f.bytes(store * Math.ceil(bits / (8 * store))) };
    }
    case 'sequence': {
      const n = shallow ? 0 : f.int(4);
      if (TABLE.types[d.type]!.def.kind === 'primitive' && (TABLE.types[d.type]!.def as { name: string }).name === 'u8') return f.bytes(f.int(80));
      return Array.from({ length: n }, () => randomValue(f, d.type, depth + 1));
    }
    case 'array': {
      const item = TABLE.types[d.type]!.def;
      if (item.kind === 'primitive' && item.name === 'u8') return f.bytes(d.len);
      return Array.from({ length: d.len }, () => randomValue(f, d.type, depth + 1));
    }
    case 'tuple':
      return d.types.length === 0 ? null : d.types.map((x) => randomValue(f, x, depth + 1));
    case 'composite':
      return fieldsValue(f, d.fields, depth);
    case 'variant': {
      if (isOption(t) && CODEC.isPlainOption(id)) return shallow || f.next() < 0.4 ? null : randomValue(f, d.variants[1]!.fields[0]!.type, depth + 1);
      // Near the depth bound only variants without a way back into a recursive type.
      const v = f.pick(shallow ? d.variants.filter((x) => x.fields.every((field) => field.type !== id)) : d.variants);
      return v.fields.length === 0 ? ({ name: v.name } satisfies EnumValue) : ({ name: v.name, value: fieldsValue(f, v.fields, depth) } satisfies EnumValue);
    }
  }
}

function fieldsValue(f: Fuzz, fields: PortableField[], depth: number): ScaleValue {
  if (fields.length === 0) return null;
  if (fields[0]!.name === undefined) return fields.length === 1 ? randomValue(f, fields[0]!.type, depth + 1) : fields.map((x) => randomValue(f, x.type, depth + 1));
  return Object.fromEntries(fields.map((x) => [x.name!, randomValue(f, x.type, depth + 1)]));
}

function mutate(f: Fuzz, input: Uint8Array): Uint8Array {
  const out = Array.from(input);
  const at = f.int(out.length + 1);
  switch (f.int(8)) {
    case 0:
      if (out.length) out[Math.min(at, out.length - 1)]! ^= 1 << f.int(8);
      break;
    case 1:
      if (out.length) out[Math.min(at, out.length - 1)] = f.byte();
      break;
    case 2:
      out.splice(at, 0, ...f.bytes(1 + f.int(4)));
      break;
    case 3:
      out.splice(at, 1 + f.int(4));
      break;
    case 4:
      return Uint8Array.from(out.slice(0, at));
    case 5:
      out.push(...f.bytes(1 + f.int(8)));
      break;
    case 6:
      // A huge claimed length where a length or compact may start.
      out.splice(at, 0, ...f.pick([encodeCompact(2n ** 30n), encodeCompact(2n ** 32n - 1n), encodeCompact(2n ** 64n - 1n), Uint8Array.of(0xff, 0xff, 0xff, 0xff)]));
      break;
    default:
      for (let i = 0; i < 3 && out.length; i++) out[f.int(out.length)] = f.byte();
  }
  return Uint8Array.from(out);
}

// ---- checks --------------------------------------------------------------------------------------------------

const hexOf = (b: Uint8Array) => `0x${Buffer.from(b.subarray(0, 64)).toString('hex')}${b.length > 64 ? `…(${b.length} bytes)` : ''}`;

interface Outcome {
  ok: boolean;
  code?: string;
  offset?: number;
}

/** Runs one decoder; anything but a ScaleDecodeError is a failure of the fuzz. */
function attempt(what: string, run: () => unknown, slowest: { ms: number; what: string }): Outcome {
  const started = performance.now();
  try {
    run();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ScaleDecodeError)) throw new Error(`${what}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return { ok: false, code: error.code, offset: error.offset };
  } finally {
    const ms = performance.now() - started;
    if (ms > slowest.ms) Object.assign(slowest, { ms, what });
  }
}

/** decode and skip of one input: typed errors only, the same verdict, and canonical bytes for what decodes. */
function checkPortable(id: number, input: Uint8Array, slowest: { ms: number; what: string }, seed: number): boolean {
  const what = `${TABLE.names.get(id)} ${hexOf(input)} (seed ${seed})`;
  let value: ScaleValue;
  const decoded = attempt(`decode ${what}`, () => (value = CODEC.decode(id, input)), slowest);
  const reader = new ScaleReader(input);
  const skipped = attempt(`skip ${what}`, () => CODEC.skip(reader, id), slowest);
  assert.ok(reader.offset <= input.length, `skip ran past the input: ${what}`);
  if (decoded.ok) {
    assert.ok(skipped.ok && reader.offset === input.length, `decode accepted what skip rejected (${skipped.code}): ${what}`);
    assert.equal(hexOf(CODEC.encode(id, value)), hexOf(input), `decoded but re-encodes otherwise: ${what}`);
    return true;
  }
  if (skipped.ok) {
    // A complete value with bytes after it.
    assert.equal(decoded.code, 'SCALE_TRAILING_BYTES', `skip accepted what decode rejected (${decoded.code}): ${what}`);
    assert.equal(decoded.offset, reader.offset, `trailing bytes reported elsewhere: ${what}`);
  }
  // Both rejected. The codes may differ: a too-wide compact prefix is a width error to skip before its bytes are
  // read, and to decode a truncation when the bytes are missing too.
  return false;
}

describe('codec fuzz (seeded; SEALBRIDGE_FUZZ_SEED replays)', function () {
  this.timeout(60_000);
  const seed = seedFromEnv();
  const slowest = { ms: 0, what: '' };
  before(() => console.log(`      fuzz seed ${seed} (replay with ${SEED_ENV}=${seed})`));
  after(() => console.log(`      slowest input ${slowest.ms.toFixed(1)} ms (${slowest.what.slice(0, 80)})`));

  it('random bytes into PortableCodec.decode / skip of every type: typed errors, one verdict, canonical bytes', () => {
    const f = new Fuzz(seed);
    let accepted = 0;
    for (let i = 0; i < 8000; i++) {
      const id = IDS[i % IDS.length]!;
      const len = f.next() < 0.7 ? f.int(12) : f.int(300);
      if (checkPortable(id, f.bytes(len), slowest, seed)) accepted++;
    }
    assert.ok(accepted > 100, `only ${accepted} random inputs decoded`);
    assert.ok(slowest.ms < SLOW_MS, `one input took ${slowest.ms.toFixed(0)} ms: ${slowest.what}`);
  });

  it('valid values round-trip, and their mutations give typed errors or canonical values', () => {
    const f = new Fuzz(seed ^ 0x5eed);
    const inhabited = IDS.filter((id) => TABLE.names.get(id) !== 'Void');
    let accepted = 0;
    for (let i = 0; i < 8000; i++) {
      const id = inhabited[i % inhabited.length]!;
      const value = randomValue(f, id);
      const encoded = CODEC.encode(id, value);
      if (i % 4 === 0) {
        assert.deepStrictEqual(CODEC.decode(id, encoded), value, `${TABLE.names.get(id)} ${hexOf(encoded)} (seed ${seed})`);
        const r = new ScaleReader(encoded);
        CODEC.skip(r, id);
        assert.equal(r.offset, encoded.length);
      }
      let input = mutate(f, encoded);
      if (f.next() < 0.3) input = mutate(f, input);
      if (checkPortable(id, input, slowest, seed)) accepted++;
    }
    assert.ok(accepted > 500, `only ${accepted} mutated inputs decoded`);
    assert.ok(slowest.ms < SLOW_MS, `one input took ${slowest.ms.toFixed(0)} ms: ${slowest.what}`);
  });

  it('ScaleReader primitives on random bytes: typed errors, the offset stays inside the input', () => {
    const f = new Fuzz(seed ^ 0xbeef);
    const ops: ((r: ScaleReader) => unknown)[] = [
      (r) => r.byte(),
      (r) => r.bool(),
      (r) => r.u16(),
      (r) => r.u32(),
      (r) => r.uint(f.pick([1, 2, 3, 4, 8, 16, 32])),
      (r) => r.int(f.pick([1, 2, 4, 8, 16, 32])),
      (r) => r.compact(),
      (r) => r.compactU32('c', f.pick([8, 16, 32])),
      (r) => r.skipCompact('c', f.pick([8, 16, 32, 64, 128, 256])),
      (r) => r.length('vec', f.pick([0, 1, 2, 8, 64])),
      (r) => r.bytesWithLength(),
      (r) => r.str(),
      (r) => r.char(),
      (r) => r.take(f.int(40)),
      (r) => r.skip(f.int(40)),
      (r) => r.end(),
    ];
    for (let i = 0; i < 3000; i++) {
      const input = f.bytes(f.int(48));
      const r = new ScaleReader(input);
      for (let step = 0; step < 32; step++) {
        const op = f.int(ops.length);
        const before = r.offset;
        const out = attempt(`reader op ${op} at ${before} of ${hexOf(input)} (seed ${seed})`, () => ops[op]!(r), slowest);
        assert.ok(r.offset >= before && r.offset <= input.length, `offset ${r.offset} after op ${op} on ${hexOf(input)}`);
        if (!out.ok) {
          assert.ok(out.offset! >= before && out.offset! <= input.length, `error offset ${out.offset} outside the input`);
          break;
        }
      }
    }
  });

  it('trusted-operation decoders on random and mutated input: ScaleDecodeError only', () => {
    const f = new Fuzz(seed ^ 0x7ea);
    const sig = { Sr25519: `0x${'ab'.repeat(64)}` };
    const account = `0x${'11'.repeat(32)}`;
    const shard = `0x${'33'.repeat(32)}`;
    const call = { call: { balance_transfer: [account, `0x${'22'.repeat(32)}`, 2n ** 100n] }, nonce: 7, signature: sig };
    const seeds = [
      sealbridgeRegistry.createType('TrustedOperation', { indirect_call: call }).toU8a(),
      sealbridgeRegistry.createType('TrustedOperation', { direct_call: { ...call, call: { smart_worker_call: [account, shard, '0x0102'] } } }).toU8a(),
      sealbridgeRegistry.createType('TrustedOperation', { get: { trusted: { getter: { free_balance: account }, signature: { Ecdsa: `0x${'cd'.repeat(65)}` } } } }).toU8a(),
      sealbridgeRegistry.createType('TrustedOperation', { get: { public: 'some_value' } }).toU8a(),
      sealbridgeRegistry.createType('Request', { shard, cyphertext: `0x${'ee'.repeat(384)}` }).toU8a(),
      sealbridgeRegistry.createType('ShardConfig', { enclave_fingerprint: shard, max_instances: 3, authorities: [account], maintenance_mode: true }).toU8a(),
    ];
    const decoders: [string, (b: Uint8Array) => unknown][] = [
      ['decodeTrustedOperationStrict', (b) => decodeTrustedOperationStrict(sealbridgeRegistry, b)],
      ['decodeGetterStrict', (b) => decodeGetterStrict(sealbridgeRegistry, b)],
      ['decodeTrustedCallSignedStrict', (b) => decodeTrustedCallSignedStrict(sealbridgeRegistry, b)],
      ['decodeRequestStrict', (b) => decodeRequestStrict(sealbridgeRegistry, b)],
      ['decodeExact TrustedOperation', (b) => decodeExact(sealbridgeRegistry, 'TrustedOperation', b)],
      ['decodeExact Request', (b) => decodeExact(sealbridgeRegistry, 'Request', b)],
      ['decodeExact ShardConfig', (b) => decodeExact(sealbridgeRegistry, 'ShardConfig', b)],
      ['decodeExact SgxEnclave', (b) => decodeExact(sealbridgeRegistry, 'SgxEnclave', b)],
      ['decodeExact Vec<TrustedCallSigned>', (b) => decodeExact(sealbridgeRegistry, 'Vec<TrustedCallSigned>', b)],
    ];
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const input = i % 5 === 0 ? f.bytes(f.int(120)) : mutate(f, f.next() < 0.5 ? f.pick(seeds) : mutate(f, f.pick(seeds)));
      // Shift the seeds so that operations also land in the decoders of their inner parts.
      const shifted = f.next() < 0.3 && input.length > 1 ? input.subarray(1) : input;
      const [name, decode] = decoders[i % decoders.length]!;
      if (attempt(`${name} ${hexOf(shifted)} (seed ${seed})`, () => decode(shifted), slowest).ok) accepted++;
    }
    assert.ok(accepted > 50, `only ${accepted} inputs decoded`);
    assert.ok(slowest.ms < SLOW_MS, `one input took ${slowest.ms.toFixed(0)} ms: ${slowest.what}`);
  });

  it('claimed lengths of 2^30 and more are rejected before anything is allocated', () => {
    const claims = [encodeCompact(2n ** 30n), encodeCompact(2n ** 32n - 1n), encodeCompact(2n ** 64n - 1n), encodeCompact(2n ** 536n - 1n)];
    const byName = (name: string) => [...TABLE.names].find(([, n]) => n === name)![0];
    const targets = ['Vec<u8>', 'Vec<u64>', 'Vec<()>', 'str', 'BitVec<u8, Lsb0>', 'BitVec<u64, Lsb0>', 'Vec<Tree>', 'Vec<Call>', 'Vec<(u16, u32)>', 'Vec<Option<bool>>'].map(byName);
    const before = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      for (const claim of claims) {
        const input = Uint8Array.from([...claim, 1, 2, 3, 4, 5, 6, 7, 8]);
        for (const id of targets) {
          const out = attempt(`${TABLE.names.get(id)} claiming ${hexOf(claim)}`, () => CODEC.decode(id, input), slowest);
          assert.ok(!out.ok && ['SCALE_LENGTH_OVERFLOW', 'SCALE_TRUNCATED', 'SCALE_NON_CANONICAL'].includes(out.code!), `${TABLE.names.get(id)}: ${out.code}`);
          assert.ok(!attempt('skip', () => CODEC.skip(new ScaleReader(input), id), slowest).ok);
        }
        const request = Uint8Array.from([...new Uint8Array(32), ...claim, 9, 9]);
        assert.ok(!attempt('decodeRequestStrict', () => decodeRequestStrict(sealbridgeRegistry, request), slowest).ok);
        assert.ok(!attempt('decodeExact Vec<u8>', () => decodeExact(sealbridgeRegistry, 'Vec<u8>', Uint8Array.from([...claim, 1])), slowest).ok);
      }
    }
    const grown = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed - before;
    assert.ok(grown < 64 << 20, `rejecting huge claims grew memory by ${grown >> 20} MiB`);
    assert.ok(performance.now() - started < 5000, 'rejecting huge claims took too long');
  });
});
