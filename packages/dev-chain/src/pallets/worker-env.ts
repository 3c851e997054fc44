import { u8aEq } from '@polkadot/util';

import type { PalletDefinition } from '../runtime/pallet.js';

import { getSovereignEnclave } from './teerex.js';

/** One-time keys a worker may have published and unclaimed at once (libolm holds at most 100 unused keys). */
export const MAX_ONE_TIME_KEYS = 100;
/** Largest Olm pre-key message accepted by `set_env` (binary, not base64). */
export const MAX_PRE_KEY_MESSAGE_LEN = 4096;

/**
 * Sealbridge extension: end-to-end encrypted environment variables for a worker's Smart Workers (Olm v1).
 * A registered enclave publishes its Curve25519 identity key and one-time keys; any account claims one
 * one-time key by calling `set_env` with an Olm pre-key message to it — the claim removes the key, so each
 * key carries at most one message. The enclave acknowledges with `set_env_result`. Curve25519 keys are raw
 * 32 bytes here; Olm's unpadded base64 is used only off chain.
 */
export const WORKER_ENV_PALLET: PalletDefinition = {
  name: 'WorkerEnv',
  index: 60,
  crate: 'pallet_worker_env',
  types: {
    SetEnvStatus: {
      path: 'pallet_worker_env::SetEnvStatus',
      variants: ['Stored', 'Replayed', 'Undecryptable', 'Malformed', 'WrongBinding', 'NotPermitted', 'WrongShard'],
    },
  },
  calls: [
    {
      name: 'publish_olm_keys',
      index: 0,
      args: [
        ['identity_key', '[u8; 32]'],
        ['one_time_keys', 'Vec<[u8; 32]>'],
      ],
      origin: 'signed',
      weight: 200_000_000n,
      docs: ['Registered sovereign enclaves only. A new identity key drops the one-time keys published under the old one.'],
      handler: (ctx, args) => {
        const enclave = ctx.ensureSigned();
        getSovereignEnclave(ctx, enclave);
        const identityKey = args.identity_key as Uint8Array;
        const added = args.one_time_keys as Uint8Array[];
        const previous = ctx.storage.get('WorkerEnv', 'IdentityKeys', [enclave]) as Uint8Array | undefined;
        const keep = previous && u8aEq(previous, identityKey) ? (ctx.storage.get('WorkerEnv', 'OneTimeKeys', [enclave]) as Uint8Array[]) : [];
        const all = [...keep];
        for (const key of added) {
          if (all.some((k) => u8aEq(k, key))) ctx.fail('WorkerEnv', 'DuplicateOneTimeKey');
          all.push(key);
        }
        if (all.length > MAX_ONE_TIME_KEYS) ctx.fail('WorkerEnv', 'TooManyOneTimeKeys');
        ctx.storage.set('WorkerEnv', 'IdentityKeys', [enclave], identityKey);
        ctx.storage.set('WorkerEnv', 'OneTimeKeys', [enclave], all);
        ctx.deposit('WorkerEnv', 'OlmKeysPublished', { enclave, identity_key: identityKey, added: added.length, available: all.length });
      },
    },
    {
      name: 'set_env',
      index: 1,
      args: [
        ['shard', 'H256'],
        ['worker', 'AccountId'],
        ['sender_identity_key', '[u8; 32]'],
        ['one_time_key', '[u8; 32]'],
        ['pre_key_message', 'Vec<u8>'],
      ],
      origin: 'signed',
      weight: 150_000_000n,
      docs: ['Claims (removes) `one_time_key` of `worker` and emits the pre-key message for it to pick up.'],
      handler: (ctx, { shard, worker, sender_identity_key, one_time_key, pre_key_message }) => {
        const sender = ctx.ensureSigned();
        const message = pre_key_message as Uint8Array;
        if (message.length === 0) ctx.fail('WorkerEnv', 'EmptyPreKeyMessage');
        if (message.length > MAX_PRE_KEY_MESSAGE_LEN) ctx.fail('WorkerEnv', 'PreKeyMessageTooLong');
        if (!ctx.storage.has('WorkerEnv', 'IdentityKeys', [worker])) ctx.fail('WorkerEnv', 'WorkerHasNoOlmKeys');
        const keys = ctx.storage.get('WorkerEnv', 'OneTimeKeys', [worker]) as Uint8Array[];
        const at = keys.findIndex((k) => u8aEq(k, one_time_key as Uint8Array));
        if (at < 0) ctx.fail('WorkerEnv', 'OneTimeKeyNotFound');
        keys.splice(at, 1);
        ctx.storage.set('WorkerEnv', 'OneTimeKeys', [worker], keys);
        ctx.deposit('WorkerEnv', 'EnvSet', { shard, worker, sender, sender_identity_key, one_time_key, pre_key_message: message });
      },
    },
    {
      name: 'set_env_result',
      index: 2,
      args: [
        ['one_time_key', '[u8; 32]'],
        ['status', 'SetEnvStatus'],
      ],
      origin: 'signed',
      weight: 50_000_000n,
      docs: ["The enclave's acknowledgement of the `set_env` that claimed `one_time_key` (unique per accepted set_env)."],
      handler: (ctx, { one_time_key, status }) => {
        const worker = ctx.ensureSigned();
        getSovereignEnclave(ctx, worker);
        ctx.deposit('WorkerEnv', 'EnvResult', { worker, one_time_key, status });
      },
    },
  ],
  events: [
    { name: 'OlmKeysPublished', index: 0, fields: { enclave: 'AccountId', identity_key: '[u8; 32]', added: 'u32', available: 'u32' } },
    {
      name: 'EnvSet',
      index: 1,
      fields: {
        shard: 'H256',
        worker: 'AccountId',
        sender: 'AccountId',
        sender_identity_key: '[u8; 32]',
        one_time_key: '[u8; 32]',
        pre_key_message: 'Vec<u8>',
      },
    },
    { name: 'EnvResult', index: 2, fields: { worker: 'AccountId', one_time_key: '[u8; 32]', status: 'SetEnvStatus' } },
  ],
  errors: ['TooManyOneTimeKeys', 'DuplicateOneTimeKey', 'OneTimeKeyNotFound', 'WorkerHasNoOlmKeys', 'PreKeyMessageTooLong', 'EmptyPreKeyMessage'],
  storage: [
    { name: 'IdentityKeys', type: { hashers: ['Blake2_128Concat'], key: 'AccountId', value: '[u8; 32]' }, modifier: 'Optional' },
    {
      name: 'OneTimeKeys',
      type: { hashers: ['Blake2_128Concat'], key: 'AccountId', value: `BoundedVec<[u8; 32], ${MAX_ONE_TIME_KEYS}>` },
      modifier: 'Default',
    },
  ],
  constants: [
    { name: 'MaxOneTimeKeys', type: 'u32', value: MAX_ONE_TIME_KEYS },
    { name: 'MaxPreKeyMessageLen', type: 'u32', value: MAX_PRE_KEY_MESSAGE_LEN },
  ],
};
