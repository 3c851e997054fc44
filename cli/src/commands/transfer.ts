import { resolveAccountId, resolveSigner, toSs58 } from '../accounts.js';
import { formatAmount, parseAmount } from '../amount.js';
import { defineCommand } from '../context.js';
import { signAndWait, transferCall } from '../parentchain.js';

export const transferCommand = defineCommand<{ from: string; to: string; amount: string }>({
  command: 'transfer <from> <to> <amount>',
  describe: 'transfer funds on the parentchain (waits for InBlock)',
  builder: (y) =>
    y
      .positional('from', { type: 'string', describe: 'sender: //Seed, mnemonic or SS58 in the keystore', demandOption: true })
      .positional('to', { type: 'string', describe: 'recipient: //Seed or SS58', demandOption: true })
      .positional('amount', { type: 'string', describe: 'e.g. 6UNIT, 0.2UNIT or an integer in the smallest unit', demandOption: true }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const to = resolveAccountId(args.to);
    const from = await resolveSigner(args.from, ctx.keystore);
    const api = await ctx.parentchain();
    const inclusion = await signAndWait(api, transferCall(api, to, amount), from, 'InBlock', ctx.options.timeout * 1000);
    const free = (await api.query.system.account(to)).data.free.toBigInt();
    return {
      human: [
        `transferred ${formatAmount(amount)} from ${toSs58(from.publicKey)} to ${toSs58(to)} in block #${inclusion.blockNumber} ${inclusion.blockHash}`,
        `new balance of ${toSs58(to)}: ${free} (${formatAmount(free)})`,
      ],
      quiet: [inclusion.extrinsicHash],
      json: {
        from: toSs58(from.publicKey), to: toSs58(to), amount, extrinsicHash: inclusion.extrinsicHash,
        blockHash: inclusion.blockHash, blockNumber: inclusion.blockNumber, toFree: free,
      },
    };
  },
});
