import { toSs58 } from '../accounts.js';
import { defineCommand } from '../context.js';

export const newAccountCommand = defineCommand({
  command: 'new-account',
  describe: 'create a parentchain account in the keystore and print its SS58 address',
  async run(ctx) {
    const pair = await ctx.keystore.generate();
    const account = toSs58(pair.publicKey);
    return { human: [account], json: { account, keystore: ctx.keystore.dir } };
  },
});
