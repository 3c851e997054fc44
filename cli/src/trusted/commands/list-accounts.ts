import { toSs58 } from '../../accounts.js';
import { defineCommand } from '../../context.js';
import type { TrustedArgs } from '../target.js';
import { resolveShardOnly } from '../target.js';

export const trustedListAccountsCommand = defineCommand<TrustedArgs>({
  command: 'list-accounts',
  describe: "list the incognito accounts of the shard's trusted keystore",
  async run(ctx, args) {
    const { shardBase58, keystore } = await resolveShardOnly(ctx, args);
    const accounts = (await keystore.list()).map(toSs58);
    return { human: accounts, json: { accounts, shard: shardBase58, keystore: keystore.dir } };
  },
});
