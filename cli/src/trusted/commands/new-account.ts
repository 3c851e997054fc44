import { toSs58 } from '../../accounts.js';
import { defineCommand } from '../../context.js';
import type { TrustedArgs } from '../target.js';
import { resolveShardOnly } from '../target.js';

export const trustedNewAccountCommand = defineCommand<TrustedArgs>({
  command: 'new-account',
  describe: "create an incognito account in the shard's trusted keystore and print its SS58 address",
  async run(ctx, args) {
    const { shardBase58, keystore } = await resolveShardOnly(ctx, args);
    const account = toSs58((await keystore.generate()).publicKey);
    return { human: [account], json: { account, shard: shardBase58, keystore: keystore.dir } };
  },
});
