import { blake2AsU8a } from '@polkadot/util-crypto';
import { verifySignatureBytes } from '@sealbridge/chain-types';

import type { CallValue } from './pallet.js';

import { DevChainError } from '../errors.js';
import { ScaleReader, ScaleWriter } from '@sealbridge/chain-types';

export const EXTRINSIC_VERSION = 4;
const SIGNED_BIT = 0x80;
/** Signing payloads longer than this are blake2-256 hashed first (sp_runtime SignedPayload). */
const MAX_UNHASHED_PAYLOAD_BYTES = 256;
const SIGNATURE_TYPES = ['ed25519', 'sr25519', 'ecdsa'] as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[number];

export interface Era {
  period: number;
  phase: number;
}

export interface SignedPart {
  signer: Uint8Array;
  signatureType: SignatureType;
  signature: Uint8Array;
  /** null = immortal */
  era: Era | null;
  nonce: number;
  tip: bigint;
  /** Raw `era ‖ compact nonce ‖ compact tip`, part of the signing payload. */
  extra: Uint8Array;
}

/** A decoded v4 extrinsic: envelope parsed by hand, call decoded with the metadata codec. */
export interface Extrinsic {
  /** Full encoding including the compact length prefix (what blocks and RPC carry). */
  bytes: Uint8Array;
  hash: Uint8Array;
  signed: SignedPart | null;
  callBytes: Uint8Array;
  call: CallValue;
}

/** `birth` of a mortal era for the given current block number (sp_runtime::generic::Era::birth). */
export function eraBirth(era: Era, current: number): number {
  return Math.floor((Math.max(current, era.phase) - era.phase) / era.period) * era.period + era.phase;
}

function decodeEra(first: number, second: number): Era {
  const encoded = first + (second << 8);
  const period = 2 << encoded % (1 << 4);
  const quantizeFactor = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantizeFactor;
  if (period < 4 || phase >= period) throw new DevChainError('BAD_FORMAT', 'invalid mortal era encoding');
  return { period, phase };
}

/**
 * Parses the v4 envelope: `compact(len) ‖ version ‖ [MultiAddress ‖ MultiSignature ‖ era ‖ compact nonce ‖
 * compact tip] ‖ call`. Only `MultiAddress::Id`/`Address32` signers are supported (like an AccountId32 chain).
 */
export function decodeExtrinsic(bytes: Uint8Array, decodeCall: (call: Uint8Array) => CallValue): Extrinsic {
  const r = new ScaleReader(bytes, 'UncheckedExtrinsic');
  let signed: SignedPart | null = null;
  try {
    const len = r.compactU32('length prefix');
    if (len !== bytes.length - r.offset) throw new DevChainError('BAD_FORMAT', `length prefix ${len} does not match ${bytes.length - r.offset} bytes`);
    const version = r.byte();
    if ((version & ~SIGNED_BIT) !== EXTRINSIC_VERSION) throw new DevChainError('BAD_FORMAT', `unsupported extrinsic version ${version & ~SIGNED_BIT}`);
    if (version & SIGNED_BIT) {
      const addressType = r.byte();
      if (addressType !== 0 && addressType !== 3) {
        throw new DevChainError('UNKNOWN_TRANSACTION', 'unsupported address type', {
          data: 'Could not lookup information required to validate the transaction',
        });
      }
      const signer = r.take(32).slice();
      const sigIndex = r.byte();
      const signatureType = SIGNATURE_TYPES[sigIndex];
      if (!signatureType) throw new DevChainError('BAD_FORMAT', `unknown signature type ${sigIndex}`);
      const signature = r.take(signatureType === 'ecdsa' ? 65 : 64).slice();
      const extraStart = r.offset;
      const first = r.byte();
      const era = first === 0 ? null : decodeEra(first, r.byte());
      const nonce = r.compactU32('nonce');
      const tip = r.compact('tip');
      signed = { signer, signatureType, signature, era, nonce, tip, extra: bytes.slice(extraStart, r.offset) };
    }
  } catch (e) {
    if (e instanceof DevChainError) throw e;
    throw new DevChainError('BAD_FORMAT', `Extrinsic has invalid format: ${(e as Error).message}`, { cause: e });
  }
  const callBytes = bytes.slice(r.offset);
  let call: CallValue;
  try {
    call = decodeCall(callBytes);
  } catch (e) {
    throw new DevChainError('BAD_FORMAT', `Extrinsic has invalid format: ${(e as Error).message}`, { cause: e });
  }
  return { bytes, hash: blake2AsU8a(bytes, 256), signed, callBytes, call };
}

/** Unsigned (inherent) extrinsic bytes for a call. */
export function encodeUnsigned(callBytes: Uint8Array): Uint8Array {
  const body = new Uint8Array(1 + callBytes.length);
  body[0] = EXTRINSIC_VERSION;
  body.set(callBytes, 1);
  const w = new ScaleWriter();
  w.compact(body.length);
  w.bytes(body);
  return w.finish();
}

/** Signing payload: `call ‖ extra ‖ spec_version ‖ tx_version ‖ genesis ‖ birth hash`, hashed when > 256 bytes. */
export function signingPayload(xt: Extrinsic, specVersion: number, txVersion: number, genesisHash: Uint8Array, birthHash: Uint8Array): Uint8Array {
  const s = xt.signed!;
  const w = new ScaleWriter();
  w.bytes(xt.callBytes);
  w.bytes(s.extra);
  w.uint(specVersion, 4);
  w.uint(txVersion, 4);
  w.bytes(genesisHash);
  w.bytes(birthHash);
  const payload = w.finish();
  return payload.length > MAX_UNHASHED_PAYLOAD_BYTES ? blake2AsU8a(payload, 256) : payload;
}

/** Verifies the MultiSignature with the same verifier as the worker (chain-types). */
export function verifySignature(s: Pick<SignedPart, 'signatureType' | 'signature' | 'signer'>, payload: Uint8Array): boolean {
  try {
    return verifySignatureBytes(payload, SIGNATURE_VARIANT[s.signatureType], s.signature, s.signer);
  } catch {
    return false;
  }
}

const SIGNATURE_VARIANT = { sr25519: 'Sr25519', ed25519: 'Ed25519', ecdsa: 'Ecdsa' } as const;
