/**
 * TypeScript views of the codecs registered by `sealbridgeTypes`, in the style of polkadot-js augment interfaces.
 * Hand-written (the definitions are small); `SealbridgeCodecs` maps each registered name to its interface so
 * `decodeExact`/`createSealbridgeType` return typed codecs.
 */
import type { Bytes, Compact, Enum, Null, Option, Result, Struct, Text, U8aFixed, Vec, bool, u32, u64, u128 } from '@polkadot/types-codec';
import type { ITuple } from '@polkadot/types-codec/types';
import type { AccountId32, H256 } from '@polkadot/types/interfaces';

export type AccountId = AccountId32;
export type Balance = u128;
export type ShardIdentifier = H256;

export interface MultiSignature extends Enum {
  readonly isEd25519: boolean;
  readonly asEd25519: U8aFixed;
  readonly isSr25519: boolean;
  readonly asSr25519: U8aFixed;
  readonly isEcdsa: boolean;
  readonly asEcdsa: U8aFixed;
  readonly type: 'Ed25519' | 'Sr25519' | 'Ecdsa';
}

export interface ParentchainId extends Enum {
  readonly isIntegritee: boolean;
  readonly isTargetA: boolean;
  readonly isTargetB: boolean;
  readonly type: 'Integritee' | 'TargetA' | 'TargetB';
}

export interface Request extends Struct {
  readonly shard: ShardIdentifier;
  readonly cyphertext: Bytes;
}

export const TRUSTED_OPERATION_STATUS_NAMES = [
  'Submitted',
  'Future',
  'Ready',
  'Broadcast',
  'InSidechainBlock',
  'Retracted',
  'FinalityTimeout',
  'Finalized',
  'Usurped',
  'Dropped',
  'Invalid',
] as const;
export type TrustedOperationStatusName = (typeof TRUSTED_OPERATION_STATUS_NAMES)[number];

export interface TrustedOperationStatus extends Enum {
  readonly isSubmitted: boolean;
  readonly isFuture: boolean;
  readonly isReady: boolean;
  readonly isBroadcast: boolean;
  readonly isInSidechainBlock: boolean;
  readonly asInSidechainBlock: H256;
  readonly isRetracted: boolean;
  readonly isFinalityTimeout: boolean;
  readonly isFinalized: boolean;
  readonly isUsurped: boolean;
  readonly isDropped: boolean;
  readonly isInvalid: boolean;
  readonly type: TrustedOperationStatusName;
}

export interface DirectRequestStatus extends Enum {
  readonly isOk: boolean;
  readonly isTrustedOperationStatus: boolean;
  readonly asTrustedOperationStatus: TrustedOperationStatus;
  readonly isError: boolean;
  readonly type: 'Ok' | 'TrustedOperationStatus' | 'Error';
}

export interface RpcReturnValue extends Struct {
  readonly value: Bytes;
  readonly do_watch: bool;
  readonly status: DirectRequestStatus;
}

export type ShardVault = ITuple<[AccountId, ParentchainId]>;

export interface TrustedCall extends Enum {
  readonly isNoop: boolean;
  readonly asNoop: AccountId;
  readonly isBalanceSetBalance: boolean;
  readonly asBalanceSetBalance: ITuple<[AccountId, AccountId, Balance, Balance]>;
  readonly isBalanceTransfer: boolean;
  readonly asBalanceTransfer: ITuple<[AccountId, AccountId, Balance]>;
  readonly isBalanceUnshield: boolean;
  readonly asBalanceUnshield: ITuple<[AccountId, AccountId, Balance, ShardIdentifier]>;
  readonly isBalanceShield: boolean;
  readonly asBalanceShield: ITuple<[AccountId, AccountId, Balance, ParentchainId]>;
  readonly isTimestampSet: boolean;
  readonly asTimestampSet: ITuple<[AccountId, u64, ParentchainId]>;
  readonly isSmartWorkerCall: boolean;
  readonly asSmartWorkerCall: ITuple<[AccountId, H256, Bytes]>;
  readonly type:
    | 'noop'
    | 'balance_set_balance'
    | 'balance_transfer'
    | 'balance_unshield'
    | 'balance_shield'
    | 'timestamp_set'
    | 'smart_worker_call';
}

export interface TrustedCallSigned extends Struct {
  readonly call: TrustedCall;
  readonly nonce: u32;
  readonly signature: MultiSignature;
}

export interface PublicGetter extends Enum {
  readonly isSomeValue: boolean;
  readonly type: 'some_value';
}

export interface TrustedGetter extends Enum {
  readonly isFreeBalance: boolean;
  readonly asFreeBalance: AccountId;
  readonly isReservedBalance: boolean;
  readonly asReservedBalance: AccountId;
  readonly isNonce: boolean;
  readonly asNonce: AccountId;
  readonly isSmartWorkerResult: boolean;
  readonly asSmartWorkerResult: ITuple<[AccountId, H256]>;
  readonly isEnvNames: boolean;
  readonly asEnvNames: ITuple<[AccountId, H256]>;
  readonly isOperationOutcome: boolean;
  readonly asOperationOutcome: ITuple<[AccountId, H256]>;
  readonly type: 'free_balance' | 'reserved_balance' | 'nonce' | 'smart_worker_result' | 'env_names' | 'operation_outcome';
}

export interface TrustedGetterSigned extends Struct {
  readonly getter: TrustedGetter;
  readonly signature: MultiSignature;
}

export interface TrustedOperationError extends Struct {
  readonly code: Text;
  readonly message: Text;
}

export interface TrustedOperationOutcome extends Struct {
  readonly block_number: u32;
  readonly result: Result<Null, TrustedOperationError>;
  readonly fee: Balance;
}

export interface Getter extends Enum {
  readonly isPublic: boolean;
  readonly asPublic: PublicGetter;
  readonly isTrusted: boolean;
  readonly asTrusted: TrustedGetterSigned;
  readonly type: 'public' | 'trusted';
}

export interface TrustedOperation extends Enum {
  readonly isIndirectCall: boolean;
  readonly asIndirectCall: TrustedCallSigned;
  readonly isDirectCall: boolean;
  readonly asDirectCall: TrustedCallSigned;
  readonly isGet: boolean;
  readonly asGet: Getter;
  readonly type: 'indirect_call' | 'direct_call' | 'get';
}

export interface ShieldFundsArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly account_encrypted: Bytes;
  readonly amount: Balance;
}

export interface InvokeArgs extends Struct {
  readonly request: Request;
}

export interface TimestampSetArgs extends Struct {
  readonly now: Compact<u64>;
}

export interface IndirectCall extends Enum {
  readonly isShieldFunds: boolean;
  readonly asShieldFunds: ShieldFundsArgs;
  readonly isInvoke: boolean;
  readonly asInvoke: InvokeArgs;
  readonly isTimestampSet: boolean;
  readonly asTimestampSet: TimestampSetArgs;
  readonly type: 'ShieldFunds' | 'Invoke' | 'TimestampSet';
}

export interface ShardConfig extends Struct {
  readonly enclave_fingerprint: H256;
  readonly max_instances: Option<u32>;
  readonly authorities: Option<Vec<AccountId>>;
  readonly maintenance_mode: bool;
}

export interface UpgradableShardConfig extends Struct {
  readonly active_config: ShardConfig;
  readonly pending_upgrade: Option<ShardConfig>;
  readonly upgrade_at: Option<u32>;
}

export interface ShardSignerStatus extends Struct {
  readonly signer: AccountId;
  readonly fingerprint: H256;
  readonly last_activity: u32;
}

export interface EnclaveBridgeInvokeArgs extends Struct {
  readonly request: Request;
}

export interface ConfirmProcessedParentchainBlockArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly block_hash: H256;
  readonly block_number: u32;
  readonly trusted_calls_merkle_root: H256;
}

export interface EnclaveBridgeShieldFundsArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly incognito_account_encrypted: Bytes;
  readonly amount: Balance;
}

export interface EnclaveBridgeUnshieldFundsArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly beneficiary: AccountId;
  readonly amount: Balance;
  readonly call_hash: H256;
}

export interface PublishHashArgs extends Struct {
  readonly hash: H256;
  readonly extra_topics: Vec<H256>;
  readonly data: Bytes;
}

export interface UpdateShardConfigArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly shard_config: ShardConfig;
  readonly enactment_delay: u32;
}

export interface PurgeEnclaveFromShardStatusArgs extends Struct {
  readonly shard: ShardIdentifier;
  readonly subject: AccountId;
}

export interface EnclaveBridgeCall extends Enum {
  readonly isInvoke: boolean;
  readonly asInvoke: EnclaveBridgeInvokeArgs;
  readonly isConfirmProcessedParentchainBlock: boolean;
  readonly asConfirmProcessedParentchainBlock: ConfirmProcessedParentchainBlockArgs;
  readonly isShieldFunds: boolean;
  readonly asShieldFunds: EnclaveBridgeShieldFundsArgs;
  readonly isUnshieldFunds: boolean;
  readonly asUnshieldFunds: EnclaveBridgeUnshieldFundsArgs;
  readonly isPublishHash: boolean;
  readonly asPublishHash: PublishHashArgs;
  readonly isUpdateShardConfig: boolean;
  readonly asUpdateShardConfig: UpdateShardConfigArgs;
  readonly isPurgeEnclaveFromShardStatus: boolean;
  readonly asPurgeEnclaveFromShardStatus: PurgeEnclaveFromShardStatusArgs;
  readonly type:
    | 'invoke'
    | 'confirm_processed_parentchain_block'
    | 'shield_funds'
    | 'unshield_funds'
    | 'publish_hash'
    | 'update_shard_config'
    | 'purge_enclave_from_shard_status';
}

export interface ShieldFundsEvent extends Struct {
  readonly shard: ShardIdentifier;
  readonly encrypted_beneficiary: Bytes;
  readonly amount: Balance;
}

export interface UnshieldedFundsEvent extends Struct {
  readonly shard: ShardIdentifier;
  readonly beneficiary: AccountId;
  readonly amount: Balance;
}

export interface ProcessedParentchainBlockEvent extends Struct {
  readonly shard: ShardIdentifier;
  readonly block_hash: H256;
  readonly trusted_calls_merkle_root: H256;
  readonly block_number: u32;
}

export interface PublishedHashEvent extends Struct {
  readonly enclave_fingerprint: H256;
  readonly hash: H256;
  readonly data: Bytes;
}

export interface PurgedEnclaveFromShardConfigEvent extends Struct {
  readonly shard: ShardIdentifier;
  readonly subject: AccountId;
}

export interface EnclaveBridgeEvent extends Enum {
  readonly isIndirectInvocationRegistered: boolean;
  readonly asIndirectInvocationRegistered: ShardIdentifier;
  readonly isShieldFunds: boolean;
  readonly asShieldFunds: ShieldFundsEvent;
  readonly isUnshieldedFunds: boolean;
  readonly asUnshieldedFunds: UnshieldedFundsEvent;
  readonly isProcessedParentchainBlock: boolean;
  readonly asProcessedParentchainBlock: ProcessedParentchainBlockEvent;
  readonly isPublishedHash: boolean;
  readonly asPublishedHash: PublishedHashEvent;
  readonly isShardConfigUpdated: boolean;
  readonly asShardConfigUpdated: ShardIdentifier;
  readonly isPurgedEnclaveFromShardConfig: boolean;
  readonly asPurgedEnclaveFromShardConfig: PurgedEnclaveFromShardConfigEvent;
  readonly type:
    | 'IndirectInvocationRegistered'
    | 'ShieldFunds'
    | 'UnshieldedFunds'
    | 'ProcessedParentchainBlock'
    | 'PublishedHash'
    | 'ShardConfigUpdated'
    | 'PurgedEnclaveFromShardConfig';
}

export interface SgxReportData extends Struct {
  readonly d: U8aFixed;
}

export interface SgxBuildMode extends Enum {
  readonly isDebug: boolean;
  readonly isProduction: boolean;
  readonly type: 'Debug' | 'Production';
}

export interface SgxStatus extends Enum {
  readonly isInvalid: boolean;
  readonly isOk: boolean;
  readonly isGroupOutOfDate: boolean;
  readonly isGroupRevoked: boolean;
  readonly isConfigurationNeeded: boolean;
  readonly type: 'Invalid' | 'Ok' | 'GroupOutOfDate' | 'GroupRevoked' | 'ConfigurationNeeded';
}

export interface SgxAttestationProxied extends Struct {
  readonly proxied: bool;
}

export interface SgxAttestationMethod extends Enum {
  readonly isSkip: boolean;
  readonly asSkip: SgxAttestationProxied;
  readonly isIas: boolean;
  readonly isDcap: boolean;
  readonly asDcap: SgxAttestationProxied;
  readonly isSimulated: boolean;
  readonly type: 'Skip' | 'Ias' | 'Dcap' | 'Simulated';
}

export interface SgxEnclave extends Struct {
  readonly report_data: SgxReportData;
  readonly mr_enclave: U8aFixed;
  readonly mr_signer: U8aFixed;
  readonly timestamp: u64;
  readonly url: Option<Bytes>;
  readonly build_mode: SgxBuildMode;
  readonly attestation_method: SgxAttestationMethod;
  readonly status: SgxStatus;
}

export interface MultiEnclave extends Enum {
  readonly isSgx: boolean;
  readonly asSgx: SgxEnclave;
  readonly type: 'Sgx';
}

export interface RegisterSgxEnclaveArgs extends Struct {
  readonly proof: Bytes;
  readonly worker_url: Option<Bytes>;
  readonly attestation_method: SgxAttestationMethod;
}

export interface AddedSgxEnclaveEvent extends Struct {
  readonly registered_by: AccountId;
  readonly worker_url: Option<Bytes>;
  readonly tcb_status: Option<SgxStatus>;
  readonly attestation_method: SgxAttestationMethod;
}

/** Registered type name → codec interface (drives the return type of `decodeExact`/`createSealbridgeType`). */
export interface SealbridgeCodecs {
  AccountId: AccountId;
  Balance: Balance;
  Index: u32;
  BlockNumber: u32;
  ShardIdentifier: ShardIdentifier;
  EnclaveFingerprint: H256;
  MrEnclave: U8aFixed;
  MrSigner: U8aFixed;
  MultiSignature: MultiSignature;
  ParentchainId: ParentchainId;
  Request: Request;
  RpcReturnValue: RpcReturnValue;
  DirectRequestStatus: DirectRequestStatus;
  TrustedOperationStatus: TrustedOperationStatus;
  GetterResult: Option<Bytes>;
  ShardVault: ShardVault;
  TrustedOperation: TrustedOperation;
  TrustedCall: TrustedCall;
  TrustedCallSigned: TrustedCallSigned;
  Getter: Getter;
  PublicGetter: PublicGetter;
  TrustedGetter: TrustedGetter;
  TrustedGetterSigned: TrustedGetterSigned;
  TrustedOperationError: TrustedOperationError;
  TrustedOperationOutcome: TrustedOperationOutcome;
  IndirectCall: IndirectCall;
  ShieldFundsArgs: ShieldFundsArgs;
  InvokeArgs: InvokeArgs;
  TimestampSetArgs: TimestampSetArgs;
  ShardConfig: ShardConfig;
  UpgradableShardConfig: UpgradableShardConfig;
  ShardSignerStatus: ShardSignerStatus;
  EnclaveBridgeInvokeArgs: EnclaveBridgeInvokeArgs;
  ConfirmProcessedParentchainBlockArgs: ConfirmProcessedParentchainBlockArgs;
  EnclaveBridgeShieldFundsArgs: EnclaveBridgeShieldFundsArgs;
  EnclaveBridgeUnshieldFundsArgs: EnclaveBridgeUnshieldFundsArgs;
  PublishHashArgs: PublishHashArgs;
  UpdateShardConfigArgs: UpdateShardConfigArgs;
  PurgeEnclaveFromShardStatusArgs: PurgeEnclaveFromShardStatusArgs;
  EnclaveBridgeCall: EnclaveBridgeCall;
  ShieldFundsEvent: ShieldFundsEvent;
  UnshieldedFundsEvent: UnshieldedFundsEvent;
  ProcessedParentchainBlockEvent: ProcessedParentchainBlockEvent;
  PublishedHashEvent: PublishedHashEvent;
  PurgedEnclaveFromShardConfigEvent: PurgedEnclaveFromShardConfigEvent;
  EnclaveBridgeEvent: EnclaveBridgeEvent;
  SgxReportData: SgxReportData;
  SgxBuildMode: SgxBuildMode;
  SgxStatus: SgxStatus;
  SgxAttestationMethod: SgxAttestationMethod;
  SgxAttestationProxied: SgxAttestationProxied;
  SgxEnclave: SgxEnclave;
  MultiEnclave: MultiEnclave;
  RegisterSgxEnclaveArgs: RegisterSgxEnclaveArgs;
  AddedSgxEnclaveEvent: AddedSgxEnclaveEvent;
  Null: Null;
}
