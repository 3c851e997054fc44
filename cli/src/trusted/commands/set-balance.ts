import { createKeyring, resolveAccountId, toSs58 } from '../../accounts.js';
import { formatAmount, parseAmount } from '../../amount.js';
import { defineCommand } from '../../context.js';
import { createTrustedCall, describeOutcome, sendTrustedCall } from '../submit.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

/** The STF sudo key of dev shards, as in integritee-cli (`balance_set_balance` is a root call). */
const ROOT_SEED = '//Alice';

export const trustedSetBalanceCommand = defineCommand<TrustedArgs & { account: string; amount: string }>({
  command: 'set-balance <account> <amount>',
  describe: `set an incognito free balance (root call signed by ${ROOT_SEED}; dev shards only)`,
  builder: (y) =>
    y
      .positional('account', { type: 'string', describe: 'incognito account', demandOption: true })
      .positional('amount', { type: 'string', describe: 'new free balance, e.g. 50UNIT', demandOption: true }),
  async run(ctx, args) {
    // A balance of zero is a value to set, not a movement of funds.
    const amount = parseAmount(args.amount, { allowZero: true });
    const who = resolveAccountId(args.account);
    const target = await resolveTarget(ctx, args);
    const root = createKeyring().addFromUri(ROOT_SEED);
    const outcome = await sendTrustedCall(ctx, args, target, createTrustedCall({ balance_set_balance: [root.publicKey, who, amount, 0n] }), root);
    return {
      human: [`set balance of ${toSs58(who)} to ${formatAmount(amount)}`, ...describeOutcome(outcome)],
      quiet: [outcome.topHash],
      json: { account: toSs58(who), amount, shard: target.shardBase58, ...outcome },
    };
  },
});
