import { GLOBAL_OPTIONS } from '../config.js';
import type { CommandSpec } from '../context.js';

/**
 * `sealbridge worker <verb>` subcommands (Smart Worker deployment: deploy, list, status, remove, logs), registered
 * as noun-verb yargs commands. Without a known verb, `sealbridge worker [options]` runs the worker itself.
 */
export const workerSubcommands: readonly CommandSpec[] = [];

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
    return workerSubcommands.some((c) => c.command.split(' ')[0] === rest[0]) ? undefined : rest;
  }
  return undefined;
}

/** Runs the same entry point as the `sealbridge-worker` binary. */
export async function runWorker(args: readonly string[]): Promise<number> {
  const { runWorkerCli } = await import('@sealbridge/worker');
  return (await runWorkerCli([...args])) ?? 0;
}
