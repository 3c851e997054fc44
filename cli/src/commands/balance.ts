import { resolveAccountId, toSs58 } from '../accounts.js';
import { formatAmount } from '../amount.js';
import { defineCommand } from '../context.js';

export const balanceCommand = defineCommand<{ account: string }>({
  command: 'balance <account>',
  describe: 'free balance of a parentchain account',
  builder: (y) => y.positional('account', { type: 'string', describe: '//Seed, mnemonic or SS58', demandOption: true }),
  async run(ctx, { account }) {
    const id = resolveAccountId(account);
    const api = await ctx.parentchain();
    const info = await api.query.system.account(id);
    const free = info.data.free.toBigInt();
    const reserved = info.data.reserved.toBigInt();
    return {
      human: [`${free} (${formatAmount(free)})`],
      quiet: [free.toString()],
      json: { account: toSs58(id), free, reserved, nonce: info.nonce.toNumber() },
    };
  },
});
