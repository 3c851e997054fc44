import { GLOBAL_OPTIONS } from '../config.js';
import type { CommandSpec } from '../context.js';
import { workerDeployCommand } from './worker-deploy.js';
import { workerListCommand } from './worker-list.js';
import { workerLogsCommand } from './worker-logs.js';
import { workerRemoveCommand } from './worker-remove.js';
import { workerStatusCommand } from './worker-status.js';

/**
 * `sealbridge worker <verb>` subcommands (Smart Worker deployment: deploy, list, status, remove, logs), registered
 * as noun-verb yargs commands. Without a known verb, `sealbridge worker [options]` runs the worker itself.
 */
export const workerSubcommands: readonly CommandSpec[] = [
  workerDeployCommand,
  workerListCommand,
  workerStatusCommand,
  workerRemoveCommand,
  workerLogsCommand,
];

const VALUE_FLAGS = new Set(
  [...Object.values(GLOBAL_OPTIONS).filter((o) => o.type !== 'boolean').map((o) => `--${o.flag}`), '--config'],
);

/**
 * When argv names the worker itself (`[global options] worker [worker options]`), the arguments after `worker`
 * for the worker's own parser; undefined for every other command (including `worker <verb>`).
 */
export function workerRunArgs(argv: readonly string[]): string[] | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token.startsWith('-')) {
      if (VALUE_FLAGS.has(token)) i++;
      continue;
    }
    if (token !== 'worker') return undefined;
    const rest = argv.slice(i + 1);
    if (workerSubcommands.some((c) => c.command.split(' ')[0] === rest[0])) return undefined;
    // `worker --help` goes to yargs, which lists the subcommands and then the worker's options (workerUsage).
    return rest.includes('--help') || rest.includes('-h') ? undefined : rest;
  }
  return undefined;
}

/** Runs the same entry point as the `sealbridge-worker` binary. */
export async function runWorker(args: readonly string[]): Promise<number> {
  const { runWorkerCli } = await import('@sealbridge/worker');
  return (await runWorkerCli([...args])) ?? 0;
}

/** The worker's own options (`sealbridge-worker --help`), for the help text of `sealbridge worker`. */
export async function workerUsage(): Promise<string> {
  const { WORKER_USAGE } = await import('@sealbridge/worker');
  return WORKER_USAGE.replace(/^Usage: sealbridge-worker \[options\]/, 'Without a command, runs a worker: sealbridge worker [worker options]');
}
