import type { PalletDefinition } from '../runtime/pallet.js';

/** Advertised like a 6 s chain (the api estimates block time as 2 × MinimumPeriod); not enforced in instant mode. */
export const MINIMUM_PERIOD_MS = 3000n;

export const TIMESTAMP_PALLET: PalletDefinition = {
  name: 'Timestamp',
  index: 1,
  crate: 'pallet_timestamp',
  calls: [
    {
      name: 'set',
      index: 0,
      args: [['now', 'Compact<Moment>']],
      origin: 'none',
      weight: 10_000_000n,
      class: 'Mandatory',
      paysFee: false,
      docs: ['Inherent: set the current time (first extrinsic of every block).'],
      handler: (ctx, { now }) => {
        ctx.storage.set('Timestamp', 'Now', [], BigInt(now as bigint));
        ctx.storage.set('Timestamp', 'DidUpdate', [], true);
      },
    },
  ],
  storage: [
    { name: 'Now', type: 'Moment', modifier: 'Default' },
    { name: 'DidUpdate', type: 'bool', modifier: 'Default' },
  ],
  constants: [{ name: 'MinimumPeriod', type: 'Moment', value: MINIMUM_PERIOD_MS }],
};
