import { toSs58 } from '../../accounts.js';
import { formatAmount } from '../../amount.js';
import { defineCommand } from '../../context.js';
import { resolveTrustedSigner } from '../accounts.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

export const trustedBalanceCommand = defineCommand<TrustedArgs & { account: string }>({
  command: 'balance <account>',
  describe: 'incognito free balance (trusted getter free_balance, signed by the account; 0 when it has no state)',
  builder: (y) => y.positional('account', { type: 'string', describe: '//Seed or SS58 in the trusted keystore', demandOption: true }),
  async run(ctx, args) {
    const target = await resolveTarget(ctx, args);
    const account = await resolveTrustedSigner(ctx, target, args.account);
    // No state for the account → None → 0 (integritee-cli); transport and signature errors propagate.
    const free = await target.worker.getFreeBalance(target.shard, account);
    return {
      human: [`${free} (${formatAmount(free)})`],
      quiet: [free.toString()],
      json: { account: toSs58(account.publicKey), shard: target.shardBase58, free },
    };
  },
});
