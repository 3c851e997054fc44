import { ScaleDecodeError, type ScaleDecodeErrorCode } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict SCALE reader with the rules of Rust's parity-scale-codec: canonical compacts only, lengths bounded by the
 * bytes left, typed `ScaleDecodeError`s with the offset. Every SCALE read in Sealbridge goes through it; integers
 * that can pass 2^53 come back as `bigint`, those that cannot as `number`.
 */
export class ScaleReader {
  readonly bytes: Uint8Array;
  /** What is being decoded, for error messages. */
  readonly typeName: string;
  offset: number;
  /** Nesting of recursive types, bounded by `MAX_DEPTH`. */
  depth = 0;

  constructor(bytes: Uint8Array, typeName = 'value', offset = 0) {
    this.bytes = bytes;
    this.typeName = typeName;
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  fail(code: ScaleDecodeErrorCode, detail: string, at = this.offset): never {
    throw new ScaleDecodeError(code, this.typeName, at, detail);
  }

  /** Rejects what is left after a complete value. */
  end(): void {
    if (this.offset !== this.bytes.length) this.fail('SCALE_TRAILING_BYTES', `${this.remaining} bytes left after the value`);
  }

  byte(what = 'byte'): number {
    const b = this.bytes[this.offset];
    if (b === undefined) this.fail('SCALE_TRUNCATED', `${what} needs 1 byte, 0 left`);
    this.offset++;
    return b;
  }

  /** The next `n` bytes as a view of the input. */
  take(n: number, what = 'bytes'): Uint8Array {
    if (n > this.remaining) this.fail('SCALE_TRUNCATED', `${what} needs ${n} bytes, ${this.remaining} left`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  skip(n: number, what = 'bytes'): void {
    if (n > this.remaining) this.fail('SCALE_TRUNCATED', `${what} needs ${n} bytes, ${this.remaining} left`);
    this.offset += n;
  }

  /** The input from `start` up to the current offset (a view, no copy). */
  since(start: number): Uint8Array {
    return this.bytes.subarray(start, this.offset);
  }

  bool(what = 'bool'): boolean {
    const b = this.byte(what);
    if (b > 1) this.fail('SCALE_NON_CANONICAL', `${what}: bool byte ${b}`, this.offset - 1);
    return b === 1;
  }

  u8(what = 'u8'): number {
    return this.byte(what);
  }

  u16(what = 'u16'): number {
    const b = this.take(2, what);
    return b[0]! | (b[1]! << 8);
  }

  u32(what = 'u32'): number {
    const b = this.take(4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 2 ** 24;
  }

  /** Little-endian unsigned integer of `size` bytes (u64, u128, u256) as a bigint. */
  uint(size: number, what = `u${size * 8}`): bigint {
    const b = this.take(size, what);
    if (size % 8 === 0) {
      // Balances are read on every state access: 64-bit words through a DataView, not byte by byte.
      const view = new DataView(b.buffer, b.byteOffset, size);
      let v = 0n;
      for (let at = size - 8; at >= 0; at -= 8) v = (v << 64n) | view.getBigUint64(at, true);
      return v;
    }
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  /** Little-endian two's-complement integer of `size` bytes as a bigint. */
  int(size: number, what = `i${size * 8}`): bigint {
    return BigInt.asIntN(size * 8, this.uint(size, what));
  }

  /** A compact integer of any width (up to 2^536), canonical only. */
  compact(what = 'compact'): bigint {
    const first = this.bytes[this.offset];
    if (first !== undefined && (first & 0b11) !== 0b11) return BigInt(this.compactSmall(what));
    const start = this.offset;
    const n = (this.byte(what) >> 2) + 4;
    const b = this.take(n, what);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    // The shortest encoding: no zero top byte, and four bytes only for values that need them.
    if (b[n - 1] === 0 || (n === 4 && b[3]! < 0x40)) this.fail('SCALE_NON_CANONICAL', `${what}: over-long compact`, start);
    return v;
  }

  /** A compact whose type is at most `bits` wide (`Compact<u8>` … `Compact<u32>`): a number. */
  compactU32(what = 'compact', bits = 32): number {
    const first = this.bytes[this.offset];
    const start = this.offset;
    const value = first !== undefined && (first & 0b11) !== 0b11 ? this.compactSmall(what) : Number(this.compact(what));
    if (value >= 2 ** bits) this.fail('SCALE_NON_CANONICAL', `${what}: compact exceeds u${bits}`, start);
    return value;
  }

  /** A compact at most `bits` wide, read past without building its value (block skipping of `Compact<Balance>`). */
  skipCompact(what = 'compact', bits = 128): void {
    const first = this.bytes[this.offset];
    if (first !== undefined && (first & 0b11) !== 0b11) {
      const start = this.offset;
      const value = this.compactSmall(what);
      if (bits < 32 && value >= 2 ** bits) this.fail('SCALE_NON_CANONICAL', `${what}: compact exceeds u${bits}`, start);
      return;
    }
    const start = this.offset;
    const n = (this.byte(what) >> 2) + 4;
    // Mode 3 holds at least 2^30: never a Compact<u8>/Compact<u16> (parity-scale-codec rejects that prefix).
    if (n * 8 > bits) this.fail('SCALE_NON_CANONICAL', `${what}: compact exceeds u${bits}`, start);
    const b = this.take(n, what);
    if (b[n - 1] === 0 || (n === 4 && b[3]! < 0x40)) this.fail('SCALE_NON_CANONICAL', `${what}: over-long compact`, start);
  }

  /** Modes 0–2 (values below 2^30), canonical. */
  private compactSmall(what: string): number {
    const start = this.offset;
    const first = this.bytes[start]!;
    switch (first & 0b11) {
      case 0:
        this.offset++;
        return first >> 2;
      case 1: {
        const b = this.take(2, what);
        const v = (b[0]! | (b[1]! << 8)) >> 2;
        if (v < 1 << 6) this.fail('SCALE_NON_CANONICAL', `${what}: over-long compact`, start);
        return v;
      }
      default: {
        const b = this.take(4, what);
        const v = ((b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 2 ** 24) / 4;
        if (v < 1 << 14) this.fail('SCALE_NON_CANONICAL', `${what}: over-long compact`, start);
        return Math.floor(v);
      }
    }
  }

  /**
   * A compact length prefix, checked against what is left: each element needs at least `minElementBytes`
   * (zero-sized elements are bounded by `MAX_ZERO_SIZED_ELEMENTS`, so no prefix can make a loop spin).
   */
  length(what = 'sequence', minElementBytes = 1): number {
    const start = this.offset;
    const first = this.bytes[start];
    const len = first !== undefined && (first & 0b11) !== 0b11 ? this.compactSmall(`${what} length`) : this.compact(`${what} length`);
    const bound = minElementBytes === 0 ? MAX_ZERO_SIZED_ELEMENTS : Math.floor(this.remaining / minElementBytes);
    if (len > bound) this.fail('SCALE_LENGTH_OVERFLOW', `${what} length ${len} exceeds the ${this.remaining} bytes left`, start);
    return Number(len);
  }

  /** `Vec<u8>`: a length-prefixed view of the input. */
  bytesWithLength(what = 'bytes'): Uint8Array {
    return this.take(this.length(what, 1), what);
  }

  /** `String`/`str`: length-prefixed UTF-8, rejected if not valid UTF-8. */
  str(what = 'string'): string {
    const start = this.offset;
    const bytes = this.bytesWithLength(what);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return this.fail('SCALE_NON_CANONICAL', `${what}: string is not valid UTF-8`, start);
    }
  }

  /** `char`: one Unicode scalar value as u32. */
  char(what = 'char'): string {
    const start = this.offset;
    const code = this.u32(what);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail('SCALE_NON_CANONICAL', `${what}: ${code} is not a Unicode scalar value`, start);
    return String.fromCodePoint(code);
  }

  /** Enters a recursive type; the depth limit turns hostile nesting into an error instead of a stack overflow. */
  enter(what: string): void {
    if (++this.depth > MAX_DEPTH) this.fail('SCALE_TOO_DEEP', `${what}: nested more than ${MAX_DEPTH} levels`);
  }

  leave(): void {
    this.depth--;
  }
}

/** Nesting limit of recursive types, as Substrate's `MAX_EXTRINSIC_DEPTH` (256) for calls. */
export const MAX_DEPTH = 256;
/** Elements of a sequence whose elements encode to no bytes (`Vec<()>`): nothing else bounds their count. */
export const MAX_ZERO_SIZED_ELEMENTS = 1 << 16;

/** A little-endian unsigned integer of exactly `bytes.length` bytes (u8 … u256): as a bigint. */
export function decodeUint(bytes: Uint8Array, what = `u${bytes.length * 8}`): bigint {
  return new ScaleReader(bytes, what).uint(bytes.length, what);
}
