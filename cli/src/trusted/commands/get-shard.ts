import { base58Encode } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { toBytes } from '../../bytes.js';
import { defineCommand } from '../../context.js';

export const trustedGetShardCommand = defineCommand({
  command: 'get-shard',
  describe: "the shard the worker operates (author_getShard), base58",
  async run(ctx) {
    const shard = toBytes(await (await ctx.worker()).getShard());
    return { human: [base58Encode(shard)], json: { shard: base58Encode(shard), shardHex: u8aToHex(shard) } };
  },
});
