import { resolveAccountId, toSs58 } from '../../accounts.js';
import { formatAmount, parseAmount } from '../../amount.js';
import { defineCommand } from '../../context.js';
import { resolveTrustedSigner } from '../accounts.js';
import { createTrustedCall, describeOutcome, sendTrustedCall } from '../submit.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

export const trustedUnshieldFundsCommand = defineCommand<TrustedArgs & { from: string; to: string; amount: string }>({
  command: 'unshield-funds <from> <to> <amount>',
  describe: 'move incognito funds back to a parentchain account (TrustedCall balance_unshield)',
  builder: (y) =>
    y
      .positional('from', { type: 'string', describe: 'incognito sender', demandOption: true })
      .positional('to', { type: 'string', describe: 'parentchain beneficiary', demandOption: true })
      .positional('amount', { type: 'string', describe: 'e.g. 1UNIT', demandOption: true }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const to = resolveAccountId(args.to);
    const target = await resolveTarget(ctx, args);
    const from = await resolveTrustedSigner(ctx, target, args.from);
    const call = createTrustedCall({ balance_unshield: [from.publicKey, to, amount, target.shard] });
    const outcome = await sendTrustedCall(ctx, args, target, call, from);
    return {
      human: [`unshield ${formatAmount(amount)} from ${toSs58(from.publicKey)} to ${toSs58(to)}`, ...describeOutcome(outcome)],
      quiet: [outcome.topHash],
      json: { from: toSs58(from.publicKey), to: toSs58(to), amount, shard: target.shardBase58, ...outcome },
    };
  },
});
