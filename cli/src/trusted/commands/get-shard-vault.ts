import { toSs58 } from '../../accounts.js';
import { toBytes } from '../../bytes.js';
import { defineCommand } from '../../context.js';

export const trustedGetShardVaultCommand = defineCommand({
  command: 'get-shard-vault',
  describe: "the shard vault account on the parentchain (author_getShardVault), SS58",
  async run(ctx) {
    const vault = await (await ctx.worker()).getShardVault();
    const account = toSs58(toBytes(vault.account));
    return { human: [account], json: { account, parentchainId: String(vault.parentchainId) } };
  },
});
