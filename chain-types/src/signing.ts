import type { KeyObject } from 'node:crypto';
import type { Codec } from '@polkadot/types/types';

import { verify as nodeVerify } from 'node:crypto';
import { waitReady } from '@polkadot/wasm-crypto';
import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a, secp256k1Verify } from '@polkadot/util-crypto';

import type { MultiSignature, TrustedCall, TrustedCallSigned, TrustedGetter, TrustedGetterSigned } from './interfaces.js';

import { InputError } from './errors.js';
import { sealbridgeRegistry } from './registry.js';
import {
  createSealbridgeType,
  decodeExact,
  decodeTrustedCallSignedStrict,
  decodeTrustedGetterSignedStrict,
  decodeTrustedOperationStrict,
  type StrictTrustedCallSigned,
  type StrictTrustedGetterSigned,
} from './scale.js';
import { ed25519PublicKeyFromRaw } from './attestation/ed25519.js';
import { remember } from './bounded-cache.js';
import { toShardBytes } from './shard.js';
import { sr25519Verify } from './sr25519.js';

/** The part of a polkadot-js `KeyringPair` needed to sign (raw signature, no type prefix). */
export interface SigningPair {
  readonly type: string;
  sign(message: Uint8Array): Uint8Array;
}

const SIGNATURE_VARIANT: Record<string, 'Ed25519' | 'Sr25519' | 'Ecdsa'> = {
  ed25519: 'Ed25519',
  sr25519: 'Sr25519',
  ecdsa: 'Ecdsa',
};

/** Awaits `@polkadot/wasm-crypto` (blake2 and ecdsa recovery in WASM rather than JavaScript); call once at start-up. */
export async function cryptoReady(): Promise<void> {
  await waitReady();
}

/** Blake2-256 of SCALE(TrustedOperation): the TOP hash returned by the submit RPCs (docs/integritee-protocol.md §3.1). */
export function topHash(topBytes: Uint8Array): Uint8Array {
  return blake2AsU8a(topBytes, 256);
}

function requireBytes(value: Uint8Array, length: number, what: string): Uint8Array {
  if (value.length !== length) throw new InputError('INVALID_ARGUMENT', `${what} has ${value.length} bytes, expected ${length}`);
  return value;
}

/** SCALE(call) ‖ nonce u32 LE ‖ mrenclave(32) ‖ shard(32) — what a TrustedCallSigned signs (docs/integritee-protocol.md §3.3). */
export function trustedCallSigningPayload(callBytes: Uint8Array, nonce: number, mrenclave: Uint8Array, shard: Uint8Array | string): Uint8Array {
  if (!Number.isInteger(nonce) || nonce < 0 || nonce > 0xffff_ffff) throw new InputError('INVALID_ARGUMENT', `nonce ${nonce} is not a u32`);
  const nonceLe = new Uint8Array(4);
  new DataView(nonceLe.buffer).setUint32(0, nonce, true);
  return u8aConcat(callBytes, nonceLe, requireBytes(mrenclave, 32, 'mrenclave'), toShardBytes(shard));
}

function signatureVariant(pair: SigningPair): 'Ed25519' | 'Sr25519' | 'Ecdsa' {
  const variant = SIGNATURE_VARIANT[pair.type];
  if (!variant) throw new InputError('INVALID_ARGUMENT', `key type ${pair.type} cannot produce a MultiSignature`);
  return variant;
}

function toCodec<T extends Codec>(type: 'TrustedCall' | 'TrustedGetter' | 'TrustedCallSigned' | 'TrustedGetterSigned', value: T | Uint8Array | object): T {
  if ('toU8a' in value && 'registry' in value && !(value instanceof Uint8Array)) return value as T;
  return createSealbridgeType<T>(sealbridgeRegistry, type, value);
}

/** Signs `call` (codec, SCALE bytes or a createType value such as `{ balance_transfer: [from, to, amount] }`). */
export function signTrustedCall(
  pair: SigningPair,
  call: TrustedCall | Uint8Array | object,
  nonce: number,
  mrenclave: Uint8Array,
  shard: Uint8Array | string,
): Uint8Array {
  const variant = signatureVariant(pair);
  const callCodec = toCodec<TrustedCall>('TrustedCall', call);
  const signature = pair.sign(trustedCallSigningPayload(callCodec.toU8a(), nonce, mrenclave, shard));
  return sealbridgeRegistry.createType('TrustedCallSigned', { call: callCodec, nonce, signature: { [variant]: signature } }).toU8a();
}

/** First AccountId of a TrustedCall/TrustedGetter variant: the account that must have signed it. */
export function senderAccount(callOrGetter: TrustedCall | TrustedGetter): Uint8Array {
  const inner = callOrGetter.value;
  const account = Array.isArray(inner) ? (inner[0] as Codec) : inner;
  const bytes = account.toU8a();
  if (bytes.length !== 32) throw new InputError('INVALID_ARGUMENT', `variant ${callOrGetter.type} has no leading AccountId`);
  return bytes;
}

const isStrictCall = (value: object): value is StrictTrustedCallSigned => 'callBytes' in value && 'encoded' in value;

/**
 * Checks the signature of a TrustedCallSigned (codec, SCALE bytes or `decodeTrustedCallSignedStrict`'s result)
 * against this enclave's mrenclave and the request's shard; malformed bytes throw `ScaleDecodeError`.
 */
export function verifyTrustedCallSigned(tcs: TrustedCallSigned | Uint8Array | StrictTrustedCallSigned, mrenclave: Uint8Array, shard: Uint8Array | string): boolean {
  const signed = !(tcs instanceof Uint8Array) && isStrictCall(tcs)
    ? tcs
    : decodeTrustedCallSignedStrict(sealbridgeRegistry, tcs instanceof Uint8Array ? tcs : (tcs as TrustedCallSigned).toU8a());
  // Every TrustedCall variant starts with the AccountId that must sign it (`sender_account()` in Integritee).
  const signer = signed.call.fields[0];
  if (signer?.length !== 32) throw new InputError('INVALID_ARGUMENT', `call ${signed.call.name} has no leading AccountId`);
  const [signature] = signed.signature.fields as [Uint8Array];
  return verifySignatureBytes(trustedCallSigningPayload(signed.callBytes, signed.nonce, mrenclave, shard), signed.signature.name, signature, signer);
}

/**
 * True only when `top` is SCALE(TrustedOperation::indirect_call | direct_call) whose signature verifies for this
 * mrenclave and shard; false for getters, undecodable bytes and bad signatures. It needs no state, so the enclave
 * runs it on its decryption threads, next to the decryption, instead of on the thread that executes the block.
 */
export function isValidlySignedCallOperation(top: Uint8Array, mrenclave: Uint8Array, shard: Uint8Array): boolean {
  try {
    const op = decodeTrustedOperationStrict(sealbridgeRegistry, top);
    return op.kind !== 'get' && verifyTrustedCallSigned(op.signed, mrenclave, shard);
  } catch {
    return false;
  }
}

/** Signs a trusted getter; the payload is SCALE(getter) only (docs/integritee-protocol.md §3.4). */
export function signTrustedGetter(pair: SigningPair, getter: TrustedGetter | Uint8Array | object): Uint8Array {
  const variant = signatureVariant(pair);
  const getterCodec = toCodec<TrustedGetter>('TrustedGetter', getter);
  const signature = pair.sign(getterCodec.toU8a());
  return sealbridgeRegistry.createType('TrustedGetterSigned', { getter: getterCodec, signature: { [variant]: signature } }).toU8a();
}

/**
 * Signed getters that verified, keyed by their exact bytes (as a latin1 string: cheaper than hashing them). A getter's
 * signature covers only SCALE(getter) — no nonce — so clients poll with the very same blob; verifying it once is
 * enough, as the answer is a pure function of it. Blobs above the key limit (no such getter exists today) are
 * verified every time rather than held whole.
 */
const verifiedGetters = new Set<string>();
const VERIFIED_GETTER_CACHE_SIZE = 8192;
const VERIFIED_GETTER_MAX_KEY_BYTES = 512;

const isStrictGetter = (value: object): value is StrictTrustedGetterSigned => 'getterBytes' in value && 'encoded' in value;

/**
 * True when the getter is signed by the account it names first. Takes a codec, SCALE bytes or the result of
 * `decodeTrustedGetterSignedStrict`; malformed bytes throw `ScaleDecodeError`.
 */
export function verifyTrustedGetterSigned(tgs: TrustedGetterSigned | Uint8Array | StrictTrustedGetterSigned): boolean {
  const strict = tgs instanceof Uint8Array || !isStrictGetter(tgs) ? undefined : tgs;
  const encoded = strict?.encoded ?? (tgs instanceof Uint8Array ? tgs : (tgs as TrustedGetterSigned).toU8a());
  const id = encoded.length <= VERIFIED_GETTER_MAX_KEY_BYTES ? Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length).toString('latin1') : undefined;
  if (id !== undefined && verifiedGetters.has(id)) return true;
  const signed = strict ?? decodeTrustedGetterSignedStrict(sealbridgeRegistry, encoded);
  const signer = signed.getter.fields[0];
  if (signer?.length !== 32) throw new InputError('INVALID_ARGUMENT', `getter ${signed.getter.name} has no leading AccountId`);
  const [signature] = signed.signature.fields as [Uint8Array];
  const ok = verifySignatureBytes(signed.getterBytes, signed.signature.name, signature, signer);
  if (ok && id !== undefined) remember(verifiedGetters, id, VERIFIED_GETTER_CACHE_SIZE);
  return ok;
}

/** Parsed ed25519 keys by hex: signers repeat, and a KeyObject costs a tenth of a verification to build. */
const ed25519Keys = new Map<string, KeyObject>();
const ED25519_KEY_CACHE_SIZE = 4096;

function ed25519Key(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = ed25519Keys.get(id);
  if (!key) {
    key = ed25519PublicKeyFromRaw(publicKey);
    remember(ed25519Keys, id, ED25519_KEY_CACHE_SIZE, key);
  }
  return key;
}

/**
 * Substrate `MultiSignature::verify(message, signer)` for a 32-byte AccountId: ed25519 via OpenSSL, sr25519 via the
 * WASM schnorrkel (context "substrate"), ecdsa by recovering the key from blake2_256(message) and comparing
 * blake2_256(compressed key) with the account. Returns false for a wrong signature; throws InputError for
 * malformed input.
 */
export function verifyMultiSignature(message: Uint8Array, signature: MultiSignature | Uint8Array, signer32: Uint8Array): boolean {
  if (signer32.length !== 32) throw new InputError('INVALID_SIGNATURE_INPUT', `signer has ${signer32.length} bytes, expected 32`);
  let sig: MultiSignature;
  try {
    sig = signature instanceof Uint8Array ? decodeExact(sealbridgeRegistry, 'MultiSignature', signature) : signature;
  } catch (cause) {
    throw new InputError('INVALID_SIGNATURE_INPUT', 'signature is not a SCALE MultiSignature', { cause });
  }
  return verifySignatureBytes(message, sig.type, sig.value.toU8a(), signer32);
}

/** `verifyMultiSignature` on a MultiSignature variant name and its raw signature bytes. */
export function verifySignatureBytes(message: Uint8Array, variant: string, signature: Uint8Array, signer32: Uint8Array): boolean {
  switch (variant) {
    case 'Ed25519':
      try {
        return nodeVerify(null, message, ed25519Key(signer32), signature);
      } catch {
        return false; // not a valid curve point: cannot have signed anything
      }
    case 'Sr25519':
      return sr25519Verify(message, signature, signer32);
    case 'Ecdsa':
      try {
        return secp256k1Verify(message, signature, signer32, 'blake2');
      } catch {
        return false; // unrecoverable signature
      }
    default:
      throw new InputError('INVALID_SIGNATURE_INPUT', `unknown MultiSignature variant ${variant}`);
  }
}
