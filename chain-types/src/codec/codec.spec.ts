import assert from 'node:assert/strict';

import { compactToU8a } from '@polkadot/util';

import { ScaleDecodeError, ScaleEncodeError, type ScaleDecodeErrorCode } from '../errors.js';
import { MAX_DEPTH, MAX_ZERO_SIZED_ELEMENTS, PortableCodec, ScaleReader, ScaleWriter, compactSize, encodeCompact, type PortableType, type PortableTypeDef } from './index.js';

/** A portable registry written by hand: ids in order of `add`. */
class Table {
  readonly types: PortableType[] = [];

  add(def: PortableTypeDef, path: string[] = [], params: PortableType['params'] = []): number {
    const id = this.types.length;
    this.types.push({ id, path, params, def, docs: [] });
    return id;
  }

  /** Reserves an id for a recursive type; `define` fills it in. */
  reserve(): number {
    return this.add({ kind: 'tuple', types: [] });
  }

  define(id: number, def: PortableTypeDef, path: string[] = []): void {
    this.types[id] = { id, path, params: [], def, docs: [] };
  }
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/^0x/, '').replace(/\s+/g, ''), 'hex'));
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function decodeError(run: () => unknown, code: ScaleDecodeErrorCode, at?: number, what = ''): ScaleDecodeError {
  const error = caught(run);
  assert.ok(error instanceof ScaleDecodeError, `${what}: expected ScaleDecodeError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  if (at !== undefined) assert.equal(error.offset, at, `${what}: ${error.message}`);
  return error;
}

/** Every boundary of the four compact modes, the 2^53 edge of JS numbers and the widest integers Substrate uses. */
const COMPACT_BOUNDARIES = [
  0n, 1n, 63n, 64n, 2n ** 14n - 1n, 2n ** 14n, 2n ** 30n - 1n, 2n ** 30n, 2n ** 32n - 1n, 2n ** 32n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 128n - 1n, 2n ** 128n, 2n ** 536n - 1n,
];

describe('ScaleWriter / ScaleReader compacts', () => {
  it('round-trip every mode boundary and match @polkadot/util compactToU8a', () => {
    for (const v of COMPACT_BOUNDARIES) {
      const expected = compactToU8a(v);
      const bytes = encodeCompact(v);
      assert.deepEqual(bytes, expected, `Compact(${v})`);
      assert.deepEqual(new ScaleWriter().compact(v).finish(), expected, `ScaleWriter.compact(${v})`);
      assert.equal(compactSize(v), expected.length, `compactSize(${v})`);
      if (v <= BigInt(Number.MAX_SAFE_INTEGER)) assert.deepEqual(encodeCompact(Number(v)), expected, `Compact(${v}) from a number`);

      const r = new ScaleReader(bytes);
      assert.equal(r.compact(), v);
      assert.equal(r.offset, bytes.length);
      const s = new ScaleReader(bytes);
      s.skipCompact('compact', 536);
      assert.equal(s.offset, bytes.length, `skipCompact(${v})`);
    }
  });

  it('past 2^536 and below 0 are encode errors, not truncations', () => {
    assert.ok(caught(() => encodeCompact(2n ** 536n)) instanceof ScaleEncodeError);
    assert.ok(caught(() => encodeCompact(-1)) instanceof ScaleEncodeError);
    assert.ok(caught(() => encodeCompact(-1n)) instanceof ScaleEncodeError);
    assert.ok(caught(() => encodeCompact(2 ** 53)) instanceof ScaleEncodeError, 'an unsafe number must be a bigint');
    assert.ok(caught(() => encodeCompact(1.5)) instanceof ScaleEncodeError);
  });

  it('rejects every over-long encoding parity-scale-codec rejects', () => {
    const overLong: [string, string][] = [
      ['01 00', '0 in two bytes'],
      ['fd 00', '63 in two bytes'],
      ['02 00 00 00', '0 in four bytes'],
      ['fe ff 00 00', '2^14 - 1 in four bytes'],
      ['03 ff ff ff 3f', '2^30 - 1 in mode 3'],
      ['07 00 00 00 40 00', 'mode 3 with a zero top byte'],
      ['0f 00 00 00 00 01 00 00', '2^32 in seven bytes'],
    ];
    for (const [input, what] of overLong) {
      decodeError(() => new ScaleReader(hex(input)).compact(), 'SCALE_NON_CANONICAL', 0, what);
      decodeError(() => new ScaleReader(hex(input)).skipCompact('compact', 536), 'SCALE_NON_CANONICAL', 0, what);
      decodeError(() => new ScaleReader(hex(input)).length(), 'SCALE_NON_CANONICAL', 0, what);
    }
  });

  it('bounds Compact<u8>…Compact<u128> by their width, decode and skip alike', () => {
    const t = new Table();
    const widths = [8, 16, 32, 64, 128];
    const compacts = widths.map((bits) => t.add({ kind: 'compact', type: t.add({ kind: 'primitive', name: `u${bits}` as 'u8' }) }));
    const codec = new PortableCodec(t.types);
    widths.forEach((bits, i) => {
      const id = compacts[i]!;
      const max = 2n ** BigInt(bits) - 1n;
      const value = bits <= 32 ? Number(max) : max;
      assert.equal(codec.decode(id, encodeCompact(max)), value, `Compact<u${bits}> max`);
      const r = new ScaleReader(encodeCompact(max));
      codec.skip(r, id);
      assert.equal(r.offset, encodeCompact(max).length);
      // One past the width, in every mode that can hold it: a Compact<u8> never has a mode-3 prefix.
      for (const over of [2n ** BigInt(bits), 2n ** 30n, 2n ** 32n, 2n ** 64n, 2n ** 128n].filter((v) => v > max)) {
        decodeError(() => codec.decode(id, encodeCompact(over)), 'SCALE_NON_CANONICAL', 0, `Compact<u${bits}> ${over}`);
        decodeError(() => codec.skip(new ScaleReader(encodeCompact(over)), id), 'SCALE_NON_CANONICAL', 0, `skip Compact<u${bits}> ${over}`);
      }
      assert.ok(caught(() => codec.encode(id, max + 1n)) instanceof ScaleEncodeError, `Compact<u${bits}> max + 1 encodes`);
    });
  });

  it('reads compacts of u64 and wider as bigint, Compact<u32> and narrower as number', () => {
    const t = new Table();
    const c32 = t.add({ kind: 'compact', type: t.add({ kind: 'primitive', name: 'u32' }) });
    const c64 = t.add({ kind: 'compact', type: t.add({ kind: 'primitive', name: 'u64' }) });
    const c128 = t.add({ kind: 'compact', type: t.add({ kind: 'primitive', name: 'u128' }) });
    const codec = new PortableCodec(t.types);
    assert.equal(codec.decode(c32, encodeCompact(2 ** 32 - 1)), 2 ** 32 - 1);
    assert.equal(codec.decode(c64, encodeCompact(5)), 5n);
    assert.equal(codec.decode(c64, encodeCompact(2n ** 53n + 1n)), 2n ** 53n + 1n);
    assert.equal(codec.decode(c128, encodeCompact(2n ** 128n - 1n)), 2n ** 128n - 1n);
    // A number is accepted when encoding a wide compact.
    assert.deepEqual(codec.encode(c128, 2 ** 40), encodeCompact(2n ** 40n));
  });

  it('Compact<()> is no bytes (parity-scale-codec writes and reads nothing for it)', () => {
    const t = new Table();
    const unit = t.add({ kind: 'tuple', types: [] });
    const compactUnit = t.add({ kind: 'compact', type: unit });
    const u8 = t.add({ kind: 'primitive', name: 'u8' });
    const address = t.add(
      {
        kind: 'variant',
        variants: [
          { name: 'Id', index: 0, fields: [{ type: u8 }] },
          { name: 'Index', index: 1, fields: [{ type: compactUnit }] },
        ],
      },
      ['sp_runtime', 'multiaddress', 'MultiAddress'],
    );
    const vec = t.add({ kind: 'sequence', type: compactUnit });
    const codec = new PortableCodec(t.types);
    assert.deepEqual(codec.encode(compactUnit, 0), new Uint8Array());
    assert.equal(codec.decode(compactUnit, new Uint8Array()), 0);
    assert.deepEqual(codec.encode(address, { name: 'Index', value: 0 }), hex('01'));
    assert.deepEqual(codec.decode(address, hex('01')), { name: 'Index', value: 0 });
    const r = new ScaleReader(hex('01'));
    codec.skip(r, address);
    assert.equal(r.offset, 1);
    assert.deepEqual(codec.decode(vec, hex('0c')), [0, 0, 0]);
    decodeError(() => codec.decode(address, hex('0100')), 'SCALE_TRAILING_BYTES', 1);
  });
});

describe('ScaleReader / ScaleWriter primitives', () => {
  it('round-trip integers of every width at their extremes', () => {
    for (const size of [1, 2, 4, 8, 16, 32]) {
      const bits = BigInt(size * 8);
      for (const v of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** bits - 1n].filter((x) => x < 2n ** bits)) {
        const bytes = new ScaleWriter().uint(v, size).finish();
        assert.equal(bytes.length, size);
        assert.equal(new ScaleReader(bytes).uint(size), v, `u${bits} ${v}`);
      }
      for (const v of [0n, -1n, -(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n]) {
        const bytes = new ScaleWriter().int(v, size).finish();
        assert.equal(new ScaleReader(bytes).int(size), v, `i${bits} ${v}`);
      }
      assert.ok(caught(() => new ScaleWriter().uint(2n ** bits, size)) instanceof ScaleEncodeError, `u${bits} overflow`);
      assert.ok(caught(() => new ScaleWriter().uint(-1, size)) instanceof ScaleEncodeError, `u${bits} negative`);
      assert.ok(caught(() => new ScaleWriter().int(2n ** (bits - 1n), size)) instanceof ScaleEncodeError, `i${bits} overflow`);
    }
    assert.equal(new ScaleReader(hex('ffffffff')).u32(), 2 ** 32 - 1);
    assert.ok(caught(() => new ScaleWriter().uint(2 ** 53, 8)) instanceof ScaleEncodeError, 'an unsafe number must be a bigint');
  });

  it('rejects bool 2, invalid UTF-8, surrogate and out-of-range chars, trailing bytes and truncation', () => {
    decodeError(() => new ScaleReader(hex('02')).bool(), 'SCALE_NON_CANONICAL', 0);
    decodeError(() => new ScaleReader(hex('08 ff fe')).str(), 'SCALE_NON_CANONICAL', 0);
    decodeError(() => new ScaleReader(hex('00 d8 00 00')).char(), 'SCALE_NON_CANONICAL', 0);
    decodeError(() => new ScaleReader(hex('00 00 11 00')).char(), 'SCALE_NON_CANONICAL', 0);
    assert.equal(new ScaleReader(hex('ff ff 10 00')).char(), String.fromCodePoint(0x10ffff));
    assert.equal(new ScaleReader(hex('10 f0 9f 98 80')).str(), '😀');
    decodeError(() => new ScaleReader(hex('0100')).end(), 'SCALE_TRAILING_BYTES', 0);
    decodeError(() => new ScaleReader(hex('010203')).u32(), 'SCALE_TRUNCATED', 0);
    decodeError(() => new ScaleReader(hex('')).byte(), 'SCALE_TRUNCATED', 0);
    decodeError(() => new ScaleReader(hex('03')).compact(), 'SCALE_TRUNCATED');
  });

  it('checks a claimed length against the bytes left before allocating (2^30 elements of nothing)', () => {
    const huge = encodeCompact(2n ** 30n);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 100; i++) {
      decodeError(() => new ScaleReader(huge).bytesWithLength(), 'SCALE_LENGTH_OVERFLOW', 0);
      decodeError(() => new ScaleReader(huge).str(), 'SCALE_LENGTH_OVERFLOW', 0);
      decodeError(() => new ScaleReader(huge).length('vec', 8), 'SCALE_LENGTH_OVERFLOW', 0);
      decodeError(() => new ScaleReader(huge).length('vec', 0), 'SCALE_LENGTH_OVERFLOW', 0);
      decodeError(() => new ScaleReader(encodeCompact(2n ** 500n)).length(), 'SCALE_LENGTH_OVERFLOW', 0);
    }
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 << 20, 'rejecting huge lengths allocated');
    assert.equal(new ScaleReader(encodeCompact(MAX_ZERO_SIZED_ELEMENTS)).length('Vec<()>', 0), MAX_ZERO_SIZED_ELEMENTS);
    decodeError(() => new ScaleReader(encodeCompact(MAX_ZERO_SIZED_ELEMENTS + 1)).length('Vec<()>', 0), 'SCALE_LENGTH_OVERFLOW', 0);
  });
});

describe('PortableCodec limits', () => {
  /** `enum Nested { Leaf, Node(Box<Nested>) }`, and `[Leaf]` behind `levels` Nodes. */
  function nested(): { codec: PortableCodec; id: number; bytes: (levels: number) => Uint8Array } {
    const t = new Table();
    const id = t.reserve();
    t.define(id, { kind: 'variant', variants: [{ name: 'Leaf', index: 0, fields: [] }, { name: 'Node', index: 1, fields: [{ type: id }] }] }, ['Nested']);
    const bytes = (levels: number) => {
      const out = new Uint8Array(levels + 1).fill(1);
      out[levels] = 0;
      return out;
    };
    return { codec: new PortableCodec(t.types), id, bytes };
  }

  it('decodes recursive types up to the depth limit and rejects deeper nesting with SCALE_TOO_DEEP', () => {
    const { codec, id, bytes } = nested();
    let value = codec.decode(id, bytes(MAX_DEPTH - 1)) as { name: string; value?: unknown };
    let levels = 0;
    while (value.name === 'Node') (value = value.value as typeof value), levels++;
    assert.equal(levels, MAX_DEPTH - 1);
    const r = new ScaleReader(bytes(MAX_DEPTH - 1));
    codec.skip(r, id);
    assert.equal(r.offset, MAX_DEPTH);
    for (const levels of [MAX_DEPTH + 1, 1000, 200_000]) {
      decodeError(() => codec.decode(id, bytes(levels)), 'SCALE_TOO_DEEP');
      decodeError(() => codec.skip(new ScaleReader(bytes(levels)), id), 'SCALE_TOO_DEEP');
    }
  });

  it('names the type path of a failure', () => {
    const t = new Table();
    const u8 = t.add({ kind: 'primitive', name: 'u8' });
    const bool = t.add({ kind: 'primitive', name: 'bool' });
    const vec = t.add({ kind: 'sequence', type: bool });
    const s = t.add({ kind: 'composite', fields: [{ name: 'a', type: u8 }, { name: 'flags', type: vec }] }, ['demo', 'S']);
    const codec = new PortableCodec(t.types);
    const error = decodeError(() => codec.decode(s, hex('07 0c 01 00 02')), 'SCALE_NON_CANONICAL', 4);
    assert.deepEqual(error.path, ['.flags', '[2]']);
    decodeError(() => codec.skip(new ScaleReader(hex('07 0c 01 00 02')), s), 'SCALE_NON_CANONICAL', 4);
  });

  it('rejects enum indices that are gaps, and Option tags above 1', () => {
    const t = new Table();
    const u8 = t.add({ kind: 'primitive', name: 'u8' });
    const gaps = t.add({ kind: 'variant', variants: [{ name: 'A', index: 0, fields: [] }, { name: 'B', index: 3, fields: [{ type: u8 }] }, { name: 'C', index: 255, fields: [] }] });
    const option = t.add({ kind: 'variant', variants: [{ name: 'None', index: 0, fields: [] }, { name: 'Some', index: 1, fields: [{ type: u8 }] }] }, ['Option']);
    const codec = new PortableCodec(t.types);
    assert.deepEqual(codec.decode(gaps, hex('03 07')), { name: 'B', value: 7 });
    assert.deepEqual(codec.decode(gaps, hex('ff')), { name: 'C' });
    for (const index of [1, 2, 4, 254]) decodeError(() => codec.decode(gaps, Uint8Array.of(index)), 'SCALE_UNKNOWN_VARIANT', 0);
    decodeError(() => codec.skip(new ScaleReader(hex('01')), gaps), 'SCALE_UNKNOWN_VARIANT', 0);
    assert.equal(codec.decode(option, hex('00')), null);
    assert.equal(codec.decode(option, hex('01 00')), 0);
    decodeError(() => codec.decode(option, hex('02 00')), 'SCALE_UNKNOWN_VARIANT', 0);
  });
});
