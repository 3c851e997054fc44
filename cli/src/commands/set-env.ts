import { prepareSetEnv, resolveEnvTarget, waitForEnvResult, ENV_NAME_PATTERN } from '@sealbridge/worker';
import { shardToBase58 } from '@sealbridge/chain-types';
import { resolveSigner, toSs58 } from '../accounts.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { signAndWait } from '../parentchain.js';

/** `NAME=VALUE` assignments (an empty VALUE is a value) plus names to delete. */
export function parseAssignments(assignments: string[], unset: string[]): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  const add = (name: string, value: string | null) => {
    if (!ENV_NAME_PATTERN.test(name)) throw new CliError(CliErrorCode.BAD_INPUT, `expected NAME=VALUE with NAME matching ${ENV_NAME_PATTERN}`);
    if (name in env) throw new CliError(CliErrorCode.BAD_INPUT, `${name} is given twice`);
    env[name] = value;
  };
  for (const item of assignments) {
    const at = item.indexOf('=');
    if (at < 0) throw new CliError(CliErrorCode.BAD_INPUT, 'expected NAME=VALUE (the value is not echoed)');
    add(item.slice(0, at), item.slice(at + 1));
  }
  for (const name of unset) add(name, null);
  if (Object.keys(env).length === 0) throw new CliError(CliErrorCode.BAD_INPUT, 'nothing to set: give NAME=VALUE or --unset NAME');
  return env;
}

export const setEnvCommand = defineCommand<{ target: string; assignments: string[]; unset: string[]; from: string; shard?: string }>({
  command: 'set-env <target> [assignments..]',
  describe: 'send env secrets end-to-end encrypted (Olm v1) to a worker\'s Smart Workers (WorkerEnv.set_env; waits for the worker\'s EnvResult)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'worker enclave account (SS58/0x) or shard (0x)', demandOption: true })
      .positional('assignments', { type: 'string', array: true, describe: 'NAME=VALUE to set' })
      .option('unset', { type: 'string', array: true, default: [], describe: 'NAME to delete (repeatable)' })
      .option('from', { type: 'string', default: '//Alice', describe: 'signer of the extrinsic (owns the names it sets)' })
      .option('shard', { type: 'string', describe: 'shard (0x-hex) when <target> is a worker with a non-default shard' }),
  async run(ctx, args) {
    const env = parseAssignments(args.assignments ?? [], args.unset);
    const from = await resolveSigner(args.from, ctx.keystore);
    const api = await ctx.parentchain();
    const timeoutMs = ctx.options.timeout * 1000;
    let prepared;
    let target;
    try {
      target = await resolveEnvTarget(api, args.target, args.shard);
      prepared = await prepareSetEnv(api, { ...target, sender: from.publicKey, env });
    } catch (error) {
      throw new CliError(CliErrorCode.BAD_INPUT, messageOf(error), { cause: error });
    }
    const inclusion = await signAndWait(api, prepared.tx, from, 'InBlock', timeoutMs);
    const spinner = ctx.out.spinner(`waiting for the worker to acknowledge (block #${inclusion.blockNumber})`);
    const status = await waitForEnvResult(api, target.worker, prepared.oneTimeKey, inclusion.blockNumber, timeoutMs)
      .catch((error: unknown) => {
        throw new CliError(CliErrorCode.TIMEOUT, messageOf(error), { cause: error });
      })
      .finally(() => spinner.stop());
    if (status !== 'Stored') throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `the worker rejected the env message: ${status}`);
    const names = Object.keys(env);
    return {
      human: [`${names.length} variable(s) stored by worker ${toSs58(target.worker)} for shard ${shardToBase58(target.shard)}: ${names.join(', ')}`],
      quiet: [inclusion.extrinsicHash],
      json: { worker: toSs58(target.worker), shard: shardToBase58(target.shard), names, status, extrinsicHash: inclusion.extrinsicHash, blockNumber: inclusion.blockNumber },
    };
  },
});
