import type { TypeId, TypeInfo, TypeTable } from './table.js';

import { DevChainError } from '../errors.js';

/**
 * SCALE encode/decode driven by the dev chain's own type table (no polkadot-js codec objects on the hot path).
 * Value mapping: bool → boolean; u8/u16/u32 → number; u64/u128 → bigint; str → string; u8 arrays and Vec<u8> →
 * Uint8Array; Option → value | null; other enums → { name, value? } (a bare string is accepted for unit variants);
 * structs → object with the declared field names (single unnamed field: the inner value; no fields: null);
 * tuples and unnamed multi-field structs → arrays; Compact → number | bigint.
 */
export type Value = unknown;
export interface EnumValue {
  name: string;
  value?: Value;
}

export class Writer {
  #buf = new Uint8Array(256);
  #len = 0;

  #grow(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
  byte(b: number): void {
    this.#grow(1);
    this.#buf[this.#len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.#grow(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  uint(v: number | bigint, size: number): void {
    this.#grow(size);
    if (size <= 4 && typeof v === 'number') {
      for (let i = 0; i < size; i++) this.#buf[this.#len++] = (v >>> (8 * i)) & 0xff;
      return;
    }
    let b = BigInt(v);
    for (let i = 0; i < size; i++) {
      this.#buf[this.#len++] = Number(b & 0xffn);
      b >>= 8n;
    }
  }
  compact(v: number | bigint): void {
    if (typeof v === 'number' && v < 0x40) return this.byte(v << 2);
    if (typeof v === 'number' && v < 0x4000) return this.uint((v << 2) | 1, 2);
    if (typeof v === 'number' && v < 0x40000000) return this.uint(v * 4 + 2, 4);
    let b = BigInt(v);
    if (b < 0x40n) return this.byte(Number(b) << 2);
    if (b < 0x4000n) return this.uint((Number(b) << 2) | 1, 2);
    if (b < 0x40000000n) return this.uint(Number(b) * 4 + 2, 4);
    const out: number[] = [];
    while (b > 0n) {
      out.push(Number(b & 0xffn));
      b >>= 8n;
    }
    this.byte(((out.length - 4) << 2) | 3);
    this.bytes(Uint8Array.from(out));
  }
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

export class Reader {
  offset = 0;
  constructor(readonly data: Uint8Array) {}

  #need(n: number): void {
    if (this.offset + n > this.data.length) throw new DevChainError('CODEC', `unexpected end of input at byte ${this.offset}`);
  }
  byte(): number {
    this.#need(1);
    return this.data[this.offset++]!;
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  uint(size: number): number | bigint {
    this.#need(size);
    if (size <= 4) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + this.data[this.offset + i]!;
      this.offset += size;
      return v;
    }
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[this.offset + i]!);
    this.offset += size;
    return v;
  }
  compact(): number | bigint {
    const first = this.data[this.offset];
    if (first === undefined) throw new DevChainError('CODEC', `unexpected end of input at byte ${this.offset}`);
    switch (first & 3) {
      case 0:
        this.offset++;
        return first >>> 2;
      case 1:
        return (this.uint(2) as number) >>> 2;
      case 2:
        return Math.floor((this.uint(4) as number) / 4);
      default: {
        this.offset++;
        const n = (first >>> 2) + 4;
        const v = this.uint(n);
        return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
    }
  }
  compactNumber(): number {
    const v = this.compact();
    if (typeof v !== 'number') throw new DevChainError('CODEC', 'compact length too large');
    return v;
  }
  get done(): boolean {
    return this.offset === this.data.length;
  }
}

const PRIM_SIZE: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16 };
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function isU8(table: TypeTable, id: TypeId): boolean {
  const d = table.get(id).def;
  return d.kind === 'primitive' && d.name === 'u8';
}
function isOption(t: TypeInfo): boolean {
  return t.path.length === 1 && t.path[0] === 'Option';
}

export class Codec {
  constructor(readonly table: TypeTable) {}

  encode(id: TypeId, value: Value): Uint8Array {
    const w = new Writer();
    this.encodeTo(w, id, value);
    return w.finish();
  }

  decode(id: TypeId, data: Uint8Array): Value {
    const r = new Reader(data);
    const v = this.decodeFrom(r, id);
    if (!r.done) throw new DevChainError('CODEC', `${data.length - r.offset} trailing bytes after ${this.describe(id)}`);
    return v;
  }

  describe(id: TypeId): string {
    const t = this.table.get(id);
    return t.path.length ? t.path.join('::') : `${t.def.kind}#${id}`;
  }

  #bad(id: TypeId, value: Value, why: string): never {
    let shown: string;
    try {
      shown = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v));
    } catch {
      shown = String(value);
    }
    throw new DevChainError('CODEC', `cannot encode ${shown?.slice(0, 120)} as ${this.describe(id)}: ${why}`);
  }

  encodeTo(w: Writer, id: TypeId, value: Value): void {
    const t = this.table.get(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive': {
        if (d.name === 'bool') {
          if (typeof value !== 'boolean') this.#bad(id, value, 'expected boolean');
          return w.byte(value ? 1 : 0);
        }
        if (d.name === 'str') {
          if (typeof value !== 'string') this.#bad(id, value, 'expected string');
          const b = textEncoder.encode(value);
          w.compact(b.length);
          return w.bytes(b);
        }
        const size = PRIM_SIZE[d.name]!;
        if (typeof value !== 'number' && typeof value !== 'bigint') this.#bad(id, value, 'expected number or bigint');
        if (value < 0 || BigInt(value) >= 1n << BigInt(size * 8)) this.#bad(id, value, 'out of range');
        return w.uint(value, size);
      }
      case 'compact': {
        if (typeof value !== 'number' && typeof value !== 'bigint') this.#bad(id, value, 'expected number or bigint');
        if (value < 0) this.#bad(id, value, 'negative');
        return w.compact(value);
      }
      case 'sequence': {
        if (isU8(this.table, d.type)) {
          if (!(value instanceof Uint8Array)) this.#bad(id, value, 'expected Uint8Array');
          w.compact(value.length);
          return w.bytes(value);
        }
        if (!Array.isArray(value)) this.#bad(id, value, 'expected array');
        w.compact(value.length);
        for (const item of value) this.encodeTo(w, d.type, item);
        return;
      }
      case 'array': {
        if (isU8(this.table, d.type)) {
          if (!(value instanceof Uint8Array) || value.length !== d.len) this.#bad(id, value, `expected ${d.len} bytes`);
          return w.bytes(value);
        }
        if (!Array.isArray(value) || value.length !== d.len) this.#bad(id, value, `expected array of ${d.len}`);
        for (const item of value) this.encodeTo(w, d.type, item);
        return;
      }
      case 'tuple': {
        if (d.types.length === 0) return;
        if (!Array.isArray(value) || value.length !== d.types.length) this.#bad(id, value, `expected tuple of ${d.types.length}`);
        d.types.forEach((tid, i) => this.encodeTo(w, tid, value[i]));
        return;
      }
      case 'composite':
        return this.#encodeFields(w, id, d.fields, value);
      case 'variant': {
        if (isOption(t)) {
          if (value === null || value === undefined) return w.byte(0);
          w.byte(1);
          return this.encodeTo(w, d.variants[1]!.fields[0]!.type, value);
        }
        const ev: EnumValue | undefined =
          typeof value === 'string' ? { name: value } : value && typeof value === 'object' && 'name' in value ? (value as EnumValue) : undefined;
        if (!ev) this.#bad(id, value, 'expected { name, value } or variant name');
        const variant = d.variants.find((v) => v.name === ev.name);
        if (!variant) this.#bad(id, value, `unknown variant ${ev.name}`);
        w.byte(variant.index);
        return this.#encodeFields(w, id, variant.fields, ev.value);
      }
    }
  }

  #encodeFields(w: Writer, id: TypeId, fields: { name?: string; type: TypeId }[], value: Value): void {
    if (fields.length === 0) return;
    if (fields[0]!.name === undefined) {
      if (fields.length === 1) return this.encodeTo(w, fields[0]!.type, value);
      if (!Array.isArray(value) || value.length !== fields.length) this.#bad(id, value, `expected ${fields.length} values`);
      fields.forEach((f, i) => this.encodeTo(w, f.type, value[i]));
      return;
    }
    if (!value || typeof value !== 'object') this.#bad(id, value, 'expected object');
    const obj = value as Record<string, Value>;
    for (const f of fields) {
      if (!(f.name! in obj)) this.#bad(id, value, `missing field ${f.name}`);
      this.encodeTo(w, f.type, obj[f.name!]);
    }
  }

  decodeFrom(r: Reader, id: TypeId): Value {
    const t = this.table.get(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive': {
        if (d.name === 'bool') {
          const b = r.byte();
          if (b > 1) throw new DevChainError('CODEC', `invalid bool byte ${b}`);
          return b === 1;
        }
        if (d.name === 'str') {
          const b = r.bytes(r.compactNumber());
          try {
            return textDecoder.decode(b);
          } catch (cause) {
            throw new DevChainError('CODEC', 'invalid utf-8 string', { cause });
          }
        }
        const size = PRIM_SIZE[d.name]!;
        const v = r.uint(size);
        return size > 4 ? BigInt(v) : v;
      }
      case 'compact':
        return r.compact();
      case 'sequence': {
        const n = r.compactNumber();
        if (isU8(this.table, d.type)) return r.bytes(n).slice();
        if (n > r.data.length - r.offset) throw new DevChainError('CODEC', `sequence length ${n} exceeds input`);
        const out: Value[] = [];
        for (let i = 0; i < n; i++) out.push(this.decodeFrom(r, d.type));
        return out;
      }
      case 'array': {
        if (isU8(this.table, d.type)) return r.bytes(d.len).slice();
        const out: Value[] = [];
        for (let i = 0; i < d.len; i++) out.push(this.decodeFrom(r, d.type));
        return out;
      }
      case 'tuple':
        return d.types.length === 0 ? null : d.types.map((tid) => this.decodeFrom(r, tid));
      case 'composite':
        return this.#decodeFields(r, d.fields);
      case 'variant': {
        const index = r.byte();
        const variant = d.variants.find((v) => v.index === index);
        if (!variant) throw new DevChainError('CODEC', `invalid variant index ${index} for ${this.describe(id)}`);
        if (isOption(t)) return index === 0 ? null : this.decodeFrom(r, variant.fields[0]!.type);
        const value = this.#decodeFields(r, variant.fields);
        return variant.fields.length === 0 ? { name: variant.name } : { name: variant.name, value };
      }
    }
  }

  #decodeFields(r: Reader, fields: { name?: string; type: TypeId }[]): Value {
    if (fields.length === 0) return null;
    if (fields[0]!.name === undefined) {
      if (fields.length === 1) return this.decodeFrom(r, fields[0]!.type);
      return fields.map((f) => this.decodeFrom(r, f.type));
    }
    const obj: Record<string, Value> = {};
    for (const f of fields) obj[f.name!] = this.decodeFrom(r, f.type);
    return obj;
  }

  /** The all-zero value of a type: what a `ValueQuery` storage item returns when unset. */
  defaultValue(id: TypeId): Value {
    const t = this.table.get(id);
    const d = t.def;
    switch (d.kind) {
      case 'primitive':
        return d.name === 'bool' ? false : d.name === 'str' ? '' : PRIM_SIZE[d.name]! > 4 ? 0n : 0;
      case 'compact':
        return 0;
      case 'sequence':
        return isU8(this.table, d.type) ? new Uint8Array() : [];
      case 'array':
        return isU8(this.table, d.type) ? new Uint8Array(d.len) : Array.from({ length: d.len }, () => this.defaultValue(d.type));
      case 'tuple':
        return d.types.length === 0 ? null : d.types.map((x) => this.defaultValue(x));
      case 'composite':
        return this.#defaultFields(d.fields);
      case 'variant': {
        if (isOption(t)) return null;
        const v = d.variants[0];
        if (!v) throw new DevChainError('CODEC', `enum ${this.describe(id)} has no variants`);
        return v.fields.length ? { name: v.name, value: this.#defaultFields(v.fields) } : { name: v.name };
      }
    }
  }

  #defaultFields(fields: { name?: string; type: TypeId }[]): Value {
    if (fields.length === 0) return null;
    if (fields[0]!.name === undefined) {
      return fields.length === 1 ? this.defaultValue(fields[0]!.type) : fields.map((f) => this.defaultValue(f.type));
    }
    return Object.fromEntries(fields.map((f) => [f.name!, this.defaultValue(f.type)]));
  }
}
