import { u8aEq } from '@polkadot/util';

import type { DispatchContext, PalletDefinition } from '../runtime/pallet.js';

import { transfer } from './balances.js';
import { getSovereignEnclave } from './teerex.js';

export const MAX_SHARD_SIGNERS = 10;
export const TOPICS_LIMIT = 5;
export const DATA_LENGTH_LIMIT = 100;

interface ShardSignerStatus {
  signer: Uint8Array;
  fingerprint: Uint8Array;
  last_activity: number;
}

/**
 * `get_sovereign_enclave_and_touch_shard` without ShardConfig support: the enclave's fingerprint (MRENCLAVE)
 * must equal the shard; its entry in ShardStatus[shard] is created or its last_activity updated.
 */
function touchShard(ctx: DispatchContext, sender: Uint8Array, shard: Uint8Array): void {
  const enclave = getSovereignEnclave(ctx, sender);
  if (!u8aEq(enclave.mr_enclave, shard)) ctx.fail('EnclaveBridge', 'WrongFingerprintForShard');
  const status = (ctx.storage.get('EnclaveBridge', 'ShardStatus', [shard]) as ShardSignerStatus[] | undefined) ?? [];
  const mine = status.find((s) => u8aEq(s.signer, sender));
  if (mine) {
    mine.last_activity = ctx.blockNumber;
    mine.fingerprint = enclave.mr_enclave;
  } else {
    if (status.length >= MAX_SHARD_SIGNERS) ctx.fail('EnclaveBridge', 'TooManyEnclaves');
    status.push({ signer: sender, fingerprint: enclave.mr_enclave, last_activity: ctx.blockNumber });
  }
  ctx.storage.set('EnclaveBridge', 'ShardStatus', [shard], status);
}

export const ENCLAVE_BRIDGE_PALLET: PalletDefinition = {
  name: 'EnclaveBridge',
  index: 54,
  crate: 'pallet_enclave_bridge',
  types: {
    ShardIdentifier: { alias: 'H256' },
    Request: { path: 'enclave_bridge_primitives::Request', fields: { shard: 'ShardIdentifier', cyphertext: 'Vec<u8>' } },
    ShardSignerStatus: {
      path: 'enclave_bridge_primitives::ShardSignerStatus',
      params: { AccountId: 'AccountId', BlockNumber: 'BlockNumber' },
      fields: { signer: 'AccountId', fingerprint: 'H256', last_activity: 'BlockNumber' },
    },
  },
  calls: [
    {
      name: 'invoke',
      index: 0,
      args: [['request', 'Request']],
      origin: 'signed',
      weight: 100_000_000n,
      handler: (ctx, { request }) => {
        ctx.ensureSigned();
        ctx.deposit('EnclaveBridge', 'IndirectInvocationRegistered', (request as { shard: Uint8Array }).shard);
      },
    },
    {
      name: 'confirm_processed_parentchain_block',
      index: 1,
      args: [
        ['shard', 'ShardIdentifier'],
        ['block_hash', 'H256'],
        ['block_number', 'BlockNumber'],
        ['trusted_calls_merkle_root', 'H256'],
      ],
      origin: 'signed',
      weight: 150_000_000n,
      acknowledges: 'block_hash',
      handler: (ctx, { shard, block_hash, block_number, trusted_calls_merkle_root }) => {
        touchShard(ctx, ctx.ensureSigned(), shard as Uint8Array);
        // Event field order differs from the call's argument order (root before number), as in the pallet.
        ctx.deposit('EnclaveBridge', 'ProcessedParentchainBlock', { shard, block_hash, trusted_calls_merkle_root, block_number });
      },
    },
    {
      name: 'shield_funds',
      index: 2,
      args: [
        ['shard', 'ShardIdentifier'],
        ['incognito_account_encrypted', 'Vec<u8>'],
        ['amount', 'Balance'],
      ],
      origin: 'signed',
      weight: 250_000_000n,
      handler: (ctx, { shard, incognito_account_encrypted, amount }) => {
        // Bonding account = the shard's 32 bytes read as an AccountId.
        transfer(ctx, ctx.ensureSigned(), shard as Uint8Array, amount as bigint, false);
        ctx.deposit('EnclaveBridge', 'ShieldFunds', { shard, encrypted_beneficiary: incognito_account_encrypted, amount });
      },
    },
    {
      name: 'unshield_funds',
      index: 3,
      args: [
        ['shard', 'ShardIdentifier'],
        ['beneficiary', 'AccountId'],
        ['amount', 'Balance'],
        ['call_hash', 'H256'],
      ],
      origin: 'signed',
      weight: 250_000_000n,
      handler: (ctx, { shard, beneficiary, amount, call_hash }) => {
        touchShard(ctx, ctx.ensureSigned(), shard as Uint8Array);
        const executed = ctx.storage.has('EnclaveBridge', 'ExecutedUnshieldCalls', [call_hash]);
        if (!executed) {
          transfer(ctx, shard as Uint8Array, beneficiary as Uint8Array, amount as bigint, false);
          ctx.deposit('EnclaveBridge', 'UnshieldedFunds', { shard, beneficiary, amount });
        }
        const confirmations = ctx.storage.get('EnclaveBridge', 'ExecutedUnshieldCalls', [call_hash]) as bigint;
        ctx.storage.set('EnclaveBridge', 'ExecutedUnshieldCalls', [call_hash], confirmations + 1n);
      },
    },
    {
      name: 'publish_hash',
      index: 4,
      args: [
        ['hash', 'H256'],
        ['extra_topics', 'Vec<H256>'],
        ['data', 'Vec<u8>'],
      ],
      origin: 'signed',
      weight: 120_000_000n,
      handler: (ctx, { hash, extra_topics, data }) => {
        const sender = ctx.ensureSigned();
        const fingerprint = getSovereignEnclave(ctx, sender).mr_enclave;
        touchShard(ctx, sender, fingerprint);
        const topics = extra_topics as Uint8Array[];
        if (topics.length > TOPICS_LIMIT) ctx.fail('EnclaveBridge', 'TooManyTopics');
        if ((data as Uint8Array).length > DATA_LENGTH_LIMIT) ctx.fail('EnclaveBridge', 'DataTooLong');
        ctx.deposit('EnclaveBridge', 'PublishedHash', { enclave_fingerprint: fingerprint, hash, data }, [...topics, fingerprint]);
      },
    },
  ],
  events: [
    { name: 'IndirectInvocationRegistered', index: 0, fields: ['ShardIdentifier'] },
    { name: 'ShieldFunds', index: 1, fields: { shard: 'ShardIdentifier', encrypted_beneficiary: 'Vec<u8>', amount: 'Balance' } },
    { name: 'UnshieldedFunds', index: 2, fields: { shard: 'ShardIdentifier', beneficiary: 'AccountId', amount: 'Balance' } },
    {
      name: 'ProcessedParentchainBlock',
      index: 3,
      fields: { shard: 'ShardIdentifier', block_hash: 'H256', trusted_calls_merkle_root: 'H256', block_number: 'BlockNumber' },
    },
    { name: 'PublishedHash', index: 4, fields: { enclave_fingerprint: 'H256', hash: 'H256', data: 'Vec<u8>' } },
  ],
  errors: ['WrongFingerprintForShard', 'TooManyTopics', 'DataTooLong', 'TooManyEnclaves', 'EnclaveNotFoundInShardStatus', 'ShardNotFound'],
  storage: [
    {
      name: 'ShardStatus',
      type: { hashers: ['Blake2_128Concat'], key: 'ShardIdentifier', value: 'BoundedVec<ShardSignerStatus, 10>' },
      modifier: 'Optional',
    },
    { name: 'ExecutedUnshieldCalls', type: { hashers: ['Blake2_128Concat'], key: 'H256', value: 'u64' }, modifier: 'Default' },
  ],
};
