import { ScaleEncodeError, ScaleReader, ScaleWriter } from '@sealbridge/chain-types';

/**
 * SCALE codecs of the boundary's messages, composed from chain-types' one reader and writer. A message type is
 * declared once (in ecalls.ts / ocalls.ts) and both sides encode and decode with the same value.
 */
export interface Codec<T> {
  /** For error messages and the docs table. */
  readonly name: string;
  write(w: ScaleWriter, value: T): void;
  read(r: ScaleReader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

const codec = <T>(name: string, write: Codec<T>['write'], read: Codec<T>['read']): Codec<T> => ({ name, write, read });

export const unit: Codec<void> = codec('()', () => undefined, () => undefined);
export const bool: Codec<boolean> = codec('bool', (w, v) => w.bool(v), (r) => r.bool());
/** Range-checked like the wider integers (`ScaleWriter.byte` would store 256 as 0). */
export const u8: Codec<number> = codec('u8', (w, v) => w.uint(v, 1), (r) => r.u8());
export const u16: Codec<number> = codec('u16', (w, v) => w.u16(v), (r) => r.u16());
export const u32: Codec<number> = codec('u32', (w, v) => w.u32(v), (r) => r.u32());
/** u64 as a JS number: the values on the boundary (times, counts) stay far below 2^53. */
export const u64: Codec<number> = codec('u64', (w, v) => w.uint(v, 8), (r) => {
  const value = r.uint(8, 'u64');
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) r.fail('SCALE_NON_CANONICAL', `u64 ${value} exceeds 2^53`);
  return Number(value);
});
/** IEEE-754 double, little endian: metric values. */
export const f64: Codec<number> = codec('f64', (w, v) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  w.bytes(b);
}, (r) => {
  const b = r.take(8, 'f64');
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
});
export const bytes: Codec<Uint8Array> = codec('Vec<u8>', (w, v) => w.bytesWithLength(v), (r) => new Uint8Array(r.bytesWithLength()));
export const str: Codec<string> = codec('str', (w, v) => w.str(v), (r) => r.str());
/** A JSON document carried as a string, for structured values that are only displayed (logs, console lists). */
export const json = <T>(name: string): Codec<T> => codec(name, (w, v) => {
  const text = JSON.stringify(v);
  if (text === undefined) throw new ScaleEncodeError(name, `${typeof v} is not JSON`);
  w.str(text);
}, (r) => {
  const start = r.offset;
  const text = r.str(name);
  try {
    return JSON.parse(text) as T;
  } catch {
    // Strict like every other codec: a string that is no JSON is a decode error, not a SyntaxError.
    return r.fail('SCALE_NON_CANONICAL', `${name}: not a JSON document`, start);
  }
});

export function fixed(n: number): Codec<Uint8Array> {
  return codec(`[u8; ${n}]`, (w, v) => {
    if (v.length !== n) throw new RangeError(`[u8; ${n}] got ${v.length} bytes`);
    w.bytes(v);
  }, (r) => new Uint8Array(r.take(n, `[u8; ${n}]`)));
}
export const h256 = fixed(32);

export function option<T>(inner: Codec<T>): Codec<T | undefined> {
  return codec(`Option<${inner.name}>`, (w, v) => {
    if (v === undefined) w.byte(0);
    else inner.write(w.byte(1), v);
  }, (r) => {
    const tag = r.byte('Option tag');
    if (tag === 0) return undefined;
    if (tag !== 1) r.fail('SCALE_NON_CANONICAL', `Option tag ${tag}`);
    return inner.read(r);
  });
}

export function vec<T>(inner: Codec<T>): Codec<T[]> {
  return codec(`Vec<${inner.name}>`, (w, v) => {
    w.compact(v.length);
    for (const item of v) inner.write(w, item);
  }, (r) => {
    const n = r.length(inner.name);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(inner.read(r));
    return out;
  });
}

export function tuple<A, B>(a: Codec<A>, b: Codec<B>): Codec<[A, B]> {
  return codec(`(${a.name}, ${b.name})`, (w, [x, y]) => {
    a.write(w, x);
    b.write(w, y);
  }, (r) => [a.read(r), b.read(r)]);
}

type Fields = Record<string, Codec<any>>;
type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** Fields in declaration order, as a Rust struct with `#[derive(Encode, Decode)]`. */
export function struct<F extends Fields>(name: string, fields: F): Codec<StructOf<F>> {
  const entries = Object.entries(fields);
  return codec(name, (w, v) => {
    for (const [key, c] of entries) c.write(w, (v as Record<string, unknown>)[key]);
  }, (r) => {
    const out: Record<string, unknown> = {};
    for (const [key, c] of entries) out[key] = c.read(r);
    return out as StructOf<F>;
  });
}

/** A fieldless enum of names, encoded as its index (SCALE u8). */
export function names<const N extends readonly string[]>(name: string, variants: N): Codec<N[number]> {
  return codec(name, (w, v) => {
    const i = variants.indexOf(v);
    if (i < 0) throw new RangeError(`${name} has no variant ${String(v)}`);
    w.byte(i);
  }, (r) => {
    const i = r.byte(name);
    if (i >= variants.length) r.fail('SCALE_UNKNOWN_VARIANT', `${name} has no variant ${i}`);
    return variants[i]!;
  });
}

export function encode<T>(c: Codec<T>, value: T): Uint8Array {
  const w = new ScaleWriter();
  c.write(w, value);
  return w.finish();
}

/** Strict: the whole input must be the value (no trailing bytes). Throws chain-types' ScaleDecodeError. */
export function decode<T>(c: Codec<T>, input: Uint8Array): T {
  const r = new ScaleReader(input, c.name);
  const value = c.read(r);
  r.end();
  return value;
}
