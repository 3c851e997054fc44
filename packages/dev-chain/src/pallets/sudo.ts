import { u8aEq } from '@polkadot/util';

import type { CallValue, DispatchContext, PalletDefinition } from '../runtime/pallet.js';

import { lookupAddress } from './balances.js';

function ensureSudo(ctx: DispatchContext): Uint8Array {
  const who = ctx.ensureSigned();
  const key = ctx.storage.get('Sudo', 'Key') as Uint8Array | undefined;
  if (!key || !u8aEq(key, who)) ctx.fail('Sudo', 'RequireSudo');
  return who;
}

const dispatchResult = (error: ReturnType<DispatchContext['dispatch']>) => (error ? { name: 'Err', value: error } : { name: 'Ok', value: null });

export const SUDO_PALLET: PalletDefinition = {
  name: 'Sudo',
  index: 11,
  crate: 'pallet_sudo',
  types: {
    DispatchResult: { alias: 'Result<(), DispatchError>' },
  },
  calls: [
    {
      name: 'sudo',
      index: 0,
      args: [['call', 'Box<RuntimeCall>']],
      origin: 'signed',
      weight: (args, weightOf) => 10_000_000n + weightOf(args.call as CallValue),
      handler: (ctx, { call }) => {
        ensureSudo(ctx);
        ctx.deposit('Sudo', 'Sudid', { sudo_result: dispatchResult(ctx.dispatch(call as CallValue, { kind: 'root' })) });
      },
    },
    {
      name: 'set_key',
      index: 2,
      args: [['new', 'MultiAddress']],
      origin: 'signed',
      weight: 10_000_000n,
      handler: (ctx, args) => {
        const old = ensureSudo(ctx);
        const next = lookupAddress(ctx, args.new);
        ctx.storage.set('Sudo', 'Key', [], next);
        ctx.deposit('Sudo', 'KeyChanged', { old, new: next });
      },
    },
    {
      name: 'sudo_as',
      index: 3,
      args: [['who', 'MultiAddress'], ['call', 'Box<RuntimeCall>']],
      origin: 'signed',
      weight: (args, weightOf) => 10_000_000n + weightOf(args.call as CallValue),
      handler: (ctx, { who, call }) => {
        ensureSudo(ctx);
        ctx.deposit('Sudo', 'SudoAsDone', { sudo_result: dispatchResult(ctx.dispatch(call as CallValue, { kind: 'signed', who: lookupAddress(ctx, who) })) });
      },
    },
  ],
  events: [
    { name: 'Sudid', index: 0, fields: { sudo_result: 'DispatchResult' } },
    { name: 'KeyChanged', index: 1, fields: { old: 'Option<AccountId>', new: 'AccountId' } },
    { name: 'KeyRemoved', index: 2 },
    { name: 'SudoAsDone', index: 3, fields: { sudo_result: 'DispatchResult' } },
  ],
  errors: ['RequireSudo'],
  storage: [{ name: 'Key', type: 'AccountId', modifier: 'Optional' }],
  genesis: ({ storage, sudoKey }) => {
    if (sudoKey) storage.set('Sudo', 'Key', [], sudoKey);
  },
};
