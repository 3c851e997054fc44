import { resolveAccountId, toSs58 } from '../../accounts.js';
import { formatAmount, parseAmount } from '../../amount.js';
import { defineCommand } from '../../context.js';
import { resolveTrustedSigner } from '../accounts.js';
import { createTrustedCall, describeOutcome, sendTrustedCall } from '../submit.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

export const trustedTransferCommand = defineCommand<TrustedArgs & { from: string; to: string; amount: string }>({
  command: 'transfer <from> <to> <amount>',
  describe: 'transfer incognito funds (TrustedCall balance_transfer)',
  builder: (y) =>
    y
      .positional('from', { type: 'string', describe: 'incognito sender: //Seed or SS58 in the trusted keystore', demandOption: true })
      .positional('to', { type: 'string', describe: 'incognito recipient', demandOption: true })
      .positional('amount', { type: 'string', describe: 'e.g. 2UNIT', demandOption: true }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const to = resolveAccountId(args.to);
    const target = await resolveTarget(ctx, args);
    const from = await resolveTrustedSigner(ctx, target, args.from);
    const outcome = await sendTrustedCall(ctx, args, target, createTrustedCall({ balance_transfer: [from.publicKey, to, amount] }), from);
    return {
      human: [`transfer of ${formatAmount(amount)} from ${toSs58(from.publicKey)} to ${toSs58(to)}`, ...describeOutcome(outcome)],
      quiet: [outcome.topHash],
      json: { from: toSs58(from.publicKey), to: toSs58(to), amount, shard: target.shardBase58, ...outcome },
    };
  },
});
