import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import type { ResolvedPallet, RuntimeMetadata } from '../metadata/build.js';
import { ScaleDecodeError, ScaleEncodeError, ScaleReader, ScaleWriter, type EnumValue, type ScaleValue as Value } from '@sealbridge/chain-types';
import type { Extrinsic } from './extrinsic.js';
import type { CallDecl, CallValue, ChainParams, DispatchContext, Origin, PalletDefinition, StorageAccess } from './pallet.js';
import type { StateReader } from './storage.js';

import { DevChainError } from '../errors.js';
import { buildMetadata } from '../metadata/build.js';
import { canPayFee, withdrawFee } from '../pallets/balances.js';
import { BLOCK_HASH_COUNT, getAccount, putAccount } from '../pallets/system.js';
import { authoritiesFromValue, encodeAuthorityList } from '../grandpa/codec.js';
import { decodeExtrinsic, encodeUnsigned, eraBirth, signingPayload } from './extrinsic.js';
import { Overlay, StorageLayout } from './storage.js';

export const RUNTIME_VERSION = {
  specName: 'sealbridge-dev',
  implName: 'sealbridge-dev-chain',
  authoringVersion: 1,
  specVersion: 1,
  implVersion: 1,
  transactionVersion: 1,
  stateVersion: 1,
} as const;

/** Runtime APIs advertised in the runtime version (the api picks its built-in definitions by these). */
export const RUNTIME_APIS: [string, number][] = [
  ['Core', 4],
  ['Metadata', 2],
  ['BlockBuilder', 6],
  ['TaggedTransactionQueue', 3],
  ['AccountNonceApi', 1],
  ['TransactionPaymentApi', 4],
  ['GrandpaApi', 3],
];

/** Fee model: `BASE + PER_BYTE × encoded length + ref_time / WEIGHT_DIVISOR` (+ tip), burned. */
export const FEES = {
  baseFee: 100_000_000n,
  perByte: 1_000_000n,
  weightDivisor: 1000n,
  /** ref_time added to every extrinsic's call weight (ExtrinsicBaseWeight). */
  baseExtrinsicWeight: 100_000_000n,
} as const;

const METADATA_VERSION = 14;

/** Node messages of `InvalidTransaction` / `UnknownTransaction` variants (sp_runtime). */
export const INVALID_TX = {
  Call: 'Transaction call is not expected',
  Payment: 'Inability to pay some fees (e.g. account balance too low)',
  Future: 'Transaction will be valid in the future',
  Stale: 'Transaction is outdated',
  BadProof: 'Transaction has a bad signature',
  AncientBirthBlock: 'Transaction has an ancient birth block',
  BadSigner: 'Invalid signing address',
} as const;

export function invalidTransaction(reason: keyof typeof INVALID_TX): DevChainError {
  return new DevChainError('INVALID_TRANSACTION', `Invalid Transaction: ${INVALID_TX[reason]}`, { data: INVALID_TX[reason] });
}

export interface ChainView {
  genesisHash: Uint8Array;
  /** Hash of the canonical block with this number, if known. */
  hashAt(n: number): Uint8Array | undefined;
}

export interface DispatchInfo {
  weight: { ref_time: bigint; proof_size: bigint };
  class: { name: string };
  pays_fee: { name: string };
}

/** Raised inside handlers to abort a call with a DispatchError (the call's storage changes are rolled back). */
class DispatchFailure extends Error {
  constructor(readonly error: EnumValue) {
    super(`dispatch failed: ${error.name}`);
  }
}

interface EventRecordParts {
  phase: Uint8Array;
  event: Uint8Array;
  topics: Uint8Array[];
}

/** What the pallets' genesis builders are given (`GenesisContext` without storage and params). */
export interface GenesisConfig {
  endowed: { account: Uint8Array; free: bigint }[];
  sudoKey: Uint8Array | null;
  grandpaAuthorities: [Uint8Array, bigint][];
}

export interface BlockInput {
  parent: StateReader;
  parentHash: Uint8Array;
  number: number;
  now: bigint;
  candidates: Extrinsic[];
  view: ChainView;
  /** Upper bound of signed extrinsics applied in this block. */
  maxExtrinsics: number;
}

export interface BlockOutput {
  changes: Map<string, Uint8Array | null>;
  /** All extrinsics of the block (inherent first), SCALE with length prefix. */
  extrinsics: Uint8Array[];
  included: Extrinsic[];
  rejected: { xt: Extrinsic; error: DevChainError }[];
  /** Candidates that are not valid yet (nonce gap) or did not fit: they stay in the pool. */
  deferred: Extrinsic[];
}

export class Runtime {
  readonly meta: RuntimeMetadata;
  readonly layout: StorageLayout;
  readonly #finalizeHooks: PalletDefinition[];

  constructor(
    pallets: PalletDefinition[],
    readonly params: ChainParams,
  ) {
    this.meta = buildMetadata(pallets);
    this.layout = new StorageLayout(this.meta);
    this.#finalizeHooks = [...this.meta.pallets.values()].map((p) => p.def).filter((p) => p.onFinalize).sort((a, b) => a.index - b.index);
  }

  decodeCall(bytes: Uint8Array): CallValue {
    return this.meta.codec.decode(this.meta.types.runtimeCall, bytes) as CallValue;
  }

  encodeCall(call: CallValue): Uint8Array {
    return this.meta.codec.encode(this.meta.types.runtimeCall, call);
  }

  decodeExtrinsic(bytes: Uint8Array): Extrinsic {
    return decodeExtrinsic(bytes, (c) => this.decodeCall(c));
  }

  resolveCall(call: CallValue): { pallet: ResolvedPallet; decl: CallDecl; args: Record<string, Value> } {
    const pallet = this.meta.pallets.get(call.name);
    const inner = call.value as EnumValue | undefined;
    const decl = inner && pallet?.calls.get(inner.name);
    if (!pallet || !decl) throw new DevChainError('INVALID_ARGUMENT', `unknown call ${call.name}.${inner?.name}`);
    return { pallet, decl, args: (inner.value ?? {}) as Record<string, Value> };
  }

  weightOf = (call: CallValue): bigint => {
    const { decl, args } = this.resolveCall(call);
    return typeof decl.weight === 'bigint' ? decl.weight : decl.weight(args, this.weightOf);
  };

  dispatchInfo(call: CallValue): DispatchInfo {
    const { decl } = this.resolveCall(call);
    return {
      weight: { ref_time: FEES.baseExtrinsicWeight + this.weightOf(call), proof_size: 0n },
      class: { name: decl.class ?? 'Normal' },
      pays_fee: { name: decl.paysFee === false ? 'No' : 'Yes' },
    };
  }

  /** Inclusion fee without tip (`partial_fee` of `query_info`). */
  partialFee(info: DispatchInfo, len: number): bigint {
    if (info.pays_fee.name === 'No') return 0n;
    return FEES.baseFee + FEES.perByte * BigInt(len) + info.weight.ref_time / FEES.weightDivisor;
  }

  /** The call's `acknowledges` argument (see CallDecl), if it has one. */
  acknowledgedBlock(call: CallValue): Uint8Array | undefined {
    const { decl, args } = this.resolveCall(call);
    return decl.acknowledges ? (args[decl.acknowledges] as Uint8Array) : undefined;
  }

  /**
   * First half of transaction validity as a node checks it: signed, expected call origin, mortal era (the birth block
   * must be a known canonical block). Returns the signing payload to verify. `current` is the number of the block the
   * extrinsic would go into.
   */
  checkedPayload(xt: Extrinsic, current: number, view: ChainView): Uint8Array {
    const s = xt.signed;
    if (!s) {
      throw new DevChainError('UNKNOWN_TRANSACTION', 'Unknown Transaction Validity: Could not find an unsigned validator for the unsigned transaction', {
        data: 'Could not find an unsigned validator for the unsigned transaction',
      });
    }
    const { decl } = this.resolveCall(xt.call);
    if (decl.origin === 'none') throw invalidTransaction('Call');
    let birthHash = view.genesisHash;
    if (s.era) {
      const birth = eraBirth(s.era, current);
      const hash = birth < current && current - birth <= BLOCK_HASH_COUNT ? view.hashAt(birth) : undefined;
      if (!hash) throw invalidTransaction('AncientBirthBlock');
      birthHash = hash;
    }
    return signingPayload(xt, RUNTIME_VERSION.specVersion, RUNTIME_VERSION.transactionVersion, view.genesisHash, birthHash);
  }

  /** Second half (after the signature): stale nonce and fee payability. Returns the account nonce for ready/future. */
  checkFunds(xt: Extrinsic, storage: StorageAccess): { fee: bigint; accountNonce: number } {
    const s = xt.signed!;
    const account = getAccount(storage, s.signer);
    if (s.nonce < account.nonce) throw invalidTransaction('Stale');
    const fee = this.partialFee(this.dispatchInfo(xt.call), xt.bytes.length) + s.tip;
    if (!canPayFee(storage, s.signer, fee, this.params.existentialDeposit)) throw invalidTransaction('Payment');
    return { fee, accountNonce: account.nonce };
  }

  /** Genesis storage from the pallets' genesis builders. */
  genesis(config: GenesisConfig): Map<string, Uint8Array | null> {
    const overlay = new Overlay({ get: () => undefined });
    const storage = this.layout.access(overlay);
    for (const p of this.meta.pallets.values()) p.def.genesis?.({ storage, params: this.params, ...config });
    return overlay.changes;
  }

  /** The header digest's items (each SCALE `DigestItem`) from the raw `System.Digest` value; none when unset. */
  digestLogs(raw: Uint8Array | undefined): Uint8Array[] {
    if (!raw || (raw.length === 1 && raw[0] === 0)) return [];
    const { logs } = this.meta.codec.decode(this.meta.types.digest, raw) as { logs: Value[] };
    return logs.map((item) => this.meta.codec.encode(this.meta.types.digestItem, item));
  }

  /** A `DigestItem` decoded: `{ name: 'Consensus', value: [engineId, payload] }` and the like. */
  decodeDigestItem(bytes: Uint8Array): EnumValue {
    return this.meta.codec.decode(this.meta.types.digestItem, bytes) as EnumValue;
  }

  executeBlock(input: BlockInput): BlockOutput {
    const root = new Overlay(input.parent);
    const storage = this.layout.access(root);
    const events: EventRecordParts[] = [];
    const { number } = input;

    // frame_system::initialize
    storage.set('System', 'Number', [], number);
    storage.set('System', 'ParentHash', [], input.parentHash);
    storage.set('System', 'BlockHash', [number - 1], input.parentHash);
    if (number - 1 > BLOCK_HASH_COUNT) storage.remove('System', 'BlockHash', [number - 1 - BLOCK_HASH_COUNT - 1]);
    storage.set('System', 'Digest', [], { logs: [] });

    const out: BlockOutput = { changes: root.changes, extrinsics: [], included: [], rejected: [], deferred: [] };

    // Inherent: Timestamp.set(now), always extrinsic 0.
    const inherentCall: CallValue = { name: 'Timestamp', value: { name: 'set', value: { now: input.now } } };
    const inherentInfo = this.dispatchInfo(inherentCall);
    const error = this.#dispatch(root, events, number, input.now, inherentCall, { kind: 'none' }, 0);
    if (error) throw new DevChainError('INVALID_ARGUMENT', `inherent failed: ${JSON.stringify(error)}`);
    this.#deposit(events, 0, 'System', 'ExtrinsicSuccess', { dispatch_info: inherentInfo });
    out.extrinsics.push(encodeUnsigned(this.encodeCall(inherentCall)));

    for (const xt of input.candidates) {
      const s = xt.signed!;
      if (out.included.length >= input.maxExtrinsics) {
        out.deferred.push(xt);
        continue;
      }
      if (s.nonce > getAccount(storage, s.signer).nonce) {
        out.deferred.push(xt);
        continue;
      }
      let fee: bigint;
      try {
        // Signatures were checked when the pool admitted the extrinsic; era, nonce and fee are rechecked here.
        this.checkedPayload(xt, number, input.view);
        fee = this.checkFunds(xt, storage).fee;
      } catch (e) {
        if (!(e instanceof DevChainError)) throw e;
        out.rejected.push({ xt, error: e });
        continue;
      }
      const index = out.extrinsics.length;
      const info = this.dispatchInfo(xt.call);
      // Pre-dispatch (outside the call's transaction): nonce bump and fee withdrawal persist even if the call fails.
      const account = getAccount(storage, s.signer);
      account.nonce += 1;
      putAccount(storage, s.signer, account);
      withdrawFee(this.#context(root, events, number, input.now, { kind: 'signed', who: s.signer }, index), s.signer, fee);
      const failure = this.#dispatch(root, events, number, input.now, xt.call, { kind: 'signed', who: s.signer }, index);
      if (failure) this.#deposit(events, index, 'System', 'ExtrinsicFailed', { dispatch_error: failure, dispatch_info: info });
      else this.#deposit(events, index, 'System', 'ExtrinsicSuccess', { dispatch_info: info });
      out.extrinsics.push(xt.bytes);
      out.included.push(xt);
    }

    // on_finalize of the pallets (Grandpa's change signal and enactment), then DidUpdate is taken; events are written once.
    for (const p of this.#finalizeHooks) p.onFinalize!(this.#context(root, events, number, input.now, { kind: 'none' }, 'finalization'));
    storage.remove('Timestamp', 'DidUpdate');
    root.set(this.layout.keyHex('System', 'Events'), encodeEvents(events));
    storage.set('System', 'EventCount', [], events.length);
    return out;
  }

  #deposit(events: EventRecordParts[], index: number | 'finalization', pallet: string, name: string, value?: Value, topics: Uint8Array[] = []): void {
    const palletDef = this.meta.pallets.get(pallet);
    if (!palletDef?.events.has(name)) throw new DevChainError('METADATA', `unknown event ${pallet}.${name}`);
    const phase = index === 'finalization' ? Uint8Array.of(1) : Uint8Array.of(0, index & 0xff, (index >> 8) & 0xff, (index >> 16) & 0xff, index >>> 24);
    const event = this.meta.codec.encode(this.meta.types.runtimeEvent, { name: pallet, value: { name, value } });
    events.push({ phase, event, topics });
  }

  #context(overlay: Overlay, events: EventRecordParts[], blockNumber: number, now: bigint, origin: Origin, index: number | 'finalization'): DispatchContext {
    const ctx: DispatchContext = {
      origin,
      blockNumber,
      now,
      params: this.params,
      storage: this.layout.access(overlay),
      deposit: (pallet, name, value, topics) => this.#deposit(events, index, pallet, name, value, topics),
      fail: (pallet, error) => {
        const idx = this.meta.pallets.get(pallet)?.errors.get(error);
        if (idx === undefined) throw new DevChainError('METADATA', `unknown error ${pallet}.${error}`);
        throw new DispatchFailure({ name: 'Module', value: { index: this.meta.pallets.get(pallet)!.def.index, error: Uint8Array.of(idx, 0, 0, 0) } });
      },
      failWith: (error) => {
        throw new DispatchFailure(error);
      },
      ensureSigned: () => {
        if (origin.kind !== 'signed') throw new DispatchFailure({ name: 'BadOrigin' });
        return origin.who;
      },
      ensureRoot: () => {
        if (origin.kind !== 'root') throw new DispatchFailure({ name: 'BadOrigin' });
      },
      dispatch: (call, nestedOrigin) => {
        if (index === 'finalization') throw new DevChainError('INVALID_ARGUMENT', 'on_finalize cannot dispatch calls');
        return this.#dispatch(overlay, events, blockNumber, now, call, nestedOrigin, index);
      },
    };
    return ctx;
  }

  /** Transactional dispatch: storage changes and events of a failed call are discarded. Returns the DispatchError or null. */
  #dispatch(parent: Overlay, events: EventRecordParts[], blockNumber: number, now: bigint, call: CallValue, origin: Origin, index: number): EnumValue | null {
    const { decl, args } = this.resolveCall(call);
    if (decl.origin !== origin.kind) return { name: 'BadOrigin' };
    const layer = parent.child();
    const eventMark = events.length;
    try {
      decl.handler(this.#context(layer, events, blockNumber, now, origin, index), args);
      layer.commit();
      return null;
    } catch (e) {
      events.length = eventMark;
      if (e instanceof DispatchFailure) return e.error;
      // A handler bug or malformed argument must not take the chain down: report it as DispatchError::Other.
      if (e instanceof DevChainError || e instanceof ScaleDecodeError || e instanceof ScaleEncodeError) return { name: 'Other' };
      throw e;
    }
  }

  /** `state_call` runtime APIs. */
  call(method: string, data: Uint8Array, storage: StorageAccess): Uint8Array {
    const w = new ScaleWriter();
    const r = new ScaleReader(data, method);
    switch (method) {
      case 'Core_version':
        return encodeRuntimeVersion();
      case 'Metadata_metadata':
        w.compact(this.meta.bytes.length);
        w.bytes(this.meta.bytes);
        return w.finish();
      case 'Metadata_metadata_versions':
        w.compact(1);
        w.uint(METADATA_VERSION, 4);
        return w.finish();
      case 'Metadata_metadata_at_version': {
        if (r.u32() !== METADATA_VERSION) return Uint8Array.of(0);
        w.byte(1);
        w.compact(this.meta.bytes.length);
        w.bytes(this.meta.bytes);
        return w.finish();
      }
      case 'AccountNonceApi_account_nonce': {
        w.uint(getAccount(storage, r.take(32)).nonce, 4);
        return w.finish();
      }
      case 'TransactionPaymentApi_query_info':
      case 'TransactionPaymentApi_query_fee_details': {
        // Input: the extrinsic as `Vec<u8>`-style encoding (with length prefix) ‖ u32 length.
        const xtBytes = data.subarray(0, data.length - 4);
        const len = new ScaleReader(data.subarray(data.length - 4), 'u32').u32();
        const info = this.dispatchInfo(this.decodeExtrinsic(xtBytes).call);
        if (method === 'TransactionPaymentApi_query_info') {
          w.compact(info.weight.ref_time);
          w.compact(info.weight.proof_size);
          w.byte(['Normal', 'Operational', 'Mandatory'].indexOf(info.class.name));
          w.uint(this.partialFee(info, len), 16);
          return w.finish();
        }
        // FeeDetails { inclusion_fee: Option<InclusionFee { base_fee, len_fee, adjusted_weight_fee }>, tip }
        if (info.pays_fee.name === 'No') w.byte(0);
        else {
          w.byte(1);
          w.uint(FEES.baseFee, 16);
          w.uint(FEES.perByte * BigInt(len), 16);
          w.uint(info.weight.ref_time / FEES.weightDivisor, 16);
        }
        w.uint(0n, 16);
        return w.finish();
      }
      case 'GrandpaApi_grandpa_authorities':
        return encodeAuthorityList(authoritiesFromValue(storage.get('Grandpa', 'Authorities'))).finish();
      case 'GrandpaApi_current_set_id':
        w.uint(storage.get('Grandpa', 'CurrentSetId') as bigint, 8);
        return w.finish();
      case 'GrandpaApi_generate_key_ownership_proof':
      case 'GrandpaApi_submit_report_equivocation_unsigned_extrinsic':
        // No key-ownership proofs and no equivocation reports on the dev chain: `None`, as runtimes without them answer.
        return Uint8Array.of(0);
      default:
        throw new DevChainError('INVALID_ARGUMENT', `Exported method ${method} is not found`);
    }
  }
}

function encodeEvents(events: EventRecordParts[]): Uint8Array {
  const w = new ScaleWriter();
  w.compact(events.length);
  for (const e of events) {
    w.bytes(e.phase);
    w.bytes(e.event);
    w.compact(e.topics.length);
    for (const t of e.topics) w.bytes(t);
  }
  return w.finish();
}

export function runtimeApiIds(): [string, number][] {
  return RUNTIME_APIS.map(([name, version]) => [u8aToHex(blake2AsU8a(name, 64)), version]);
}

export function encodeRuntimeVersion(): Uint8Array {
  const w = new ScaleWriter();
  const text = (s: string) => {
    const b = new TextEncoder().encode(s);
    w.compact(b.length);
    w.bytes(b);
  };
  const v = RUNTIME_VERSION;
  text(v.specName);
  text(v.implName);
  w.uint(v.authoringVersion, 4);
  w.uint(v.specVersion, 4);
  w.uint(v.implVersion, 4);
  w.compact(RUNTIME_APIS.length);
  for (const [name, version] of RUNTIME_APIS) {
    w.bytes(blake2AsU8a(name, 64));
    w.uint(version, 4);
  }
  w.uint(v.transactionVersion, 4);
  w.byte(v.stateVersion);
  return w.finish();
}

