import fs from 'node:fs/promises';
import path from 'node:path';
import { parseShard, shardToBase58 } from '@sealbridge/chain-types';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { runnerClient } from '../runner-client.js';
import { describeSmartWorker } from './worker-status.js';

interface DeployArgs {
  bundle: string;
  name?: string;
  type: string;
  config?: string;
  schedule?: string;
  shard?: string;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `cannot read ${what} ${file}: ${messageOf(error)}`, { cause: error });
  }
}

/** `--config` is inline JSON when it starts with `{`, else a JSON file. Whether it is an object is the runner's call. */
async function readConfig(value: string): Promise<unknown> {
  const inline = value.trimStart().startsWith('{');
  const text = inline ? value : await readText(value, 'config file');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `--config: ${inline ? 'inline config' : value} is not valid JSON: ${messageOf(error)}`, { cause: error });
  }
}

/** The shard label in base58: the STF looks workers up by the shard's base58 (or 0x-hex) label. */
function shardLabel(value: string): string {
  try {
    return shardToBase58(parseShard(value));
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `--shard: ${messageOf(error)}`, { cause: error });
  }
}

export const workerDeployCommand = defineCommand<DeployArgs>({
  command: 'deploy <bundle>',
  describe: 'deploy a bundled Smart Worker script to the runner; prints its id and identity',
  // Escrin's field name; the CLI config file of this command comes from SEALBRIDGE_CONFIG.
  ownsConfigFlag: true,
  builder: (y) =>
    y
      .positional('bundle', { type: 'string', describe: 'the bundled worker script (.js)', demandOption: true })
      .option('name', { type: 'string', describe: 'worker name, part of its identity [default: the file name]' })
      // No `choices`: the runner validates the type and its message is shown verbatim.
      .option('type', { type: 'string', default: 'module', describe: 'module (ES module, export default {…}) or classic (service worker)' })
      .option('config', { type: 'string', describe: 'the worker\'s config binding: inline JSON object or a JSON file (not the CLI config file here)' })
      .option('schedule', { type: 'string', describe: "cron expression for tasks(), e.g. '*/5 * * * *' (UTC)" })
      .option('shard', { type: 'string', describe: 'bind to this shard (base58 or 0x-hex) so trusted call-worker can reach it' }),
  async run(ctx, args) {
    const [code, config] = await Promise.all([readText(args.bundle, 'bundle'), args.config === undefined ? undefined : readConfig(args.config)]);
    const info = await runnerClient(ctx).deploy({
      code,
      type: args.type,
      name: args.name ?? path.basename(args.bundle),
      ...(config === undefined ? {} : { config }),
      ...(args.schedule === undefined ? {} : { schedule: args.schedule }),
      ...(args.shard === undefined ? {} : { shard: shardLabel(args.shard) }),
    });
    return {
      human: [`deployed Smart Worker ${info.id}`, ...describeSmartWorker(info).slice(1)],
      quiet: [info.id, info.identity],
      json: { ...info },
    };
  },
});
