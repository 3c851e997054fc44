import type { RegistryTypes } from '@polkadot/types/types';

import { TypeRegistry } from '@polkadot/types';

/**
 * First enum index Sealbridge uses for its own TrustedCall / TrustedGetter / PublicGetter variants.
 * Integritee worker generations use 0–12, 20, 30, 42–46, 50, 90–93 and 255; 150–199 collides with none of them,
 * so a Sealbridge blob can never be mistaken for (or decoded as) an Integritee operation of any generation.
 */
export const SEALBRIDGE_VARIANT_INDEX_FIRST = 150;
/** Last index reserved for Sealbridge variants (inclusive). */
export const SEALBRIDGE_VARIANT_INDEX_LAST = 199;

type EnumVariants = Record<string, string | null>;

/**
 * Builds an `_enum` whose `extra` variants start at index 150. polkadot-js skips indices through
 * `__UnusedN` placeholders; `decodeExact` rejects those placeholder indices like any unknown index.
 */
function withSealbridgeRange(integritee: EnumVariants, extra: EnumVariants): { _enum: EnumVariants } {
  const variants: EnumVariants = { ...integritee };
  for (let i = Object.keys(integritee).length; i < SEALBRIDGE_VARIANT_INDEX_FIRST; i++) variants[`__Unused${i}`] = 'Null';
  if (Object.keys(extra).length > SEALBRIDGE_VARIANT_INDEX_LAST - SEALBRIDGE_VARIANT_INDEX_FIRST + 1) {
    throw new Error('Sealbridge variant range 150–199 exhausted');
  }
  return { _enum: { ...variants, ...extra } };
}

/**
 * SCALE type definitions of the Integritee G2a protocol (worker v0.14.0, pallets abf29acd) plus Sealbridge's own
 * variants. Layouts follow docs/integritee-protocol.md Appendix A; variant order is the wire index. § numbers in this file refer to docs/integritee-protocol.md.
 */
export const sealbridgeTypes: RegistryTypes = {
  // ---- primitives (§1.2, Appendix A)
  AccountId: 'AccountId32',
  Balance: 'u128',
  Index: 'u32',
  BlockNumber: 'u32',
  ShardIdentifier: 'H256',
  EnclaveFingerprint: 'H256',
  MrEnclave: '[u8;32]',
  MrSigner: '[u8;32]',
  MultiSignature: { _enum: { Ed25519: '[u8;64]', Sr25519: '[u8;64]', Ecdsa: '[u8;65]' } },
  ParentchainId: { _enum: ['Integritee', 'TargetA', 'TargetB'] },

  // ---- worker RPC (§2.3)
  Request: { shard: 'ShardIdentifier', cyphertext: 'Vec<u8>' },
  RpcReturnValue: { value: 'Vec<u8>', do_watch: 'bool', status: 'DirectRequestStatus' },
  DirectRequestStatus: { _enum: { Ok: 'Null', TrustedOperationStatus: 'TrustedOperationStatus', Error: 'Null' } },
  TrustedOperationStatus: {
    _enum: {
      Submitted: 'Null',
      Future: 'Null',
      Ready: 'Null',
      Broadcast: 'Null',
      InSidechainBlock: 'H256',
      Retracted: 'Null',
      FinalityTimeout: 'Null',
      Finalized: 'Null',
      Usurped: 'Null',
      Dropped: 'Null',
      Invalid: 'Null',
    },
  },
  /** `state_executeGetter` result value (§3.6). */
  GetterResult: 'Option<Vec<u8>>',
  /** `author_getShardVault` result value (§1.8). */
  ShardVault: '(AccountId, ParentchainId)',

  // ---- trusted operations (§3)
  TrustedOperation: {
    _enum: { indirect_call: 'TrustedCallSigned', direct_call: 'TrustedCallSigned', get: 'Getter' },
  },
  // Integritee G2a indices 0–5; Sealbridge from 150 (see SEALBRIDGE_VARIANT_INDEX_FIRST).
  TrustedCall: withSealbridgeRange(
    {
      noop: 'AccountId',
      balance_set_balance: '(AccountId, AccountId, Balance, Balance)',
      balance_transfer: '(AccountId, AccountId, Balance)',
      balance_unshield: '(AccountId, AccountId, Balance, ShardIdentifier)',
      balance_shield: '(AccountId, AccountId, Balance, ParentchainId)',
      timestamp_set: '(AccountId, u64, ParentchainId)',
    },
    {
      /** (sender, worker id, input) — runs a smart worker inside the enclave. */
      smart_worker_call: '(AccountId, H256, Vec<u8>)',
    },
  ),
  TrustedCallSigned: { call: 'TrustedCall', nonce: 'u32', signature: 'MultiSignature' },
  Getter: { _enum: { public: 'PublicGetter', trusted: 'TrustedGetterSigned' } },
  PublicGetter: { _enum: { some_value: 'Null' } },
  TrustedGetter: withSealbridgeRange(
    { free_balance: 'AccountId', reserved_balance: 'AccountId', nonce: 'AccountId' },
    {
      /** (account, call hash) — result of a smart_worker_call by that account. */
      smart_worker_result: '(AccountId, H256)',
      /** (account, worker id) — names of the environment entries set for that worker. */
      env_names: '(AccountId, H256)',
      /** (account, TOP hash) — the STF's `TrustedOperationOutcome` of that account's operation, for 256 blocks. */
      operation_outcome: '(AccountId, H256)',
    },
  ),
  TrustedGetterSigned: { getter: 'TrustedGetter', signature: 'MultiSignature' },
  /** Why the STF failed an operation: a stable code (`StfErrorCode`) and a readable message. */
  TrustedOperationError: { code: 'Text', message: 'Text' },
  /** `operation_outcome` value: the block that executed the operation, its result and the STF fee it paid. */
  TrustedOperationOutcome: { block_number: 'BlockNumber', result: 'Result<Null, TrustedOperationError>', fee: 'Balance' },

  // ---- indirect calls filtered from parentchain blocks (§5.2); leaves of the merkle root (§5.4)
  IndirectCall: { _enum: { ShieldFunds: 'ShieldFundsArgs', Invoke: 'InvokeArgs', TimestampSet: 'TimestampSetArgs' } },
  ShieldFundsArgs: { shard: 'ShardIdentifier', account_encrypted: 'Vec<u8>', amount: 'Balance' },
  InvokeArgs: { request: 'Request' },
  TimestampSetArgs: { now: 'Compact<u64>' },

  // ---- EnclaveBridge pallet (§1.4): call args in SCALE order, calls and events by declaration index
  ShardConfig: {
    enclave_fingerprint: 'EnclaveFingerprint',
    max_instances: 'Option<u32>',
    authorities: 'Option<Vec<AccountId>>',
    maintenance_mode: 'bool',
  },
  UpgradableShardConfig: {
    active_config: 'ShardConfig',
    pending_upgrade: 'Option<ShardConfig>',
    upgrade_at: 'Option<BlockNumber>',
  },
  ShardSignerStatus: { signer: 'AccountId', fingerprint: 'EnclaveFingerprint', last_activity: 'BlockNumber' },
  EnclaveBridgeInvokeArgs: { request: 'Request' },
  // Argument order of the call: number BEFORE root (the event below has root before number).
  ConfirmProcessedParentchainBlockArgs: {
    shard: 'ShardIdentifier',
    block_hash: 'H256',
    block_number: 'BlockNumber',
    trusted_calls_merkle_root: 'H256',
  },
  EnclaveBridgeShieldFundsArgs: { shard: 'ShardIdentifier', incognito_account_encrypted: 'Vec<u8>', amount: 'Balance' },
  EnclaveBridgeUnshieldFundsArgs: { shard: 'ShardIdentifier', beneficiary: 'AccountId', amount: 'Balance', call_hash: 'H256' },
  PublishHashArgs: { hash: 'H256', extra_topics: 'Vec<H256>', data: 'Vec<u8>' },
  UpdateShardConfigArgs: { shard: 'ShardIdentifier', shard_config: 'ShardConfig', enactment_delay: 'BlockNumber' },
  PurgeEnclaveFromShardStatusArgs: { shard: 'ShardIdentifier', subject: 'AccountId' },
  EnclaveBridgeCall: {
    _enum: {
      invoke: 'EnclaveBridgeInvokeArgs',
      confirm_processed_parentchain_block: 'ConfirmProcessedParentchainBlockArgs',
      shield_funds: 'EnclaveBridgeShieldFundsArgs',
      unshield_funds: 'EnclaveBridgeUnshieldFundsArgs',
      publish_hash: 'PublishHashArgs',
      update_shard_config: 'UpdateShardConfigArgs',
      purge_enclave_from_shard_status: 'PurgeEnclaveFromShardStatusArgs',
    },
  },
  ShieldFundsEvent: { shard: 'ShardIdentifier', encrypted_beneficiary: 'Vec<u8>', amount: 'Balance' },
  UnshieldedFundsEvent: { shard: 'ShardIdentifier', beneficiary: 'AccountId', amount: 'Balance' },
  ProcessedParentchainBlockEvent: {
    shard: 'ShardIdentifier',
    block_hash: 'H256',
    trusted_calls_merkle_root: 'H256',
    block_number: 'BlockNumber',
  },
  PublishedHashEvent: { enclave_fingerprint: 'EnclaveFingerprint', hash: 'H256', data: 'Vec<u8>' },
  PurgedEnclaveFromShardConfigEvent: { shard: 'ShardIdentifier', subject: 'AccountId' },
  EnclaveBridgeEvent: {
    _enum: {
      IndirectInvocationRegistered: 'ShardIdentifier',
      ShieldFunds: 'ShieldFundsEvent',
      UnshieldedFunds: 'UnshieldedFundsEvent',
      ProcessedParentchainBlock: 'ProcessedParentchainBlockEvent',
      PublishedHash: 'PublishedHashEvent',
      ShardConfigUpdated: 'ShardIdentifier',
      PurgedEnclaveFromShardConfig: 'PurgedEnclaveFromShardConfigEvent',
    },
  },

  // ---- Teerex pallet (§1.2, §1.3)
  SgxReportData: { d: '[u8;64]' },
  SgxBuildMode: { _enum: ['Debug', 'Production'] },
  SgxStatus: { _enum: ['Invalid', 'Ok', 'GroupOutOfDate', 'GroupRevoked', 'ConfigurationNeeded'] },
  // Skip/Ias/Dcap as in pallets abf29acd; `Simulated` (3) is Sealbridge's marker for enclave-sim quotes, which no
  // Integritee pallet accepts — a real chain rejects index 3, the Sealbridge dev chain knows it.
  SgxAttestationMethod: {
    _enum: { Skip: 'SgxAttestationProxied', Ias: 'Null', Dcap: 'SgxAttestationProxied', Simulated: 'Null' },
  },
  /** Payload of the `Skip { proxied }` / `Dcap { proxied }` struct variants. */
  SgxAttestationProxied: { proxied: 'bool' },
  SgxEnclave: {
    report_data: 'SgxReportData',
    mr_enclave: 'MrEnclave',
    mr_signer: 'MrSigner',
    timestamp: 'u64',
    url: 'Option<Vec<u8>>',
    build_mode: 'SgxBuildMode',
    attestation_method: 'SgxAttestationMethod',
    status: 'SgxStatus',
  },
  MultiEnclave: { _enum: { Sgx: 'SgxEnclave' } },
  RegisterSgxEnclaveArgs: { proof: 'Vec<u8>', worker_url: 'Option<Vec<u8>>', attestation_method: 'SgxAttestationMethod' },
  AddedSgxEnclaveEvent: {
    registered_by: 'AccountId',
    worker_url: 'Option<Vec<u8>>',
    tcb_status: 'Option<SgxStatus>',
    attestation_method: 'SgxAttestationMethod',
  },
};

/** A fresh `TypeRegistry` with `sealbridgeTypes` registered (use when you need to register more types). */
export function createSealbridgeRegistry(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.register(sealbridgeTypes);
  return registry;
}

/** Shared registry instance; never register further types into it (create your own registry instead). */
export const sealbridgeRegistry: TypeRegistry = createSealbridgeRegistry();
