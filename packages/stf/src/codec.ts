// The only file that knows how trusted operations look on the wire. It turns SCALE bytes into plain,
// immutable TypeScript values so the executor never touches codec objects.
import { TypeRegistry } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { u8aConcat, u8aEq, u8aToHex, u8aToU8a } from '@polkadot/util';
import { blake2AsU8a, secp256k1Verify } from '@polkadot/util-crypto';
import { sr25519Verify, waitReady } from '@polkadot/wasm-crypto';
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { StfError } from './errors.js';

export type Bytes = Uint8Array;

export type ParentchainId = 'Integritee' | 'TargetA' | 'TargetB';

export type TrustedCall =
  | { kind: 'noop'; who: Bytes }
  | { kind: 'balance_set_balance'; root: Bytes; who: Bytes; free: bigint; reserved: bigint }
  | { kind: 'balance_transfer'; from: Bytes; to: Bytes; amount: bigint }
  | { kind: 'balance_unshield'; from: Bytes; beneficiary: Bytes; amount: bigint; shard: Bytes }
  | { kind: 'balance_shield'; enclave: Bytes; who: Bytes; amount: bigint; parentchainId: ParentchainId }
  | { kind: 'timestamp_set'; enclave: Bytes; now: bigint; parentchainId: ParentchainId }
  | { kind: 'smart_worker_call'; sender: Bytes; worker: Bytes; input: Bytes };

export type SignatureScheme = 'ed25519' | 'sr25519' | 'ecdsa';
export interface MultiSignature { scheme: SignatureScheme; bytes: Bytes }

export interface SignedCall {
  call: TrustedCall;
  /** SCALE(TrustedCall) — the first part of the signed payload. */
  callBytes: Bytes;
  nonce: number;
  signature: MultiSignature;
  /** SCALE(TrustedCallSigned). */
  encoded: Bytes;
}

export type TrustedGetter =
  | { kind: 'free_balance'; who: Bytes }
  | { kind: 'reserved_balance'; who: Bytes }
  | { kind: 'nonce'; who: Bytes }
  | { kind: 'smart_worker_result'; who: Bytes; callHash: Bytes }
  | { kind: 'env_names'; who: Bytes; worker: Bytes };

export type Getter =
  | { kind: 'public'; getter: 'some_value' }
  | { kind: 'trusted'; getter: TrustedGetter; getterBytes: Bytes; signature: MultiSignature };

export type Operation =
  | { kind: 'indirect_call' | 'direct_call'; signed: SignedCall }
  | { kind: 'get'; getter: Getter };

const SMART_WORKER_INDEX = 150;

function sparseEnum(variants: Record<number, [string, string]>): { _enum: Record<string, string> } {
  const max = Math.max(...Object.keys(variants).map(Number));
  const def: Record<string, string> = {};
  for (let i = 0; i <= max; i += 1) {
    const v = variants[i];
    def[v ? v[0] : `__Unused${i}`] = v ? v[1] : 'Null';
  }
  return { _enum: def };
}

const TYPES = {
  ParentchainId: { _enum: ['Integritee', 'TargetA', 'TargetB'] },
  TrustedCall: sparseEnum({
    0: ['noop', 'AccountId'],
    1: ['balance_set_balance', '(AccountId, AccountId, u128, u128)'],
    2: ['balance_transfer', '(AccountId, AccountId, u128)'],
    3: ['balance_unshield', '(AccountId, AccountId, u128, H256)'],
    4: ['balance_shield', '(AccountId, AccountId, u128, ParentchainId)'],
    5: ['timestamp_set', '(AccountId, u64, ParentchainId)'],
    [SMART_WORKER_INDEX]: ['smart_worker_call', '(AccountId, H256, Bytes)'],
  }),
  TrustedCallSigned: { call: 'TrustedCall', nonce: 'u32', signature: 'MultiSignature' },
  TrustedGetter: sparseEnum({
    0: ['free_balance', 'AccountId'],
    1: ['reserved_balance', 'AccountId'],
    2: ['nonce', 'AccountId'],
    [SMART_WORKER_INDEX]: ['smart_worker_result', '(AccountId, H256)'],
    [SMART_WORKER_INDEX + 1]: ['env_names', '(AccountId, H256)'],
  }),
  TrustedGetterSigned: { getter: 'TrustedGetter', signature: 'MultiSignature' },
  PublicGetter: { _enum: ['some_value'] },
  Getter: { _enum: { public: 'PublicGetter', trusted: 'TrustedGetterSigned' } },
  TrustedOperation: { _enum: { indirect_call: 'TrustedCallSigned', direct_call: 'TrustedCallSigned', get: 'Getter' } },
};

const registry = new TypeRegistry();
registry.register(TYPES);

type EnumLike = Codec & { type: string; value: Codec; index: number };
type StructLike = Codec & { get(name: string): Codec | undefined };
type TupleLike = Codec & { [i: number]: Codec };

function decodeExact(type: string, bytes: Bytes): Codec {
  let codec: Codec;
  try {
    codec = registry.createType(type, bytes);
  } catch (cause) {
    throw new StfError('MalformedOperation', `bytes do not decode as ${type}: ${(cause as Error).message}`, { cause });
  }
  // Re-encoding catches trailing bytes and lenient decodes (e.g. unused enum slots).
  if (!u8aEq(codec.toU8a(), bytes) || hasUnusedVariant(codec)) {
    throw new StfError('MalformedOperation', `bytes are not exactly one ${type}`);
  }
  return codec;
}

function hasUnusedVariant(codec: Codec): boolean {
  const e = codec as EnumLike;
  if (typeof e.type === 'string' && typeof e.index === 'number') {
    return e.type.startsWith('__Unused') || hasUnusedVariant(e.value);
  }
  const s = codec as StructLike & { size?: number; values?: () => Iterable<Codec> };
  if (codec instanceof Map && typeof s.values === 'function') {
    for (const v of s.values()) if (hasUnusedVariant(v)) return true;
  }
  return false;
}

const bytesOf = (c: Codec): Bytes => c.toU8a(true);
const bigOf = (c: Codec): bigint => BigInt(c.toString());
const field = (c: Codec, name: string): Codec => (c as StructLike).get(name) as Codec;

function toCall(codec: Codec): TrustedCall {
  const e = codec as EnumLike;
  const a = e.value as TupleLike;
  switch (e.type) {
    case 'noop':
      return { kind: 'noop', who: bytesOf(e.value) };
    case 'balance_set_balance':
      return { kind: 'balance_set_balance', root: bytesOf(a[0]), who: bytesOf(a[1]), free: bigOf(a[2]), reserved: bigOf(a[3]) };
    case 'balance_transfer':
      return { kind: 'balance_transfer', from: bytesOf(a[0]), to: bytesOf(a[1]), amount: bigOf(a[2]) };
    case 'balance_unshield':
      return { kind: 'balance_unshield', from: bytesOf(a[0]), beneficiary: bytesOf(a[1]), amount: bigOf(a[2]), shard: bytesOf(a[3]) };
    case 'balance_shield':
      return { kind: 'balance_shield', enclave: bytesOf(a[0]), who: bytesOf(a[1]), amount: bigOf(a[2]), parentchainId: (a[3] as EnumLike).type as ParentchainId };
    case 'timestamp_set':
      return { kind: 'timestamp_set', enclave: bytesOf(a[0]), now: bigOf(a[1]), parentchainId: (a[2] as EnumLike).type as ParentchainId };
    case 'smart_worker_call':
      return { kind: 'smart_worker_call', sender: bytesOf(a[0]), worker: bytesOf(a[1]), input: bytesOf(a[2]) };
    default:
      throw new StfError('UnsupportedOperation', `unknown TrustedCall variant ${e.type}`);
  }
}

function toSignature(codec: Codec): MultiSignature {
  const e = codec as EnumLike;
  const scheme = e.type.toLowerCase() as SignatureScheme;
  return { scheme, bytes: bytesOf(e.value) };
}

function toSignedCall(codec: Codec): SignedCall {
  const call = field(codec, 'call');
  return {
    call: toCall(call),
    callBytes: call.toU8a(),
    nonce: Number(field(codec, 'nonce').toString()),
    signature: toSignature(field(codec, 'signature')),
    encoded: codec.toU8a(),
  };
}

function toGetter(codec: Codec): Getter {
  const e = codec as EnumLike;
  if (e.type === 'public') return { kind: 'public', getter: 'some_value' };
  const getter = field(e.value, 'getter') as EnumLike;
  const a = getter.value as TupleLike;
  let g: TrustedGetter;
  switch (getter.type) {
    case 'free_balance':
    case 'reserved_balance':
    case 'nonce':
      g = { kind: getter.type, who: bytesOf(getter.value) };
      break;
    case 'smart_worker_result':
      g = { kind: 'smart_worker_result', who: bytesOf(a[0]), callHash: bytesOf(a[1]) };
      break;
    case 'env_names':
      g = { kind: 'env_names', who: bytesOf(a[0]), worker: bytesOf(a[1]) };
      break;
    default:
      throw new StfError('UnsupportedOperation', `unknown TrustedGetter variant ${getter.type}`);
  }
  return { kind: 'trusted', getter: g, getterBytes: getter.toU8a(), signature: toSignature(field(e.value, 'signature')) };
}

/** Decodes exactly one SCALE `TrustedOperation`; throws `StfError('MalformedOperation')` otherwise. */
export function decodeOperation(bytes: Bytes): Operation {
  const e = decodeExact('TrustedOperation', bytes) as EnumLike;
  if (e.type === 'get') return { kind: 'get', getter: toGetter(e.value) };
  return { kind: e.type as 'indirect_call' | 'direct_call', signed: toSignedCall(e.value) };
}

/** Decodes exactly one SCALE `Getter` (public or trusted-signed). */
export function decodeGetter(bytes: Bytes): Getter {
  return toGetter(decodeExact('Getter', bytes));
}

function callValue(call: TrustedCall): Record<string, unknown> {
  switch (call.kind) {
    case 'noop':
      return { noop: call.who };
    case 'balance_set_balance':
      return { balance_set_balance: [call.root, call.who, call.free, call.reserved] };
    case 'balance_transfer':
      return { balance_transfer: [call.from, call.to, call.amount] };
    case 'balance_unshield':
      return { balance_unshield: [call.from, call.beneficiary, call.amount, call.shard] };
    case 'balance_shield':
      return { balance_shield: [call.enclave, call.who, call.amount, call.parentchainId] };
    case 'timestamp_set':
      return { timestamp_set: [call.enclave, call.now, call.parentchainId] };
    case 'smart_worker_call':
      // Bytes treats a Uint8Array as already length-prefixed; a hex string is taken as raw content.
      return { smart_worker_call: [call.sender, call.worker, u8aToHex(call.input)] };
  }
}

export function encodeTrustedCall(call: TrustedCall): Bytes {
  return registry.createType('TrustedCall', callValue(call)).toU8a();
}

export function encodeTrustedGetter(getter: TrustedGetter): Bytes {
  const value =
    getter.kind === 'smart_worker_result'
      ? [getter.who, getter.callHash]
      : getter.kind === 'env_names'
        ? [getter.who, getter.worker]
        : getter.who;
  return registry.createType('TrustedGetter', { [getter.kind]: value }).toU8a();
}

const SCHEME_NAME: Record<SignatureScheme, string> = { ed25519: 'Ed25519', sr25519: 'Sr25519', ecdsa: 'Ecdsa' };
const signatureValue = (s: MultiSignature) => ({ [SCHEME_NAME[s.scheme]]: s.bytes });

/** SCALE(TrustedCallSigned) from an encoded call. */
export function encodeTrustedCallSigned(callBytes: Bytes, nonce: number, signature: MultiSignature): Bytes {
  const call = registry.createType('TrustedCall', callBytes);
  return registry.createType('TrustedCallSigned', { call, nonce, signature: signatureValue(signature) }).toU8a();
}

/** SCALE(TrustedOperation) wrapping an encoded TrustedCallSigned. */
export function encodeCallOperation(kind: 'indirect_call' | 'direct_call', signedCallBytes: Bytes): Bytes {
  return u8aConcat([kind === 'indirect_call' ? 0 : 1], signedCallBytes);
}

/** SCALE(Getter::trusted(TrustedGetterSigned)). */
export function encodeTrustedGetterSigned(getter: TrustedGetter, signature: MultiSignature): Bytes {
  const g = registry.createType('TrustedGetter', encodeTrustedGetter(getter));
  return registry.createType('Getter', { trusted: { getter: g, signature: signatureValue(signature) } }).toU8a();
}

/** Integritee v0.14.0 signing payload: SCALE(call) ‖ nonce u32 LE ‖ mrenclave ‖ shard. */
export function trustedCallSigningPayload(callBytes: Bytes, nonce: number, mrenclave: Bytes, shard: Bytes): Bytes {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, nonce, true);
  return u8aConcat(callBytes, n, mrenclave, shard);
}

const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
let cryptoInit: Promise<unknown> | undefined;

/** sr25519 verification needs the wasm module; the executor awaits this once. */
export function cryptoReady(): Promise<unknown> {
  cryptoInit ??= waitReady();
  return cryptoInit;
}

/** Verifies a MultiSignature by the 32-byte account `signer` over `payload` (ecdsa: signer = blake2-256(pubkey)). */
export function verifyMultiSignature(signature: MultiSignature, payload: Bytes, signer: Bytes): boolean {
  try {
    switch (signature.scheme) {
      case 'sr25519':
        return sr25519Verify(signature.bytes, payload, signer);
      case 'ed25519': {
        const key = createPublicKey({ key: Buffer.from(u8aConcat(ED25519_SPKI_PREFIX, signer)), format: 'der', type: 'spki' });
        return edVerify(null, payload, key, signature.bytes);
      }
      case 'ecdsa':
        return secp256k1Verify(payload, signature.bytes, signer, 'blake2');
    }
  } catch {
    return false;
  }
}

export const blake2_256 = (data: Bytes): Bytes => blake2AsU8a(data, 256);
export const toBytes = (v: Bytes | string): Bytes => u8aToU8a(v);
