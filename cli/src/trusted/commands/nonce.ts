import { toSs58 } from '../../accounts.js';
import { defineCommand } from '../../context.js';
import { resolveTrustedSigner } from '../accounts.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

export const trustedNonceCommand = defineCommand<TrustedArgs & { account: string }>({
  command: 'nonce <account>',
  describe: 'incognito account nonce (trusted getter nonce; pending calls not included)',
  builder: (y) => y.positional('account', { type: 'string', describe: '//Seed or SS58 in the trusted keystore', demandOption: true }),
  async run(ctx, args) {
    const target = await resolveTarget(ctx, args);
    const account = await resolveTrustedSigner(ctx, target, args.account);
    const nonce = await target.worker.getNonce(target.shard, account);
    return { human: [String(nonce)], json: { account: toSs58(account.publicKey), shard: target.shardBase58, nonce } };
  },
});
