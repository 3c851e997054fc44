// Turns chain-types codecs into plain, immutable TypeScript values so the executor never branches on codec
// objects. Wire layouts, strict decoding and signature checks all live in @sealbridge/chain-types.
import {
  decodeExact,
  decodeGetterStrict,
  ScaleDecodeError,
  sealbridgeRegistry,
  verifyTrustedCallSigned,
  verifyTrustedGetterSigned,
  type TrustedCall as TrustedCallCodec,
  type TrustedCallSigned,
  type ScaleEnumValue,
  type StrictTrustedGetterSigned,
  type TrustedOperation,
} from '@sealbridge/chain-types';
import { u8aConcat } from '@polkadot/util';
import { StfError } from './errors.js';

export type Bytes = Uint8Array;
export type ParentchainId = 'Integritee' | 'TargetA' | 'TargetB';

/** Decoded TrustedCall (G2a indices 0–5, Sealbridge smart_worker_call = 150). */
export type Call =
  | { kind: 'noop'; who: Bytes }
  | { kind: 'balance_set_balance'; root: Bytes; who: Bytes; free: bigint; reserved: bigint }
  | { kind: 'balance_transfer'; from: Bytes; to: Bytes; amount: bigint }
  | { kind: 'balance_unshield'; from: Bytes; beneficiary: Bytes; amount: bigint; shard: Bytes }
  | { kind: 'balance_shield'; enclave: Bytes; who: Bytes; amount: bigint; parentchainId: ParentchainId }
  | { kind: 'timestamp_set'; enclave: Bytes; now: bigint; parentchainId: ParentchainId }
  | { kind: 'smart_worker_call'; sender: Bytes; worker: Bytes; input: Bytes };

export interface SignedCall {
  call: Call;
  nonce: number;
  /** SCALE(TrustedCallSigned); its blake2-256 is the call hash (see README). */
  encoded: Bytes;
  codec: TrustedCallSigned;
}

/** Decoded TrustedGetter. */
export type Query =
  | { kind: 'free_balance' | 'reserved_balance' | 'nonce'; who: Bytes }
  | { kind: 'smart_worker_result'; who: Bytes; callHash: Bytes }
  | { kind: 'env_names'; who: Bytes; worker: Bytes };

/** `signed` is the strict decode of the TrustedGetterSigned, what `verifyGetter` checks. */
export type DecodedGetter = { kind: 'public'; getter: 'some_value' } | { kind: 'trusted'; getter: Query; signed: StrictTrustedGetterSigned };

export type DecodedOperation =
  | { kind: 'indirect_call' | 'direct_call'; signed: SignedCall }
  | { kind: 'get'; getter: DecodedGetter };

type Tuple = readonly { toU8a(isBare?: boolean): Uint8Array; toString(): string; type?: string }[];
const raw = (c: { toU8a(isBare?: boolean): Uint8Array }): Bytes => c.toU8a(true);
const big = (c: { toString(): string }): bigint => BigInt(c.toString());

function toCall(c: TrustedCallCodec): Call {
  const a = c.value as unknown as Tuple;
  switch (c.type) {
    case 'noop':
      return { kind: 'noop', who: raw(c.asNoop) };
    case 'balance_set_balance':
      return { kind: 'balance_set_balance', root: raw(a[0]), who: raw(a[1]), free: big(a[2]), reserved: big(a[3]) };
    case 'balance_transfer':
      return { kind: 'balance_transfer', from: raw(a[0]), to: raw(a[1]), amount: big(a[2]) };
    case 'balance_unshield':
      return { kind: 'balance_unshield', from: raw(a[0]), beneficiary: raw(a[1]), amount: big(a[2]), shard: raw(a[3]) };
    case 'balance_shield':
      return { kind: 'balance_shield', enclave: raw(a[0]), who: raw(a[1]), amount: big(a[2]), parentchainId: a[3].type as ParentchainId };
    case 'timestamp_set':
      return { kind: 'timestamp_set', enclave: raw(a[0]), now: big(a[1]), parentchainId: a[2].type as ParentchainId };
    case 'smart_worker_call':
      return { kind: 'smart_worker_call', sender: raw(a[0]), worker: raw(a[1]), input: raw(a[2]) };
  }
}

/** Getter variants keep their fields as raw bytes (AccountId and H256 alike): no codec objects on the getter path. */
function toQuery(g: ScaleEnumValue): Query {
  const [who, second] = g.fields as [Bytes, Bytes?];
  switch (g.name) {
    case 'free_balance':
    case 'reserved_balance':
    case 'nonce':
      return { kind: g.name, who };
    case 'smart_worker_result':
      return { kind: 'smart_worker_result', who, callHash: second! };
    case 'env_names':
      return { kind: 'env_names', who, worker: second! };
    default:
      throw new StfError('UnsupportedOperation', `getter ${g.name} is not executed by this STF`);
  }
}

function strict<T>(decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof ScaleDecodeError) throw new StfError('MalformedOperation', cause.message, { cause });
    throw cause;
  }
}

/** Decodes exactly one SCALE TrustedOperation; throws `StfError('MalformedOperation')` otherwise. */
export function decodeOperation(bytes: Bytes): DecodedOperation {
  const top = strict(() => decodeExact(sealbridgeRegistry, 'TrustedOperation', bytes) as TrustedOperation);
  if (top.isGet) return { kind: 'get', getter: decodeGetter(top.asGet.toU8a()) };
  const tcs = top.isIndirectCall ? top.asIndirectCall : top.asDirectCall;
  return {
    kind: top.type as 'indirect_call' | 'direct_call',
    signed: { call: toCall(tcs.call), nonce: tcs.nonce.toNumber(), encoded: tcs.toU8a(), codec: tcs },
  };
}

/** Decodes exactly one SCALE Getter (public or trusted-signed). */
export function decodeGetter(bytes: Bytes): DecodedGetter {
  const getter = strict(() => decodeGetterStrict(sealbridgeRegistry, bytes));
  if (getter.kind === 'public') return { kind: 'public', getter: 'some_value' };
  return { kind: 'trusted', getter: toQuery(getter.signed.getter), signed: getter.signed };
}

/** False also when chain-types rejects the signature input itself (InputError): such a call is not signed. */
export function verifyCall(signed: SignedCall, mrenclave: Bytes, shard: Bytes): boolean {
  try {
    return verifyTrustedCallSigned(signed.codec, mrenclave, shard);
  } catch {
    return false;
  }
}

export function verifyGetter(getter: StrictTrustedGetterSigned): boolean {
  return verifyTrustedGetterSigned(getter);
}

/** SCALE(TrustedOperation::indirect_call | direct_call) around an encoded TrustedCallSigned. */
export function encodeCallOperation(kind: 'indirect_call' | 'direct_call', signedCallBytes: Bytes): Bytes {
  return u8aConcat([kind === 'indirect_call' ? 0 : 1], signedCallBytes);
}
