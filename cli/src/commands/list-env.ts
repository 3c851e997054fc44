import { sealbridgeRegistry, shardToBase58, signTrustedGetter } from '@sealbridge/chain-types';
import { resolveEnvTarget } from '@sealbridge/worker';
import { resolveSigner, toSs58 } from '../accounts.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';

export const listEnvCommand = defineCommand<{ target: string; from: string; shard?: string }>({
  command: 'list-env <target>',
  describe: 'names (never values) of the env variables --from has set, via the signed env_names getter of the worker',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'worker enclave account (SS58/0x) or shard (0x)', demandOption: true })
      .option('from', { type: 'string', default: '//Alice', describe: 'account whose names are listed (signs the getter)' })
      .option('shard', { type: 'string', describe: 'shard (0x-hex) when <target> is a worker with a non-default shard' }),
  async run(ctx, args) {
    const from = await resolveSigner(args.from, ctx.keystore);
    const [api, worker] = await Promise.all([ctx.parentchain(), ctx.worker()]);
    const target = await resolveEnvTarget(api, args.target, args.shard).catch((error: unknown) => {
      throw new CliError(CliErrorCode.BAD_INPUT, messageOf(error), { cause: error });
    });
    const getter = sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(from, { env_names: [from.publicKey, target.shard] }) }).toU8a();
    const bytes = await worker.executeGetter(target.shard, getter);
    const names = bytes ? (sealbridgeRegistry.createType('Vec<Text>', bytes).toJSON() as string[]) : [];
    return {
      human: names.length ? names : [`no variables set by ${toSs58(from.publicKey)}`],
      quiet: names,
      json: { account: toSs58(from.publicKey), worker: toSs58(target.worker), shard: shardToBase58(target.shard), names },
    };
  },
});
