import { u8aEq } from '@polkadot/util';

import type { EnumValue } from '@sealbridge/chain-types';
import type { DispatchContext, PalletDefinition, StorageAccess } from '../runtime/pallet.js';

import { getAccount, putAccount } from './system.js';

/** 1 mTEER (TEER has 12 decimals). */
export const EXISTENTIAL_DEPOSIT = 1_000_000_000n;

/** What fee withdrawal and transfers need: storage plus an event sink. */
export type BalancesSink = Pick<DispatchContext, 'storage' | 'deposit' | 'fail' | 'failWith' | 'params'>;

export function lookupAddress(ctx: Pick<DispatchContext, 'failWith'>, address: unknown): Uint8Array {
  const a = address as EnumValue;
  if ((a.name === 'Id' || a.name === 'Address32') && a.value instanceof Uint8Array) return a.value;
  return ctx.failWith({ name: 'CannotLookup' });
}

function addIssuance(storage: StorageAccess, delta: bigint): void {
  storage.set('Balances', 'TotalIssuance', [], (storage.get('Balances', 'TotalIssuance') as bigint) + delta);
}

/** Credits `amount` to `who`, creating the account (NewAccount + Endowed) when it does not exist yet. */
function credit(ctx: BalancesSink, who: Uint8Array, amount: bigint): void {
  const info = getAccount(ctx.storage, who);
  if (info.providers === 0) {
    if (amount < ctx.params.existentialDeposit) ctx.fail('Balances', 'ExistentialDeposit');
    info.providers = 1;
    ctx.deposit('System', 'NewAccount', { account: who });
    ctx.deposit('Balances', 'Endowed', { account: who, free_balance: amount });
  }
  info.data.free += amount;
  putAccount(ctx.storage, who, info);
}

/**
 * Debits `amount`; below the existential deposit the account is reaped (DustLost + KilledAccount) unless
 * `keepAlive`, which fails with `Expendability` instead.
 */
function debit(ctx: BalancesSink, who: Uint8Array, amount: bigint, keepAlive: boolean): void {
  const info = getAccount(ctx.storage, who);
  if (info.data.free < amount) ctx.fail('Balances', 'InsufficientBalance');
  const remaining = info.data.free - amount;
  if (remaining < ctx.params.existentialDeposit) {
    if (keepAlive) ctx.fail('Balances', 'Expendability');
    if (remaining > 0n) {
      ctx.deposit('Balances', 'DustLost', { account: who, amount: remaining });
      addIssuance(ctx.storage, -remaining);
    }
    info.data.free = 0n;
    info.providers = 0;
    putAccount(ctx.storage, who, info);
    ctx.deposit('System', 'KilledAccount', { account: who });
    return;
  }
  info.data.free = remaining;
  putAccount(ctx.storage, who, info);
}

export function transfer(ctx: BalancesSink, from: Uint8Array, to: Uint8Array, amount: bigint, keepAlive: boolean): void {
  if (amount === 0n || u8aEq(from, to)) return;
  debit(ctx, from, amount, keepAlive);
  credit(ctx, to, amount);
  ctx.deposit('Balances', 'Transfer', { from, to, amount });
}

/** Fee withdrawal (burned; the dev chain has no treasury/author): keeps the payer alive like pallet-transaction-payment. */
export function withdrawFee(ctx: BalancesSink, who: Uint8Array, fee: bigint): void {
  if (fee === 0n) return;
  debit(ctx, who, fee, true);
  addIssuance(ctx.storage, -fee);
  ctx.deposit('Balances', 'Withdraw', { who, amount: fee });
}

/** Whether `who` can pay `fee` and stay above the existential deposit (pool-side check). */
export function canPayFee(storage: StorageAccess, who: Uint8Array, fee: bigint, existentialDeposit: bigint): boolean {
  const info = getAccount(storage, who);
  return info.providers > 0 && info.data.free >= fee + existentialDeposit;
}

const TRANSFER_ARGS: [string, string][] = [
  ['dest', 'MultiAddress'],
  ['value', 'Compact<Balance>'],
];

export const BALANCES_PALLET: PalletDefinition = {
  name: 'Balances',
  index: 10,
  crate: 'pallet_balances',
  calls: [
    {
      name: 'transfer_allow_death',
      index: 0,
      args: TRANSFER_ARGS,
      origin: 'signed',
      weight: 200_000_000n,
      handler: (ctx, { dest, value }) => transfer(ctx, ctx.ensureSigned(), lookupAddress(ctx, dest), BigInt(value as bigint), false),
    },
    {
      name: 'force_transfer',
      index: 2,
      args: [['source', 'MultiAddress'], ...TRANSFER_ARGS],
      origin: 'root',
      weight: 200_000_000n,
      handler: (ctx, { source, dest, value }) => transfer(ctx, lookupAddress(ctx, source), lookupAddress(ctx, dest), BigInt(value as bigint), false),
    },
    {
      name: 'transfer_keep_alive',
      index: 3,
      args: TRANSFER_ARGS,
      origin: 'signed',
      weight: 160_000_000n,
      handler: (ctx, { dest, value }) => transfer(ctx, ctx.ensureSigned(), lookupAddress(ctx, dest), BigInt(value as bigint), true),
    },
    {
      name: 'transfer_all',
      index: 4,
      args: [['dest', 'MultiAddress'], ['keep_alive', 'bool']],
      origin: 'signed',
      weight: 200_000_000n,
      handler: (ctx, { dest, keep_alive }) => {
        const who = ctx.ensureSigned();
        const free = getAccount(ctx.storage, who).data.free;
        const amount = keep_alive ? free - ctx.params.existentialDeposit : free;
        if (amount > 0n) transfer(ctx, who, lookupAddress(ctx, dest), amount, keep_alive as boolean);
      },
    },
    {
      name: 'force_set_balance',
      index: 8,
      args: [['who', 'MultiAddress'], ['new_free', 'Compact<Balance>']],
      origin: 'root',
      weight: 100_000_000n,
      handler: (ctx, { who: address, new_free }) => {
        const who = lookupAddress(ctx, address);
        const target = BigInt(new_free as bigint);
        const free = getAccount(ctx.storage, who).data.free;
        const effective = target < ctx.params.existentialDeposit ? 0n : target;
        if (effective > free) {
          credit(ctx, who, effective - free);
          addIssuance(ctx.storage, effective - free);
        } else if (effective < free) {
          debit(ctx, who, free - effective, false);
          addIssuance(ctx.storage, -(free - effective));
        }
        ctx.deposit('Balances', 'BalanceSet', { who, free: effective });
      },
    },
  ],
  events: [
    { name: 'Endowed', index: 0, fields: { account: 'AccountId', free_balance: 'Balance' } },
    { name: 'DustLost', index: 1, fields: { account: 'AccountId', amount: 'Balance' } },
    { name: 'Transfer', index: 2, fields: { from: 'AccountId', to: 'AccountId', amount: 'Balance' } },
    { name: 'BalanceSet', index: 3, fields: { who: 'AccountId', free: 'Balance' } },
    { name: 'Deposit', index: 7, fields: { who: 'AccountId', amount: 'Balance' } },
    { name: 'Withdraw', index: 8, fields: { who: 'AccountId', amount: 'Balance' } },
  ],
  errors: [
    'VestingBalance',
    'LiquidityRestrictions',
    'InsufficientBalance',
    'ExistentialDeposit',
    'Expendability',
    'ExistingVestingSchedule',
    'DeadAccount',
    'TooManyReserves',
    'TooManyHolds',
    'TooManyFreezes',
    'IssuanceDeactivated',
    'DeltaZero',
  ],
  storage: [
    { name: 'TotalIssuance', type: 'Balance', modifier: 'Default' },
    { name: 'InactiveIssuance', type: 'Balance', modifier: 'Default' },
  ],
  constants: [
    { name: 'ExistentialDeposit', type: 'Balance', value: EXISTENTIAL_DEPOSIT },
    { name: 'MaxLocks', type: 'u32', value: 50 },
    { name: 'MaxReserves', type: 'u32', value: 50 },
    { name: 'MaxFreezes', type: 'u32', value: 0 },
  ],
  genesis: ({ storage, endowed }) => {
    let issuance = 0n;
    for (const { account, free } of endowed) {
      const info = getAccount(storage, account);
      info.providers = 1;
      info.data.free += free;
      putAccount(storage, account, info);
      issuance += free;
    }
    storage.set('Balances', 'TotalIssuance', [], issuance);
  },
};
