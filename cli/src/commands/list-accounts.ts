import { toSs58 } from '../accounts.js';
import { defineCommand } from '../context.js';

export const listAccountsCommand = defineCommand({
  command: 'list-accounts',
  describe: 'list the parentchain accounts of the keystore',
  async run(ctx) {
    const accounts = (await ctx.keystore.list()).map(toSs58);
    return { human: accounts, json: { accounts, keystore: ctx.keystore.dir } };
  },
});
