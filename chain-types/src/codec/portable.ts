import { ScaleDecodeError, ScaleEncodeError } from '../errors.js';
import { ScaleReader } from './reader.js';
import { ScaleWriter } from './writer.js';

/**
 * scale-info's portable type registry, the form metadata V14+ describes every type of a runtime in. Both the dev
 * chain (which builds its metadata from such a table) and the worker (which reads it out of a chain's metadata)
 * encode and decode through `PortableCodec` over it.
 */
export type PrimitiveName =
  | 'bool' | 'char' | 'str'
  | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256'
  | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256';

export interface PortableField {
  name?: string;
  type: number;
  typeName?: string;
  docs?: string[];
}

export interface PortableVariant {
  name: string;
  index: number;
  fields: PortableField[];
  docs?: string[];
}

export type PortableTypeDef =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'composite'; fields: PortableField[] }
  | { kind: 'variant'; variants: PortableVariant[] }
  | { kind: 'sequence'; type: number }
  | { kind: 'array'; len: number; type: number }
  | { kind: 'tuple'; types: number[] }
  | { kind: 'compact'; type: number }
  | { kind: 'bitSequence'; storeType: number; orderType: number };

export interface PortableType {
  id: number;
  path: string[];
  params: { name: string; type?: number }[];
  def: PortableTypeDef;
  docs: string[];
}

/** A `BitVec` value: the number of bits and its store words as bytes (little-endian words, as encoded). */
export interface BitSequenceValue {
  readonly bits: number;
  readonly bytes: Uint8Array;
}

/** An enum value other than `Option`: the variant's name and, if it has fields, its payload. */
export interface EnumValue {
  name: string;
  value?: ScaleValue;
}

/**
 * Values as `PortableCodec` reads and writes them:
 * bool → boolean; u8…u32, i8…i32 and compacts of them → number; u64…u256, i64…i256 and compacts of them → bigint
 * (a number is accepted when encoding); str, char → string; `[u8; N]` and `Vec<u8>` → Uint8Array; other arrays,
 * sequences and tuples → arrays (the empty tuple → null); structs → objects by field name (one unnamed field: the
 * inner value; several: an array; none: null); `Option` → value | null, except an Option of a type that can itself
 * be null (`Option<Option<T>>`, `Option<()>`), which is an enum like the others so that `Some(None)` stays distinct;
 * other enums → `{ name, value? }` (a bare name is accepted for a variant without fields); `BitVec` → `{ bits, bytes }`.
 */
export type ScaleValue = unknown;

type Skip = (r: ScaleReader) => void;

const UINT_BYTES: Partial<Record<PrimitiveName, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, u256: 32 };
const INT_BYTES: Partial<Record<PrimitiveName, number>> = { i8: 1, i16: 2, i32: 4, i64: 8, i128: 16, i256: 32 };
const FIXED_PRIMITIVE_BYTES: Partial<Record<PrimitiveName, number>> = { ...UINT_BYTES, ...INT_BYTES, bool: 1, char: 4 };

function isOptionType(t: PortableType): boolean {
  return t.path.length === 1 && t.path[0] === 'Option' && t.def.kind === 'variant';
}

/** Whether the bytes of one value of the type always have the same length (and which). */
type Size = number | undefined;

/** Encoder, decoder and skipper of every type of one portable registry; compiled skippers are cached per type id. */
export class PortableCodec {
  readonly #types: ArrayLike<PortableType | undefined>;
  readonly #skips = new Map<number, Skip>();
  readonly #sizes = new Map<number, Size>();
  readonly #variants = new Map<number, (PortableVariant | undefined)[]>();
  /** Types whose skippers are being built: a reference to one of them is a cycle. */
  readonly #building = new Set<number>();
  /** Types reached through a cycle: each pass through one counts towards `MAX_DEPTH`, in skipping and decoding alike. */
  readonly #recursive = new Set<number>();
  readonly #plainOption = new Map<number, boolean>();

  constructor(types: ArrayLike<PortableType | undefined>) {
    this.#types = types;
  }

  type(id: number): PortableType {
    const t = this.#types[id];
    if (t === undefined) throw new ScaleDecodeError('SCALE_UNKNOWN_TYPE', `type #${id}`, 0, `type id ${id} is not in the registry`);
    return t;
  }

  /** `sp_runtime::MultiAddress`-style path, or the kind and id of an anonymous type. */
  describe(id: number): string {
    const t = this.#types[id];
    if (!t) return `#${id}`;
    return t.path.length ? t.path.join('::') : t.def.kind === 'primitive' ? t.def.name : `${t.def.kind}#${id}`;
  }

  isOption(id: number): boolean {
    return isOptionType(this.type(id));
  }

  /** An Option read and written as `value | null` (its inner type has no null value of its own); see `ScaleValue`. */
  isPlainOption(id: number): boolean {
    let plain = this.#plainOption.get(id);
    if (plain === undefined) {
      this.#plainOption.set(id, true); // a cycle of Options resolves to plain
      const t = this.type(id);
      plain = isOptionType(t) && !this.#canBeNull((t.def as { variants: PortableVariant[] }).variants.find((v) => v.index === 1)!.fields[0]!.type);
      this.#plainOption.set(id, plain);
    }
    return plain;
  }

  #canBeNull(id: number, depth = 0): boolean {
    if (depth > 32) return false;
    const t = this.type(id);
    const d = t.def;
    if (isOptionType(t)) return this.isPlainOption(id);
    if (d.kind === 'tuple') return d.types.length === 0;
    if (d.kind === 'composite') return d.fields.length === 0 || (d.fields.length === 1 && d.fields[0]!.name === undefined && this.#canBeNull(d.fields[0]!.type, depth + 1));
    return false;
  }

  // ---- decoding -------------------------------------------------------------------------------------------

  /** Decodes a complete value: trailing bytes are an error. */
  decode(id: number, bytes: Uint8Array): ScaleValue {
    const r = new ScaleReader(bytes, this.describe(id));
    const value = this.decodeFrom(r, id);
    r.end();
    return value;
  }

  decodeFrom(r: ScaleReader, id: number): ScaleValue {
    if (!this.#skips.has(id)) this.skipper(id); // finds the cycles, so both count depth at the same types
    if (!this.#recursive.has(id)) return this.#decodeValue(r, id);
    r.enter(this.describe(id));
    try {
      return this.#decodeValue(r, id);
    } finally {
      r.leave();
    }
  }

  #decodeValue(r: ScaleReader, id: number): ScaleValue {
    const t = this.type(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive':
        return this.#decodePrimitive(r, d.name);
      case 'compact': {
        const bits = this.#compactBits(id);
        // Compact<()> is no bytes at all in parity-scale-codec (Polkadot's MultiAddress::Index).
        if (bits === 0) return 0;
        return bits <= 32 ? r.compactU32(this.describe(id), bits) : this.#compactBig(r, id, bits);
      }
      case 'bitSequence': {
        const store = this.#bitStoreBytes(d.storeType);
        const bits = r.compactU32('BitVec length');
        const value: BitSequenceValue = { bits, bytes: r.take(store * Math.ceil(bits / (8 * store)), 'BitVec').slice() };
        return value;
      }
    }
    switch (d.kind) {
        case 'sequence': {
          const n = r.length(this.describe(id), this.minSize(d.type));
          if (this.#isU8(d.type)) return r.take(n).slice();
          const out: ScaleValue[] = new Array(n);
          for (let i = 0; i < n; i++) out[i] = this.#decodeStep(r, d.type, `[${i}]`);
          return out;
        }
        case 'array': {
          if (this.#isU8(d.type)) return r.take(d.len, this.describe(id)).slice();
          const out: ScaleValue[] = new Array(d.len);
          for (let i = 0; i < d.len; i++) out[i] = this.#decodeStep(r, d.type, `[${i}]`);
          return out;
        }
        case 'tuple':
          return d.types.length === 0 ? null : d.types.map((tid, i) => this.#decodeStep(r, tid, `.${i}`));
        case 'composite':
          return this.#decodeFields(r, d.fields);
        case 'variant': {
          const at = r.offset;
          const index = r.byte(`${this.describe(id)} variant index`);
          const variant = this.#variantsOf(id)[index];
          if (!variant) r.fail('SCALE_UNKNOWN_VARIANT', `${this.describe(id)}: no variant with index ${index}`, at);
          if (this.isPlainOption(id)) return index === 0 ? null : this.#decodeStep(r, variant.fields[0]!.type, '::Some');
          try {
            const value = this.#decodeFields(r, variant.fields);
            return variant.fields.length === 0 ? { name: variant.name } : { name: variant.name, value };
          } catch (error) {
            throw error instanceof ScaleDecodeError ? error.within(`::${variant.name}`) : error;
          }
        }
      }
  }

  #decodeStep(r: ScaleReader, id: number, step: string): ScaleValue {
    try {
      return this.decodeFrom(r, id);
    } catch (error) {
      throw error instanceof ScaleDecodeError ? error.within(step) : error;
    }
  }

  #decodeFields(r: ScaleReader, fields: PortableField[]): ScaleValue {
    if (fields.length === 0) return null;
    if (fields[0]!.name === undefined) {
      if (fields.length === 1) return this.decodeFrom(r, fields[0]!.type);
      return fields.map((f, i) => this.#decodeStep(r, f.type, `.${i}`));
    }
    const obj: Record<string, ScaleValue> = {};
    for (const f of fields) obj[f.name!] = this.#decodeStep(r, f.type, `.${f.name}`);
    return obj;
  }

  #decodePrimitive(r: ScaleReader, name: PrimitiveName): ScaleValue {
    switch (name) {
      case 'bool':
        return r.bool();
      case 'char':
        return r.char();
      case 'str':
        return r.str();
      case 'u8':
        return r.u8();
      case 'u16':
        return r.u16();
      case 'u32':
        return r.u32();
      case 'i8':
      case 'i16':
      case 'i32':
        return Number(r.int(INT_BYTES[name]!));
      default:
        return name.startsWith('u') ? r.uint(UINT_BYTES[name]!) : r.int(INT_BYTES[name]!);
    }
  }

  #compactBig(r: ScaleReader, id: number, bits: number): bigint {
    const start = r.offset;
    const v = r.compact(this.describe(id));
    if (v >= 1n << BigInt(bits)) r.fail('SCALE_NON_CANONICAL', `${this.describe(id)}: compact exceeds u${bits}`, start);
    return v;
  }

  // ---- skipping ---------------------------------------------------------------------------------------------

  /** Reads past one value of type `id` (checked as strictly as `decodeFrom`, without building it). */
  skip(r: ScaleReader, id: number): void {
    this.skipper(id)(r);
  }

  /** A compiled skip function for type `id`; recursive types resolve through the cache at call time. */
  skipper(id: number): Skip {
    const known = this.#skips.get(id);
    if (known) {
      if (this.#building.has(id)) this.#recursive.add(id);
      return known;
    }
    let skip: Skip | undefined;
    const what = this.describe(id);
    // Only a cyclic reference can reach this wrapper: it bounds the nesting of recursive types.
    const recursive: Skip = (r) => {
      r.enter(what);
      skip!(r);
      r.leave();
    };
    this.#skips.set(id, recursive);
    this.#building.add(id);
    skip = this.#buildSkipper(id);
    this.#building.delete(id);
    // A type reached through a cycle keeps the depth-counting wrapper for every pass, not only the cyclic one.
    this.#skips.set(id, this.#recursive.has(id) ? recursive : skip);
    return this.#skips.get(id)!;
  }

  #buildSkipper(id: number): Skip {
    const t = this.type(id);
    const d = t.def;
    const what = this.describe(id);
    const fixed = this.fixedSize(id);
    if (fixed !== undefined && !this.#needsCheck(id)) return (r) => r.skip(fixed, what);
    switch (d.kind) {
      case 'primitive':
        return (r) => void this.#decodePrimitive(r, d.name);
      case 'compact': {
        const bits = this.#compactBits(id);
        return bits === 0 ? () => {} : (r) => r.skipCompact(what, bits);
      }
      case 'bitSequence': {
        const store = this.#bitStoreBytes(d.storeType);
        return (r) => {
          const bits = r.compactU32('BitVec length');
          r.skip(store * Math.ceil(bits / (8 * store)), 'BitVec');
        };
      }
      case 'composite':
        return this.#skipFields(d.fields);
      case 'tuple':
        return this.#skipFields(d.types.map((type, i) => ({ name: String(i), type })));
      case 'array': {
        const item = this.skipper(d.type);
        const len = d.len;
        return (r) => {
          for (let i = 0; i < len; i++) withStep(item, r, `[${i}]`);
        };
      }
      case 'sequence': {
        const itemSize = this.fixedSize(d.type);
        const min = this.minSize(d.type);
        if (itemSize !== undefined && !this.#needsCheck(d.type)) return (r) => r.skip(r.length(what, min) * itemSize, what);
        const item = this.skipper(d.type);
        return (r) => {
          const n = r.length(what, min);
          for (let i = 0; i < n; i++) withStep(item, r, `[${i}]`);
        };
      }
      case 'variant': {
        const byIndex = this.#variantsOf(id).map((v) => v && { name: `::${v.name}`, skip: this.#skipFields(v.fields) });
        return (r: ScaleReader) => {
          const at = r.offset;
          const index = r.byte(`${what} variant index`);
          const variant = byIndex[index];
          if (!variant) r.fail('SCALE_UNKNOWN_VARIANT', `${what}: no variant with index ${index}`, at);
          withStep(variant.skip, r, variant.name);
        };
      }
    }
  }

  #skipFields(fields: PortableField[]): Skip {
    const steps = fields.map((f, i) => ({ skip: this.skipper(f.type), step: `.${f.name ?? i}` }));
    if (steps.length === 0) return () => {};
    // A single unnamed field (`Some(T)`, `Balances(Call)`) adds no step of its own to the type path.
    if (steps.length === 1 && fields[0]!.name === undefined) return steps[0]!.skip;
    return (r) => {
      for (const { skip, step } of steps) withStep(skip, r, step);
    };
  }

  /** Whether a fixed-size type still has bytes to validate (bool, char, enum tags) so it cannot be skipped blindly. */
  #needsCheck(id: number, depth = 0): boolean {
    if (depth > 64) return true;
    const d = this.type(id).def;
    switch (d.kind) {
      case 'primitive':
        return d.name === 'bool' || d.name === 'char';
      case 'composite':
        return d.fields.some((f) => this.#needsCheck(f.type, depth + 1));
      case 'tuple':
        return d.types.some((tid) => this.#needsCheck(tid, depth + 1));
      case 'array':
        return d.len > 0 && this.#needsCheck(d.type, depth + 1);
      default:
        return true;
    }
  }

  // ---- sizes ------------------------------------------------------------------------------------------------

  /** Encoded size of a type whose every value has the same length; undefined otherwise. */
  fixedSize(id: number): Size {
    if (this.#sizes.has(id)) return this.#sizes.get(id);
    this.#sizes.set(id, undefined); // a cycle has no fixed size
    const size = this.#computeFixedSize(id);
    this.#sizes.set(id, size);
    return size;
  }

  #computeFixedSize(id: number): Size {
    const d = this.type(id).def;
    const sum = (ids: number[]): Size => {
      let total = 0;
      for (const tid of ids) {
        const size = this.fixedSize(tid);
        if (size === undefined) return undefined;
        total += size;
      }
      return total;
    };
    switch (d.kind) {
      case 'primitive':
        return FIXED_PRIMITIVE_BYTES[d.name];
      case 'composite':
        return sum(d.fields.map((f) => f.type));
      case 'tuple':
        return sum(d.types);
      case 'array': {
        const item = this.fixedSize(d.type);
        return item === undefined ? undefined : item * d.len;
      }
      default:
        return undefined;
    }
  }

  /** The fewest bytes a value of the type can take: sequence lengths are checked against it before any loop. */
  minSize(id: number, depth = 0): number {
    const fixed = this.fixedSize(id);
    if (fixed !== undefined) return fixed;
    if (depth > 32) return 0;
    const d = this.type(id).def;
    switch (d.kind) {
      case 'composite':
        return d.fields.reduce((sum, f) => sum + this.minSize(f.type, depth + 1), 0);
      case 'tuple':
        return d.types.reduce((sum, tid) => sum + this.minSize(tid, depth + 1), 0);
      case 'array':
        return d.len * this.minSize(d.type, depth + 1);
      case 'compact': {
        const inner = this.type(d.type).def;
        return inner.kind === 'tuple' && inner.types.length === 0 ? 0 : 1;
      }
      default:
        return 1; // a length prefix, a compact, an enum tag or a string length
    }
  }

  // ---- encoding ---------------------------------------------------------------------------------------------

  encode(id: number, value: ScaleValue): Uint8Array {
    const w = new ScaleWriter();
    this.encodeTo(w, id, value);
    return w.finish();
  }

  encodeTo(w: ScaleWriter, id: number, value: ScaleValue): void {
    const t = this.type(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive':
        return this.#encodePrimitive(w, id, d.name, value);
      case 'compact': {
        const v = this.#integer(id, value);
        const bits = this.#compactBits(id);
        if (v < 0 || BigInt(v) >= 1n << BigInt(bits)) this.#bad(id, value, 'out of range');
        if (bits > 0) w.compact(v);
        return;
      }
      case 'bitSequence': {
        const bitValue = value as BitSequenceValue;
        const store = this.#bitStoreBytes(d.storeType);
        if (!bitValue || typeof bitValue.bits !== 'number' || !(bitValue.bytes instanceof Uint8Array)) this.#bad(id, value, 'expected { bits, bytes }');
        if (bitValue.bytes.length !== store * Math.ceil(bitValue.bits / (8 * store))) this.#bad(id, value, `${bitValue.bits} bits need other store bytes`);
        w.compact(bitValue.bits).bytes(bitValue.bytes);
        return;
      }
      case 'sequence': {
        if (this.#isU8(d.type)) {
          if (!(value instanceof Uint8Array)) this.#bad(id, value, 'expected Uint8Array');
          w.bytesWithLength(value);
          return;
        }
        if (!Array.isArray(value)) this.#bad(id, value, 'expected array');
        w.compact(value.length);
        for (const item of value) this.encodeTo(w, d.type, item);
        return;
      }
      case 'array': {
        if (this.#isU8(d.type)) {
          if (!(value instanceof Uint8Array) || value.length !== d.len) this.#bad(id, value, `expected ${d.len} bytes`);
          w.bytes(value);
          return;
        }
        if (!Array.isArray(value) || value.length !== d.len) this.#bad(id, value, `expected an array of ${d.len}`);
        for (const item of value) this.encodeTo(w, d.type, item);
        return;
      }
      case 'tuple':
        if (d.types.length === 0) return;
        if (!Array.isArray(value) || value.length !== d.types.length) this.#bad(id, value, `expected a tuple of ${d.types.length}`);
        d.types.forEach((tid, i) => this.encodeTo(w, tid, value[i]));
        return;
      case 'composite':
        return this.#encodeFields(w, id, d.fields, value);
      case 'variant': {
        if (this.isPlainOption(id)) {
          if (value === null || value === undefined) {
            w.byte(0);
            return;
          }
          w.byte(1);
          return this.encodeTo(w, d.variants.find((v) => v.index === 1)!.fields[0]!.type, value);
        }
        const ev: EnumValue | undefined =
          typeof value === 'string' ? { name: value } : value && typeof value === 'object' && 'name' in value ? (value as EnumValue) : undefined;
        if (!ev) this.#bad(id, value, 'expected { name, value } or a variant name');
        const variant = d.variants.find((v) => v.name === ev.name);
        if (!variant) this.#bad(id, value, `unknown variant ${ev.name}`);
        w.byte(variant.index);
        return this.#encodeFields(w, id, variant.fields, ev.value);
      }
    }
  }

  #encodePrimitive(w: ScaleWriter, id: number, name: PrimitiveName, value: ScaleValue): void {
    switch (name) {
      case 'bool':
        if (typeof value !== 'boolean') this.#bad(id, value, 'expected boolean');
        w.bool(value);
        return;
      case 'str':
        if (typeof value !== 'string') this.#bad(id, value, 'expected string');
        w.str(value);
        return;
      case 'char': {
        const code = typeof value === 'string' ? value.codePointAt(0) : undefined;
        if (code === undefined || String.fromCodePoint(code) !== value) this.#bad(id, value, 'expected one character');
        w.u32(code);
        return;
      }
      default: {
        const v = this.#integer(id, value);
        const unsigned = UINT_BYTES[name];
        if (unsigned !== undefined) w.uint(v, unsigned);
        else w.int(v, INT_BYTES[name]!);
      }
    }
  }

  #integer(id: number, value: ScaleValue): number | bigint {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return value;
    return this.#bad(id, value, 'expected an integer (number or bigint)');
  }

  #encodeFields(w: ScaleWriter, id: number, fields: PortableField[], value: ScaleValue): void {
    if (fields.length === 0) return;
    if (fields[0]!.name === undefined) {
      if (fields.length === 1) return this.encodeTo(w, fields[0]!.type, value);
      if (!Array.isArray(value) || value.length !== fields.length) this.#bad(id, value, `expected ${fields.length} values`);
      fields.forEach((f, i) => this.encodeTo(w, f.type, value[i]));
      return;
    }
    if (!value || typeof value !== 'object') this.#bad(id, value, 'expected an object');
    const obj = value as Record<string, ScaleValue>;
    for (const f of fields) {
      if (!(f.name! in obj)) this.#bad(id, value, `missing field ${f.name}`);
      this.encodeTo(w, f.type, obj[f.name!]);
    }
  }

  #bad(id: number, value: ScaleValue, why: string): never {
    let shown: string;
    try {
      shown = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v));
    } catch {
      shown = String(value);
    }
    throw new ScaleEncodeError(this.describe(id), `${String(shown).slice(0, 120)}: ${why}`);
  }

  // ---- defaults ---------------------------------------------------------------------------------------------

  /** The all-zero value of a type: what a `ValueQuery` storage item holds when unset. */
  defaultValue(id: number): ScaleValue {
    const t = this.type(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive':
        if (d.name === 'bool') return false;
        if (d.name === 'str') return '';
        if (d.name === 'char') return '\0';
        return (FIXED_PRIMITIVE_BYTES[d.name] ?? 0) > 4 ? 0n : 0;
      case 'compact':
        return this.#compactBits(id) > 32 ? 0n : 0;
      case 'bitSequence':
        return { bits: 0, bytes: new Uint8Array() } satisfies BitSequenceValue;
      case 'sequence':
        return this.#isU8(d.type) ? new Uint8Array() : [];
      case 'array':
        return this.#isU8(d.type) ? new Uint8Array(d.len) : Array.from({ length: d.len }, () => this.defaultValue(d.type));
      case 'tuple':
        return d.types.length === 0 ? null : d.types.map((x) => this.defaultValue(x));
      case 'composite':
        return this.#defaultFields(d.fields);
      case 'variant': {
        if (this.isPlainOption(id)) return null;
        const v = [...d.variants].sort((a, b) => a.index - b.index)[0];
        if (!v) throw new ScaleEncodeError(this.describe(id), 'an enum without variants has no value');
        return v.fields.length ? { name: v.name, value: this.#defaultFields(v.fields) } : { name: v.name };
      }
    }
  }

  #defaultFields(fields: PortableField[]): ScaleValue {
    if (fields.length === 0) return null;
    if (fields[0]!.name === undefined) {
      return fields.length === 1 ? this.defaultValue(fields[0]!.type) : fields.map((f) => this.defaultValue(f.type));
    }
    return Object.fromEntries(fields.map((f) => [f.name!, this.defaultValue(f.type)]));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  #isU8(id: number): boolean {
    const d = this.type(id).def;
    return d.kind === 'primitive' && d.name === 'u8';
  }

  /** Width of the integer behind a `Compact<T>` (through single-field wrappers such as `Perbill(u32)`); `()` is 0. */
  #compactBits(id: number): number {
    let inner = this.type((this.type(id).def as { type: number }).type);
    for (let hops = 0; hops < 16; hops++) {
      const d = inner.def;
      if (d.kind === 'primitive' && UINT_BYTES[d.name] !== undefined) return UINT_BYTES[d.name]! * 8;
      if (d.kind === 'composite' && d.fields.length === 1) inner = this.type(d.fields[0]!.type);
      else if (d.kind === 'tuple' && d.types.length === 0) return 0;
      else if (d.kind === 'composite' && d.fields.length === 0) return 0;
      else break;
    }
    throw new ScaleDecodeError('SCALE_UNKNOWN_TYPE', this.describe(id), 0, `${this.describe(id)} is a compact of a type that is no unsigned integer`);
  }

  #bitStoreBytes(storeType: number): number {
    const d = this.type(storeType).def;
    if (d.kind === 'primitive' && UINT_BYTES[d.name] !== undefined && UINT_BYTES[d.name]! <= 8) return UINT_BYTES[d.name]!;
    throw new ScaleDecodeError('SCALE_UNKNOWN_TYPE', this.describe(storeType), 0, 'BitVec store type is not u8, u16, u32 or u64');
  }

  #variantsOf(id: number): (PortableVariant | undefined)[] {
    let byIndex = this.#variants.get(id);
    if (!byIndex) {
      byIndex = [];
      for (const v of (this.type(id).def as { variants: PortableVariant[] }).variants) byIndex[v.index] = v;
      this.#variants.set(id, byIndex);
    }
    return byIndex;
  }
}

function withStep(skip: Skip, r: ScaleReader, step: string): void {
  try {
    skip(r);
  } catch (error) {
    throw error instanceof ScaleDecodeError ? error.within(step) : error;
  }
}
