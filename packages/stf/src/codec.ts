// Turns chain-types' strict decodes into plain, immutable TypeScript values so the executor never branches on
// codec objects. Wire layouts, strict decoding and signature checks all live in @sealbridge/chain-types.
import {
  decodeGetterStrict,
  decodeTrustedOperationStrict,
  ScaleDecodeError,
  ScaleReader,
  decodeUint,
  encodeCompact,
  encodeUint,
  sealbridgeRegistry,
  verifyTrustedCallSigned,
  verifyTrustedGetterSigned,
  type ScaleEnumValue,
  type StrictGetter,
  type StrictTrustedCallSigned,
  type StrictTrustedGetterSigned,
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
  /** What the signature is checked against. */
  strict: StrictTrustedCallSigned;
}

/** Decoded TrustedGetter. */
export type Query =
  | { kind: 'free_balance' | 'reserved_balance' | 'nonce'; who: Bytes }
  | { kind: 'smart_worker_result'; who: Bytes; callHash: Bytes }
  | { kind: 'env_names'; who: Bytes; worker: Bytes }
  | { kind: 'operation_outcome'; who: Bytes; topHash: Bytes };

/** `signed` is the strict decode of the TrustedGetterSigned, what `verifyGetter` checks. */
export type DecodedGetter = { kind: 'public'; getter: 'some_value' } | { kind: 'trusted'; getter: Query; signed: StrictTrustedGetterSigned };

export type DecodedOperation =
  | { kind: 'indirect_call' | 'direct_call'; signed: SignedCall }
  | { kind: 'get'; getter: DecodedGetter };

const PARENTCHAIN_IDS: readonly ParentchainId[] = ['Integritee', 'TargetA', 'TargetB'];

/** `Vec<u8>` field: its bytes after the (already validated) compact length. */
const vecBytes = (field: Bytes): Bytes => new ScaleReader(field, 'Vec<u8>').bytesWithLength().slice();
const parentchainId = (field: Bytes): ParentchainId => PARENTCHAIN_IDS[field[0]!]!;

/** Call variants from their SCALE fields (the strict decoder validated layout and lengths). */
function toCall(c: ScaleEnumValue): Call {
  const f = c.fields.map((field) => field.slice()) as Bytes[];
  switch (c.name) {
    case 'noop':
      return { kind: 'noop', who: f[0]! };
    case 'balance_set_balance':
      return { kind: 'balance_set_balance', root: f[0]!, who: f[1]!, free: decodeUint(f[2]!), reserved: decodeUint(f[3]!) };
    case 'balance_transfer':
      return { kind: 'balance_transfer', from: f[0]!, to: f[1]!, amount: decodeUint(f[2]!) };
    case 'balance_unshield':
      return { kind: 'balance_unshield', from: f[0]!, beneficiary: f[1]!, amount: decodeUint(f[2]!), shard: f[3]! };
    case 'balance_shield':
      return { kind: 'balance_shield', enclave: f[0]!, who: f[1]!, amount: decodeUint(f[2]!), parentchainId: parentchainId(f[3]!) };
    case 'timestamp_set':
      return { kind: 'timestamp_set', enclave: f[0]!, now: decodeUint(f[1]!), parentchainId: parentchainId(f[2]!) };
    case 'smart_worker_call':
      return { kind: 'smart_worker_call', sender: f[0]!, worker: f[1]!, input: vecBytes(f[2]!) };
    default:
      throw new StfError('UnsupportedOperation', `call ${c.name} is not executed by this STF`);
  }
}

/** TrustedCall wire indices (docs/integritee-protocol.md §3.2; Sealbridge's own from 150), for `encodeCall`. */
const CALL_INDEX: Record<Call['kind'], number> = {
  noop: 0, balance_set_balance: 1, balance_transfer: 2, balance_unshield: 3, balance_shield: 4, timestamp_set: 5, smart_worker_call: 150,
};

/**
 * SCALE(TrustedCall) of a call value, the inverse of decoding it (checked against the registry codec in tests).
 * The enclave encodes its own calls — a timestamp_set every block — without building codecs.
 */
export function encodeCall(call: Call): Bytes {
  const id = (p: ParentchainId) => [PARENTCHAIN_IDS.indexOf(p)];
  const fields: Array<Bytes | number[]> = (() => {
    switch (call.kind) {
      case 'noop':
        return [call.who];
      case 'balance_set_balance':
        return [call.root, call.who, encodeUint(call.free, 16), encodeUint(call.reserved, 16)];
      case 'balance_transfer':
        return [call.from, call.to, encodeUint(call.amount, 16)];
      case 'balance_unshield':
        return [call.from, call.beneficiary, encodeUint(call.amount, 16), call.shard];
      case 'balance_shield':
        return [call.enclave, call.who, encodeUint(call.amount, 16), id(call.parentchainId)];
      case 'timestamp_set':
        return [call.enclave, encodeUint(call.now, 8), id(call.parentchainId)];
      case 'smart_worker_call':
        return [call.sender, call.worker, encodeCompact(call.input.length), call.input];
    }
  })();
  return u8aConcat([CALL_INDEX[call.kind]], ...fields);
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
    case 'operation_outcome':
      return { kind: 'operation_outcome', who, topHash: second! };
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
  const top = strict(() => decodeTrustedOperationStrict(sealbridgeRegistry, bytes));
  if (top.kind === 'get') return { kind: 'get', getter: toGetter(top.getter) };
  const { signed } = top;
  return { kind: top.kind, signed: { call: toCall(signed.call), nonce: signed.nonce, encoded: signed.encoded.slice(), strict: signed } };
}

function toGetter(getter: StrictGetter): DecodedGetter {
  if (getter.kind === 'public') return { kind: 'public', getter: 'some_value' };
  return { kind: 'trusted', getter: toQuery(getter.signed.getter), signed: getter.signed };
}

/** Decodes exactly one SCALE Getter (public or trusted-signed). */
export function decodeGetter(bytes: Bytes): DecodedGetter {
  return toGetter(strict(() => decodeGetterStrict(sealbridgeRegistry, bytes)));
}

/** False also when chain-types rejects the signature input itself (InputError): such a call is not signed. */
export function verifyCall(signed: SignedCall, mrenclave: Bytes, shard: Bytes): boolean {
  try {
    return verifyTrustedCallSigned(signed.strict, mrenclave, shard);
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
