import type { Codec, Registry, TypeDef } from '@polkadot/types/types';

import { TypeDefInfo, getTypeDef } from '@polkadot/types';
import { stringCamelCase, u8aEq, u8aToHex } from '@polkadot/util';

import type { SealbridgeCodecs } from './interfaces.js';

import { ScaleReader } from './codec/reader.js';
import { InputError, ScaleDecodeError } from './errors.js';

/** Fixed byte sizes of plain types that polkadot-js implements as classes (no string definition to expand). */
const FIXED_SIZES: Record<string, number> = {
  u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, u256: 32,
  i8: 1, i16: 2, i32: 4, i64: 8, i128: 16, i256: 32,
  H160: 20, H256: 32, H512: 64, AccountId20: 20, AccountId32: 32, Null: 0,
  GenericAccountId32: 32, GenericAccountId: 32, GenericEthereumAccountId: 20, GenericAccountId20: 20,
};
const UINT_BITS: Record<string, number> = { u8: 8, u16: 16, u32: 32, u64: 64, u128: 128, u256: 256 };

/**
 * Walks `bytes` along a type definition with the rules of Rust's parity-scale-codec, which polkadot-js does not
 * enforce on decode (it ignores trailing bytes, reads short integers as small numbers, accepts bool 2, decodes
 * `__Unused` enum slots). polkadot-js decodes only after this walk succeeded.
 */
class StrictWalker extends ScaleReader {
  #registry: Registry;

  constructor(registry: Registry, typeName: string, bytes: Uint8Array) {
    super(bytes, typeName);
    this.#registry = registry;
  }

  walk(def: TypeDef, path: string): void {
    switch (def.info) {
      case TypeDefInfo.Plain:
        return this.plain(def.type, path);
      case TypeDefInfo.Null:
        return;
      case TypeDefInfo.Int:
      case TypeDefInfo.UInt:
        this.take((def.length ?? 0) / 8, path);
        return;
      case TypeDefInfo.Compact: {
        const value = this.compact(path);
        const bits = this.uintBits(def.sub as TypeDef);
        if (bits !== undefined && value >= 1n << BigInt(bits)) this.fail('SCALE_NON_CANONICAL', `${path}: compact exceeds u${bits}`);
        return;
      }
      case TypeDefInfo.Option: {
        const sub = def.sub as TypeDef;
        const tag = this.take(1, `${path} option tag`)[0]!;
        // Option<bool> is one byte in Rust (0 None, 1 Some(true), 2 Some(false)).
        if (sub.type === 'bool') return tag <= 2 ? undefined : this.fail('SCALE_NON_CANONICAL', `${path}: Option<bool> byte ${tag}`, this.offset - 1);
        if (tag === 1) return this.walk(sub, path);
        if (tag !== 0) this.fail('SCALE_NON_CANONICAL', `${path}: option tag ${tag}`, this.offset - 1);
        return;
      }
      case TypeDefInfo.Result: {
        const [ok, err] = def.sub as TypeDef[];
        const tag = this.take(1, `${path} result tag`)[0]!;
        if (tag > 1) this.fail('SCALE_NON_CANONICAL', `${path}: result tag ${tag}`, this.offset - 1);
        return this.walk((tag === 0 ? ok : err)!, path);
      }
      case TypeDefInfo.Vec: {
        const sub = def.sub as TypeDef;
        if (sub.type === 'u8') return void this.take(this.length(path, 1), path);
        const len = this.length(path, this.minBytes(sub));
        for (let i = 0; i < len; i++) this.walk(sub, `${path}[${i}]`);
        return;
      }
      case TypeDefInfo.VecFixed: {
        const sub = def.sub as TypeDef;
        if (sub.type === 'u8') return void this.take(def.length ?? 0, path);
        for (let i = 0; i < (def.length ?? 0); i++) this.walk(sub, `${path}[${i}]`);
        return;
      }
      case TypeDefInfo.Tuple:
      case TypeDefInfo.Struct:
        (def.sub as TypeDef[]).forEach((sub, i) => this.walk(sub, `${path}.${sub.name ?? i}`));
        return;
      case TypeDefInfo.Enum: {
        const at = this.offset;
        const index = this.take(1, `${path} variant index`)[0]!;
        const variant = (def.sub as TypeDef[]).find((v) => v.index === index);
        if (!variant || variant.name?.startsWith('__Unused')) this.fail('SCALE_UNKNOWN_VARIANT', `${path}: no variant with index ${index}`, at);
        // String-list enums (`_enum: ['A', 'B']`) carry no payload.
        if (variant.type === 'Null' || variant.info === TypeDefInfo.Null) return;
        return this.walk(variant, `${path}::${variant.name}`);
      }
      default:
        this.fail('SCALE_UNKNOWN_TYPE', `${path}: type kind ${TypeDefInfo[def.info]} (${def.type}) is not supported`);
    }
  }

  plain(type: string, path: string): void {
    const definition = this.#registry.getDefinition(type);
    if (definition !== undefined) return this.walk(typeDefOf(definition), path);
    if (type === 'bool') return void this.bool(path);
    if (type === 'Bytes') return void this.bytesWithLength(path);
    if (type === 'Text' || type === 'String' || type === 'Str') return void this.str(path);
    const size = FIXED_SIZES[type];
    if (size === undefined) this.fail('SCALE_UNKNOWN_TYPE', `${path}: type ${type} is not registered`);
    this.take(size, path);
  }

  /** Width of the unsigned integer behind a Compact (following aliases such as Balance → u128). */
  uintBits(def: TypeDef): number | undefined {
    if (def.info === TypeDefInfo.UInt) return def.length;
    if (def.info !== TypeDefInfo.Plain) return undefined;
    const definition = this.#registry.getDefinition(def.type);
    return definition !== undefined ? this.uintBits(typeDefOf(definition)) : UINT_BITS[def.type];
  }

  /** Lower bound of an element's encoded size, used to reject absurd vector lengths before looping. */
  minBytes(def: TypeDef): number {
    if (def.info === TypeDefInfo.Plain) {
      const definition = this.#registry.getDefinition(def.type);
      if (definition !== undefined) return this.minBytes(typeDefOf(definition));
      return def.type === 'Null' ? 0 : FIXED_SIZES[def.type] ?? 1;
    }
    if (def.info === TypeDefInfo.VecFixed) return (def.length ?? 0) * this.minBytes(def.sub as TypeDef);
    if (def.info === TypeDefInfo.Struct || def.info === TypeDefInfo.Tuple) {
      return (def.sub as TypeDef[]).reduce((sum, sub) => sum + this.minBytes(sub), 0);
    }
    if (def.info === TypeDefInfo.Null) return 0;
    if (def.info === TypeDefInfo.Int || def.info === TypeDefInfo.UInt) return (def.length ?? 0) / 8;
    return 1;
  }
}

/**
 * Size of a value the walker reads with one `take` (a fixed-size plain type, `[u8; N]` or an integer, through
 * aliases), so skipping it fails at the same offset as walking it; undefined for anything else.
 */
function atomicSize(registry: Registry, def: TypeDef): number | undefined {
  switch (def.info) {
    case TypeDefInfo.Plain: {
      const definition = registry.getDefinition(def.type);
      return definition !== undefined ? atomicSize(registry, typeDefOf(definition)) : FIXED_SIZES[def.type];
    }
    case TypeDefInfo.Int:
    case TypeDefInfo.UInt:
      return (def.length ?? 0) / 8;
    case TypeDefInfo.VecFixed:
      return (def.sub as TypeDef).type === 'u8' ? def.length : undefined;
    default:
      return undefined;
  }
}

const typeDefCache = new Map<string, TypeDef>();
function typeDefOf(definition: string): TypeDef {
  let def = typeDefCache.get(definition);
  if (!def) {
    def = getTypeDef(definition);
    typeDefCache.set(definition, def);
  }
  return def;
}

/**
 * `Request { shard: H256, cyphertext: Vec<u8> }` with the same strict checks as `decodeExact` but without building
 * polkadot-js codecs: every RPC submission and getter starts with it. Returns copies, so callers may reuse `bytes`
 * (`new Uint8Array(view)` copies even when `bytes` is a Buffer, whose `slice` would not).
 */
export function decodeRequestStrict(registry: Registry, bytes: Uint8Array): { shard: Uint8Array; cyphertext: Uint8Array } {
  const walker = new StrictWalker(registry, 'Request', bytes);
  const shard = new Uint8Array(walker.take(32, 'shard'));
  const cyphertext = new Uint8Array(walker.take(walker.length('cyphertext', 1), 'cyphertext'));
  walker.end();
  return { shard, cyphertext };
}

/** An enum value whose payload stays SCALE: one view of the input per tuple element of the variant. */
export interface ScaleEnumValue {
  readonly index: number;
  readonly name: string;
  readonly fields: readonly Uint8Array[];
}

/** `TrustedGetterSigned { getter: TrustedGetter, signature: MultiSignature }`, decoded without codecs. */
export interface StrictTrustedGetterSigned {
  /** SCALE(TrustedGetter): what the signature covers. */
  readonly getterBytes: Uint8Array;
  readonly getter: ScaleEnumValue;
  /** MultiSignature variant (`Ed25519`, `Sr25519`, `Ecdsa`) with the raw signature as its one field. */
  readonly signature: ScaleEnumValue;
  /** The exact SCALE(TrustedGetterSigned) that was decoded. */
  readonly encoded: Uint8Array;
}

/** `Getter::public(PublicGetter) | Getter::trusted(TrustedGetterSigned)`. */
export type StrictGetter =
  | { readonly kind: 'public'; readonly getter: ScaleEnumValue }
  | { readonly kind: 'trusted'; readonly signed: StrictTrustedGetterSigned };

interface VariantLayout {
  name: string;
  fields: { def: TypeDef; size: number | undefined }[];
  what: string;
}
/** Variants by wire index of one enum, read from the registry once; `__Unused` slots stay empty. */
interface EnumLayout {
  variants: (VariantLayout | undefined)[];
  indexWhat: string;
}

function enumLayout(registry: Registry, typeName: string): EnumLayout {
  const definition = registry.getDefinition(typeName);
  const def = definition === undefined ? undefined : typeDefOf(definition);
  if (def?.info !== TypeDefInfo.Enum) throw new ScaleDecodeError('SCALE_UNKNOWN_TYPE', typeName, 0, `${typeName} is not a registered enum`);
  const variants: (VariantLayout | undefined)[] = [];
  for (const v of def.sub as TypeDef[]) {
    if (v.name === undefined || v.index === undefined || v.name.startsWith('__Unused')) continue;
    const payload = v.type === 'Null' || v.info === TypeDefInfo.Null ? [] : v.info === TypeDefInfo.Tuple ? (v.sub as TypeDef[]) : [v];
    variants[v.index] = {
      name: v.name,
      fields: payload.map((field) => ({ def: field, size: atomicSize(registry, field) })),
      what: `${typeName}::${v.name}`,
    };
  }
  return { variants, indexWhat: `${typeName} variant index` };
}

interface GetterLayouts {
  publicGetter: EnumLayout;
  trustedGetter: EnumLayout;
  multiSignature: EnumLayout;
}
const getterLayouts = new WeakMap<Registry, GetterLayouts>();

function getterLayoutsOf(registry: Registry): GetterLayouts {
  let layouts = getterLayouts.get(registry);
  if (!layouts) {
    layouts = {
      publicGetter: enumLayout(registry, 'PublicGetter'),
      trustedGetter: enumLayout(registry, 'TrustedGetter'),
      multiSignature: enumLayout(registry, 'MultiSignature'),
    };
    getterLayouts.set(registry, layouts);
  }
  return layouts;
}

/** Reads one enum value the way `walk` would (same checks, same error offsets), keeping fields as views. */
function readEnum(walker: StrictWalker, layout: EnumLayout): ScaleEnumValue {
  const at = walker.offset;
  const index = walker.take(1, layout.indexWhat)[0]!;
  const variant = layout.variants[index];
  if (variant === undefined) walker.fail('SCALE_UNKNOWN_VARIANT', `${layout.indexWhat}: no variant with index ${index}`, at);
  const fields: Uint8Array[] = [];
  for (const field of variant.fields) {
    if (field.size !== undefined) {
      fields.push(walker.take(field.size, variant.what));
    } else {
      const start = walker.offset;
      walker.walk(field.def, variant.what);
      fields.push(walker.since(start));
    }
  }
  return { index, name: variant.name, fields };
}

function readTrustedGetterSigned(walker: StrictWalker, layouts: GetterLayouts): StrictTrustedGetterSigned {
  const start = walker.offset;
  const getter = readEnum(walker, layouts.trustedGetter);
  const getterBytes = walker.since(start);
  const signature = readEnum(walker, layouts.multiSignature);
  return { getterBytes, getter, signature, encoded: walker.since(start) };
}

/**
 * SCALE `TrustedGetterSigned` with the same strictness and error codes/offsets as `decodeExact` but without
 * polkadot-js codecs: every trusted getter goes through it. Returned bytes are views of `bytes`.
 */
export function decodeTrustedGetterSignedStrict(registry: Registry, bytes: Uint8Array): StrictTrustedGetterSigned {
  const walker = new StrictWalker(registry, 'TrustedGetterSigned', bytes);
  const signed = readTrustedGetterSigned(walker, getterLayoutsOf(registry));
  walker.end();
  return signed;
}

function readGetter(walker: StrictWalker, layouts: GetterLayouts): StrictGetter {
  const at = walker.offset;
  const index = walker.take(1, 'Getter variant index')[0]!;
  if (index > 1) walker.fail('SCALE_UNKNOWN_VARIANT', `Getter: no variant with index ${index}`, at);
  return index === 0 ? { kind: 'public', getter: readEnum(walker, layouts.publicGetter) } : { kind: 'trusted', signed: readTrustedGetterSigned(walker, layouts) };
}

/** SCALE `Getter` (the `state_executeGetter` payload), strict like `decodeExact`; bytes are views of the input. */
export function decodeGetterStrict(registry: Registry, bytes: Uint8Array): StrictGetter {
  const walker = new StrictWalker(registry, 'Getter', bytes);
  const getter = readGetter(walker, getterLayoutsOf(registry));
  walker.end();
  return getter;
}

/** `TrustedCallSigned { call: TrustedCall, nonce: u32, signature: MultiSignature }`, decoded without codecs. */
export interface StrictTrustedCallSigned {
  /** SCALE(TrustedCall): what the signature covers, followed by nonce, mrenclave and shard. */
  readonly callBytes: Uint8Array;
  readonly call: ScaleEnumValue;
  readonly nonce: number;
  /** MultiSignature variant (`Ed25519`, `Sr25519`, `Ecdsa`) with the raw signature as its one field. */
  readonly signature: ScaleEnumValue;
  /** The exact SCALE(TrustedCallSigned) that was decoded. */
  readonly encoded: Uint8Array;
}

export type StrictTrustedOperation =
  | { readonly kind: 'indirect_call' | 'direct_call'; readonly signed: StrictTrustedCallSigned }
  | { readonly kind: 'get'; readonly getter: StrictGetter };

const trustedCallLayouts = new WeakMap<Registry, EnumLayout>();

function readTrustedCallSigned(walker: StrictWalker, registry: Registry): StrictTrustedCallSigned {
  let callLayout = trustedCallLayouts.get(registry);
  if (!callLayout) {
    callLayout = enumLayout(registry, 'TrustedCall');
    trustedCallLayouts.set(registry, callLayout);
  }
  const start = walker.offset;
  const call = readEnum(walker, callLayout);
  const callBytes = walker.since(start);
  const nonce = walker.u32('TrustedCallSigned.nonce');
  const signature = readEnum(walker, getterLayoutsOf(registry).multiSignature);
  return {
    callBytes,
    call,
    nonce,
    signature,
    encoded: walker.since(start),
  };
}

/** SCALE `TrustedCallSigned`, strict like `decodeExact`; bytes are views of the input. */
export function decodeTrustedCallSignedStrict(registry: Registry, bytes: Uint8Array): StrictTrustedCallSigned {
  const walker = new StrictWalker(registry, 'TrustedCallSigned', bytes);
  const signed = readTrustedCallSigned(walker, registry);
  walker.end();
  return signed;
}

/**
 * SCALE `TrustedOperation`, strict like `decodeExact` but without polkadot-js codecs: every indirect call of a
 * block goes through it, on the decryption threads and again where it executes. Bytes are views of the input.
 */
export function decodeTrustedOperationStrict(registry: Registry, bytes: Uint8Array): StrictTrustedOperation {
  const walker = new StrictWalker(registry, 'TrustedOperation', bytes);
  const index = walker.take(1, 'TrustedOperation variant index')[0]!;
  let operation: StrictTrustedOperation;
  if (index === 0 || index === 1) operation = { kind: index === 0 ? 'indirect_call' : 'direct_call', signed: readTrustedCallSigned(walker, registry) };
  else if (index === 2) operation = { kind: 'get', getter: readGetter(walker, getterLayoutsOf(registry)) };
  else return walker.fail('SCALE_UNKNOWN_VARIANT', `TrustedOperation: no variant with index ${index}`, 0);
  walker.end();
  return operation;
}

/**
 * Decodes `bytes` as registered type `type` and guarantees the result is exactly what the Rust side would decode:
 * throws `ScaleDecodeError` for truncated input, unknown enum indices, compact lengths beyond the input, trailing
 * bytes and non-canonical encodings instead of returning polkadot-js' lenient partial/default result.
 */
export function decodeExact<K extends keyof SealbridgeCodecs>(registry: Registry, type: K, bytes: Uint8Array): SealbridgeCodecs[K];
export function decodeExact<T extends Codec = Codec>(registry: Registry, type: string, bytes: Uint8Array): T;
export function decodeExact(registry: Registry, type: string, bytes: Uint8Array): Codec {
  const walker = new StrictWalker(registry, type, bytes);
  // getTypeDef also expands expressions such as 'Vec<TrustedCallSigned>' or '(AccountId, ParentchainId)'.
  walker.walk(typeDefOf(type), type);
  walker.end();
  let codec: Codec;
  try {
    codec = registry.createType(type, bytes);
  } catch (cause) {
    throw new ScaleDecodeError('SCALE_LENGTH_OVERFLOW', type, 0, `polkadot-js rejected the value: ${(cause as Error).message}`, { cause });
  }
  // Defence in depth: a codec that does not re-encode to the input means the walk and polkadot-js disagree.
  if (!u8aEq(codec.toU8a(), bytes)) walker.fail('SCALE_NON_CANONICAL', 'value does not re-encode to the input', 0);
  return codec;
}

/**
 * Prepares a createType value: raw `Uint8Array`s at `Vec<u8>` positions become hex strings (polkadot-js would read
 * them as already length-prefixed SCALE, its constructors cannot tell "encoded" from "raw"), struct keys may be given
 * in camelCase, and unknown or missing struct fields are errors instead of polkadot-js' silent defaults (a missing
 * `Option` field means None).
 */
function prepareValue(registry: Registry, def: TypeDef, value: unknown, path: string): unknown {
  if (value === null || value === undefined || typeof value !== 'object' || isCodec(value)) return value;
  switch (def.info) {
    case TypeDefInfo.Plain: {
      const definition = registry.getDefinition(def.type);
      if (definition !== undefined) return prepareValue(registry, typeDefOf(definition), value, path);
      return def.type === 'Bytes' && value instanceof Uint8Array ? u8aToHex(value) : value;
    }
    case TypeDefInfo.Vec: {
      const sub = def.sub as TypeDef;
      if (sub.type === 'u8') return value instanceof Uint8Array ? u8aToHex(value) : value;
      return Array.isArray(value) ? value.map((v, i) => prepareValue(registry, sub, v, `${path}[${i}]`)) : value;
    }
    case TypeDefInfo.Option:
      return prepareValue(registry, def.sub as TypeDef, value, path);
    case TypeDefInfo.Tuple:
      if (!Array.isArray(value)) return value;
      return value.map((v, i) => {
        const sub = (def.sub as TypeDef[])[i];
        return sub ? prepareValue(registry, sub, v, `${path}.${i}`) : v;
      });
    case TypeDefInfo.Struct:
      return value instanceof Uint8Array || Array.isArray(value) ? value : prepareFields(registry, def.sub as TypeDef[], value, path, true);
    case TypeDefInfo.Enum:
      return value instanceof Uint8Array || Array.isArray(value) ? value : prepareFields(registry, def.sub as TypeDef[], value, path, false);
    default:
      return value;
  }
}

function prepareFields(registry: Registry, subs: TypeDef[], value: object, path: string, isStruct: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const sub = subs.find((s) => s.name !== undefined && (s.name.toLowerCase() === lower || stringCamelCase(s.name) === key));
    if (!sub) throw new InputError('INVALID_ARGUMENT', `${path}: unknown ${isStruct ? 'field' : 'variant'} "${key}"`);
    out[sub.name!] = prepareValue(registry, sub, v, `${path}.${sub.name}`);
  }
  if (isStruct) {
    const missing = subs.filter((s) => !(s.name! in out) && s.info !== TypeDefInfo.Option).map((s) => s.name);
    if (missing.length > 0) throw new InputError('INVALID_ARGUMENT', `${path}: missing field(s) ${missing.join(', ')}`);
  }
  return out;
}

function isCodec(value: object): boolean {
  return 'toU8a' in value && 'registry' in value;
}

/**
 * `registry.createType` with the typed result of `SealbridgeCodecs`. Byte input is a complete SCALE encoding and goes
 * through `decodeExact`; object/array values are prepared as described at `prepareValue` (raw `Vec<u8>` bytes,
 * camelCase keys, no silent defaults for unknown or missing struct fields).
 */
export function createSealbridgeType<K extends keyof SealbridgeCodecs>(registry: Registry, type: K, value: unknown): SealbridgeCodecs[K];
export function createSealbridgeType<T extends Codec = Codec>(registry: Registry, type: string, value: unknown): T;
export function createSealbridgeType(registry: Registry, type: string, value: unknown): Codec {
  if (value instanceof Uint8Array) return decodeExact(registry, type, value);
  const normalised = prepareValue(registry, typeDefOf(type), value, type);
  return registry.createType(type, normalised);
}
