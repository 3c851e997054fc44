import type { EnumValue, ScaleValue as Value } from '@sealbridge/chain-types';
import type { NamedTypeDecl } from '../types/table.js';

/**
 * Declarative pallet table entries. A pallet is plain data (names, indices, Rust-like type expressions) plus
 * dispatch handlers; the engine derives metadata, codecs, storage keys and dispatch from it. Adding a pallet
 * means adding one `PalletDefinition` to the list passed to the runtime.
 */
export type StorageHasher = 'Blake2_128' | 'Blake2_256' | 'Blake2_128Concat' | 'Twox128' | 'Twox256' | 'Twox64Concat' | 'Identity';

export type Origin = { kind: 'signed'; who: Uint8Array } | { kind: 'root' } | { kind: 'none' };
export type CallArgs = Record<string, Value>;

/** A decoded `RuntimeCall` value: `{ name: <pallet>, value: { name: <call>, value: args } }`. */
export type CallValue = EnumValue;

export interface CallDecl {
  name: string;
  index: number;
  /** [argument name, type expression] in SCALE order. */
  args: [string, string][];
  /** Who may dispatch: checked by the engine before the handler runs (BadOrigin otherwise). */
  origin: 'signed' | 'root' | 'none';
  /** Declared ref-time weight (deterministic, so `query_info` equals the fee charged). */
  weight: bigint | ((args: CallArgs, weightOf: (call: CallValue) => bigint) => bigint);
  class?: 'Normal' | 'Operational' | 'Mandatory';
  paysFee?: boolean;
  /**
   * Name of an argument holding a block hash that this call only acknowledges (a worker's confirmation).
   * Instant sealing does not start a block for it when the acknowledged block itself only carried acknowledgements.
   */
  acknowledges?: string;
  docs?: string[];
  handler: (ctx: DispatchContext, args: CallArgs) => void;
}

export interface EventDecl {
  name: string;
  index: number;
  /** Named (object) or unnamed (array) fields, in SCALE order. */
  fields?: Record<string, string> | string[];
  docs?: string[];
}

export interface StorageDecl {
  name: string;
  /** Plain value type expression, or a map. */
  type: string | { hashers: StorageHasher[]; key: string | string[]; value: string };
  modifier: 'Default' | 'Optional';
  docs?: string[];
}

export interface ConstantDecl {
  name: string;
  type: string;
  value: Value;
  docs?: string[];
}

export interface PalletDefinition {
  name: string;
  index: number;
  /** Rust crate name, used for type paths (`<crate>::pallet::Call`). */
  crate: string;
  types?: Record<string, NamedTypeDecl>;
  calls?: CallDecl[];
  events?: EventDecl[];
  /** Error variant names; index = position. */
  errors?: string[];
  storage?: StorageDecl[];
  constants?: ConstantDecl[];
  /** Writes genesis storage. */
  genesis?: (ctx: GenesisContext) => void;
  /**
   * `on_finalize`: runs after the block's extrinsics, in pallet index order, outside any transaction (its events have
   * phase `Finalization`; a throw fails the block). Digest logs go in through `depositLog` (pallets/system.ts).
   */
  onFinalize?: (ctx: DispatchContext) => void;
}

export interface StorageAccess {
  /** Decoded value; for `Default` items the default when unset, for `Optional` items `undefined` when unset. */
  get(pallet: string, item: string, keys?: Value[]): Value;
  has(pallet: string, item: string, keys?: Value[]): boolean;
  set(pallet: string, item: string, keys: Value[], value: Value): void;
  remove(pallet: string, item: string, keys?: Value[]): void;
  /** Raw value under a 0x-hex key outside the pallets' prefixes (well-known keys such as `:grandpa_authorities`). */
  getRaw(key: string): Uint8Array | null;
  setRaw(key: string, value: Uint8Array | null): void;
}

export interface ChainParams {
  existentialDeposit: bigint;
  /** Raw ed25519 public key of the (simulated) attestation service accepted by `Teerex` Simulated registration. */
  attestationServicePublicKey: Uint8Array;
  /** Maximum age of a simulated quote at registration, in ms. */
  maxQuoteAgeMs: number;
  /**
   * Whether the node holds the GRANDPA key of an authority id. The dev chain finalizes as every authority, so
   * `Grandpa.schedule_change` accepts only sets it can sign for; when absent, any set is accepted.
   */
  holdsGrandpaKey?: (id: Uint8Array) => boolean;
}

export interface GenesisContext {
  storage: StorageAccess;
  params: ChainParams;
  /** Genesis accounts with their initial free balance. */
  endowed: { account: Uint8Array; free: bigint }[];
  sudoKey: Uint8Array | null;
  /** Genesis GRANDPA authority set: ed25519 public key and weight. */
  grandpaAuthorities: [Uint8Array, bigint][];
}

export interface DispatchContext {
  readonly origin: Origin;
  readonly blockNumber: number;
  /** Timestamp of the block being built (unix ms). */
  readonly now: bigint;
  readonly params: ChainParams;
  readonly storage: StorageAccess;
  deposit(pallet: string, event: string, value?: Value, topics?: Uint8Array[]): void;
  /** Aborts the call with `Module { index, error }` of the named pallet error. */
  fail(pallet: string, error: string): never;
  /** Aborts with a non-module DispatchError variant (`BadOrigin`, `{ name: 'Token', value: 'FundsUnavailable' }` …). */
  failWith(error: EnumValue): never;
  ensureSigned(): Uint8Array;
  ensureRoot(): void;
  /** Dispatches a nested call transactionally; returns the DispatchError on failure instead of throwing. */
  dispatch(call: CallValue, origin: Origin): EnumValue | null;
}
