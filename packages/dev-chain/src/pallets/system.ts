import { blake2AsU8a } from '@polkadot/util-crypto';

import type { EnumValue } from '@sealbridge/chain-types';

import type { DispatchContext, PalletDefinition, StorageAccess } from '../runtime/pallet.js';

/** Real frame_system value; the mortal-era window of the api is derived from it. */
export const BLOCK_HASH_COUNT = 2400;
/** Integritee's SS58 prefix. */
export const SS58_PREFIX = 13;

export interface AccountData {
  free: bigint;
  reserved: bigint;
  frozen: bigint;
  flags: bigint;
}
export interface AccountInfo {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  data: AccountData;
}

export function getAccount(storage: StorageAccess, who: Uint8Array): AccountInfo {
  return storage.get('System', 'Account', [who]) as AccountInfo;
}

/** Writes the account, deleting it (like frame_system) when it no longer has providers or sufficients. */
export function putAccount(storage: StorageAccess, who: Uint8Array, info: AccountInfo): void {
  if (info.providers === 0 && info.sufficients === 0) storage.remove('System', 'Account', [who]);
  else storage.set('System', 'Account', [who], info);
}

/**
 * `frame_system::deposit_log`: appends a digest item to `System.Digest`, which becomes the header's digest at the end
 * of the block. Inside a call it is transactional like any storage write.
 */
export function depositLog(storage: StorageAccess, item: EnumValue): void {
  const digest = storage.get('System', 'Digest') as { logs: EnumValue[] };
  digest.logs.push(item);
  storage.set('System', 'Digest', [], digest);
}

export const SYSTEM_PALLET: PalletDefinition = {
  name: 'System',
  index: 0,
  crate: 'frame_system',
  types: {
    Nonce: { alias: 'u32' },
    AccountInfo: {
      path: 'frame_system::AccountInfo',
      params: { Nonce: 'u32', AccountData: 'AccountData' },
      fields: { nonce: 'Nonce', consumers: 'u32', providers: 'u32', sufficients: 'u32', data: 'AccountData' },
    },
    AccountData: {
      path: 'pallet_balances::types::AccountData',
      params: { Balance: 'u128' },
      fields: { free: 'Balance', reserved: 'Balance', frozen: 'Balance', flags: 'ExtraFlags' },
    },
    ExtraFlags: { path: 'pallet_balances::types::ExtraFlags', fields: ['u128'] },
    ConsensusEngineId: { alias: '[u8; 4]' },
    DigestItem: {
      path: 'sp_runtime::generic::digest::DigestItem',
      variants: [
        ['PreRuntime', ['ConsensusEngineId', 'Vec<u8>'], 6],
        ['Consensus', ['ConsensusEngineId', 'Vec<u8>'], 4],
        ['Seal', ['ConsensusEngineId', 'Vec<u8>'], 5],
        ['Other', ['Vec<u8>'], 0],
        ['RuntimeEnvironmentUpdated', [], 8],
      ],
    },
    Digest: { path: 'sp_runtime::generic::digest::Digest', fields: { logs: 'Vec<DigestItem>' } },
    Phase: { path: 'frame_system::Phase', variants: [['ApplyExtrinsic', ['u32']], 'Finalization', 'Initialization'] },
    EventRecord: {
      path: 'frame_system::EventRecord',
      params: { E: 'RuntimeEvent', T: 'H256' },
      fields: { phase: 'Phase', event: 'RuntimeEvent', topics: 'Vec<H256>' },
    },
    Weight: { path: 'sp_weights::weight_v2::Weight', fields: { ref_time: 'Compact<u64>', proof_size: 'Compact<u64>' } },
    DispatchClass: { path: 'frame_support::dispatch::DispatchClass', variants: ['Normal', 'Operational', 'Mandatory'] },
    Pays: { path: 'frame_support::dispatch::Pays', variants: ['Yes', 'No'] },
    DispatchInfo: { path: 'frame_support::dispatch::DispatchInfo', fields: { weight: 'Weight', class: 'DispatchClass', pays_fee: 'Pays' } },
    ModuleError: { path: 'sp_runtime::ModuleError', fields: { index: 'u8', error: '[u8; 4]' } },
    TokenError: {
      path: 'sp_runtime::TokenError',
      variants: ['FundsUnavailable', 'OnlyProvider', 'BelowMinimum', 'CannotCreate', 'UnknownAsset', 'Frozen', 'Unsupported', 'CannotCreateHold', 'NotExpendable', 'Blocked'],
    },
    ArithmeticError: { path: 'sp_arithmetic::ArithmeticError', variants: ['Underflow', 'Overflow', 'DivisionByZero'] },
    TransactionalError: { path: 'sp_runtime::TransactionalError', variants: ['LimitReached', 'NoLayer'] },
    DispatchError: {
      path: 'sp_runtime::DispatchError',
      variants: [
        'Other',
        'CannotLookup',
        'BadOrigin',
        ['Module', ['ModuleError']],
        'ConsumerRemaining',
        'NoProviders',
        'TooManyConsumers',
        ['Token', ['TokenError']],
        ['Arithmetic', ['ArithmeticError']],
        ['Transactional', ['TransactionalError']],
        'Exhausted',
        'Corruption',
        'Unavailable',
        'RootNotAllowed',
      ],
    },
  },
  calls: [
    {
      name: 'remark',
      index: 0,
      args: [['remark', 'Vec<u8>']],
      origin: 'signed',
      weight: 10_000_000n,
      docs: ['Make some on-chain remark.'],
      handler: () => undefined,
    },
    {
      name: 'remark_with_event',
      index: 7,
      args: [['remark', 'Vec<u8>']],
      origin: 'signed',
      weight: 20_000_000n,
      docs: ['Make some on-chain remark and emit an event.'],
      handler: (ctx: DispatchContext, args) => {
        ctx.deposit('System', 'Remarked', { sender: ctx.ensureSigned(), hash: blake2AsU8a(args.remark as Uint8Array, 256) });
      },
    },
  ],
  events: [
    { name: 'ExtrinsicSuccess', index: 0, fields: { dispatch_info: 'DispatchInfo' } },
    { name: 'ExtrinsicFailed', index: 1, fields: { dispatch_error: 'DispatchError', dispatch_info: 'DispatchInfo' } },
    { name: 'CodeUpdated', index: 2 },
    { name: 'NewAccount', index: 3, fields: { account: 'AccountId' } },
    { name: 'KilledAccount', index: 4, fields: { account: 'AccountId' } },
    { name: 'Remarked', index: 5, fields: { sender: 'AccountId', hash: 'H256' } },
  ],
  errors: ['InvalidSpecName', 'SpecVersionNeedsToIncrease', 'FailedToExtractRuntimeVersion', 'NonDefaultComposite', 'NonZeroRefCount', 'CallFiltered'],
  storage: [
    { name: 'Account', type: { hashers: ['Blake2_128Concat'], key: 'AccountId', value: 'AccountInfo' }, modifier: 'Default' },
    { name: 'ExtrinsicCount', type: 'u32', modifier: 'Optional' },
    { name: 'BlockHash', type: { hashers: ['Twox64Concat'], key: 'BlockNumber', value: 'H256' }, modifier: 'Default' },
    { name: 'Number', type: 'BlockNumber', modifier: 'Default' },
    { name: 'ParentHash', type: 'H256', modifier: 'Default' },
    { name: 'Digest', type: 'Digest', modifier: 'Default', docs: ['Digest of the current block, also part of the block header.'] },
    { name: 'Events', type: 'Vec<EventRecord>', modifier: 'Default' },
    { name: 'EventCount', type: 'u32', modifier: 'Default' },
  ],
  constants: [
    { name: 'BlockHashCount', type: 'BlockNumber', value: BLOCK_HASH_COUNT },
    { name: 'SS58Prefix', type: 'u16', value: SS58_PREFIX },
  ],
  genesis: ({ storage }) => {
    // frame_system stores a placeholder for block 0 (0x45…45); block 1 overwrites it with the real genesis hash.
    storage.set('System', 'BlockHash', [0], new Uint8Array(32).fill(0x45));
    storage.set('System', 'ParentHash', [], new Uint8Array(32).fill(0x45));
  },
};
