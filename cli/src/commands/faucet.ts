import { createKeyring, resolveAccountId, toSs58 } from '../accounts.js';
import { formatAmount, parseAmount } from '../amount.js';
import { defineCommand } from '../context.js';
import { signAndWait, transferCall } from '../parentchain.js';

const FAUCET_SEED = '//Alice';

export const faucetCommand = defineCommand<{ accounts: string[]; amount: string }>({
  command: 'faucet <accounts..>',
  describe: `send funds from ${FAUCET_SEED} to one or more accounts (dev chains)`,
  builder: (y) =>
    y
      .positional('accounts', { type: 'string', array: true, describe: '//Seed or SS58 recipients', demandOption: true })
      .option('amount', { type: 'string', default: '10UNIT', describe: 'amount per account' }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const recipients = args.accounts.map(resolveAccountId);
    const alice = createKeyring().addFromUri(FAUCET_SEED);
    const api = await ctx.parentchain();
    const first = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    // Explicit consecutive nonces let all transfers go into the pool at once.
    const inclusions = await Promise.all(
      recipients.map((to, i) => signAndWait(api, transferCall(api, to, amount), alice, 'InBlock', ctx.options.timeout * 1000, first + i)),
    );
    const funded = recipients.map((to, i) => ({ account: toSs58(to), amount, blockNumber: inclusions[i].blockNumber, blockHash: inclusions[i].blockHash }));
    return {
      human: funded.map((f) => `faucet: sent ${formatAmount(amount)} to ${f.account} in block #${f.blockNumber}`),
      quiet: funded.map((f) => f.account),
      json: { from: toSs58(alice.publicKey), funded },
    };
  },
});
