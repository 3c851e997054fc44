import { ScaleEncodeError } from '../errors.js';

const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Bytes that `writeCompactAt` takes for `n`. */
export function compactSize(n: number | bigint): number {
  if (typeof n === 'number' && n < 2 ** 30) return n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : 4;
  let b = BigInt(n);
  if (b < 1n << 30n) return compactSize(Number(b));
  let bytes = 0;
  for (; b > 0n; b >>= 8n) bytes++;
  return 1 + bytes;
}

/** Writes SCALE `Compact(n)` into `out` at `at` (which must have `compactSize(n)` bytes); returns the offset after it. */
export function writeCompactAt(out: Uint8Array, at: number, n: number | bigint): number {
  if (typeof n === 'number' && !(Number.isSafeInteger(n) && n >= 0)) throw new ScaleEncodeError('Compact', `${n} is not a non-negative integer`);
  if (typeof n === 'number' && n < 2 ** 30) {
    if (n < 1 << 6) {
      out[at] = n << 2;
      return at + 1;
    }
    if (n < 1 << 14) {
      const v = (n << 2) | 1;
      out[at] = v & 0xff;
      out[at + 1] = v >> 8;
      return at + 2;
    }
    const v = n * 4 + 2;
    out[at] = v & 0xff;
    out[at + 1] = (v >>> 8) & 0xff;
    out[at + 2] = (v >>> 16) & 0xff;
    out[at + 3] = (v >>> 24) & 0xff;
    return at + 4;
  }
  let b = BigInt(n);
  if (b < 0n) throw new ScaleEncodeError('Compact', `${n} is negative`);
  if (b < 1n << 30n) return writeCompactAt(out, at, Number(b));
  const size = compactSize(b) - 1;
  if (size > 67) throw new ScaleEncodeError('Compact', `${n} needs more than 67 bytes`);
  out[at++] = ((size - 4) << 2) | 0b11;
  for (let i = 0; i < size; i++, b >>= 8n) out[at++] = Number(b & 0xffn);
  return at;
}

/** A little-endian unsigned integer of `size` bytes (u32 as 4, Balance as 16); out of range is an error. */
export function encodeUint(v: number | bigint, size: number): Uint8Array {
  return new ScaleWriter(size).uint(v, size).finish();
}

/** SCALE `Compact(n)`. */
export function encodeCompact(n: number | bigint): Uint8Array {
  const out = new Uint8Array(compactSize(n));
  writeCompactAt(out, 0, n);
  return out;
}

/** `head ‖ Compact(value.length) ‖ value ‖ tail` in one allocation: `Vec<u8>` with what surrounds it. */
export function withCompactLength(value: Uint8Array, head: Uint8Array = EMPTY, tail: Uint8Array = EMPTY): Uint8Array {
  const out = new Uint8Array(head.length + compactSize(value.length) + value.length + tail.length);
  out.set(head);
  const at = writeCompactAt(out, head.length, value.length);
  out.set(value, at);
  out.set(tail, at + value.length);
  return out;
}

/** SCALE `String`: Compact(len) ‖ UTF-8. */
export function encodeStr(s: string): Uint8Array {
  return withCompactLength(textEncoder.encode(s));
}

/** `Vec<T>` of already-encoded items: Compact(count) ‖ items. */
export function encodeVecOfEncoded(items: readonly Uint8Array[]): Uint8Array {
  const w = new ScaleWriter();
  w.compact(items.length);
  for (const item of items) w.bytes(item);
  return w.finish();
}

/** Growable SCALE writer: the one place that lays out integers and compacts. */
export class ScaleWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.#len;
  }

  #grow(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): this {
    this.#grow(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#grow(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  bool(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  u16(v: number): this {
    return this.uint(v, 2);
  }

  u32(v: number): this {
    return this.uint(v, 4);
  }

  /** Little-endian unsigned integer of `size` bytes; out-of-range values are errors, not truncations. */
  uint(v: number | bigint, size: number): this {
    if (typeof v === 'number' && size <= 6 && Number.isInteger(v) && v >= 0 && v < 2 ** (size * 8)) {
      this.#grow(size);
      for (let i = 0; i < size; i++, v = Math.floor(v / 256)) this.#buf[this.#len++] = v & 0xff;
      return this;
    }
    let b = toBigInt(v, `u${size * 8}`);
    if (b < 0n || b >= 1n << BigInt(size * 8)) throw new ScaleEncodeError(`u${size * 8}`, `${v} is out of range`);
    this.#grow(size);
    if (size % 8 === 0) {
      const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#len, size);
      for (let at = 0; at < size; at += 8, b >>= 64n) view.setBigUint64(at, BigInt.asUintN(64, b), true);
      this.#len += size;
      return this;
    }
    for (let i = 0; i < size; i++, b >>= 8n) this.#buf[this.#len++] = Number(b & 0xffn);
    return this;
  }

  /** Little-endian two's-complement integer of `size` bytes. */
  int(v: number | bigint, size: number): this {
    const b = toBigInt(v, `i${size * 8}`);
    const half = 1n << BigInt(size * 8 - 1);
    if (b < -half || b >= half) throw new ScaleEncodeError(`i${size * 8}`, `${v} is out of range`);
    return this.uint(BigInt.asUintN(size * 8, b), size);
  }

  compact(v: number | bigint): this {
    const size = compactSize(v);
    this.#grow(size);
    this.#len = writeCompactAt(this.#buf, this.#len, v);
    return this;
  }

  /** `Vec<u8>`: Compact(len) ‖ bytes. */
  bytesWithLength(b: Uint8Array): this {
    return this.compact(b.length).bytes(b);
  }

  str(s: string): this {
    return this.bytesWithLength(textEncoder.encode(s));
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function toBigInt(v: number | bigint, type: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new ScaleEncodeError(type, `${v} is not a safe integer (pass a bigint)`);
  return BigInt(v);
}
