import fs from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { adoptChainSs58Prefix, useSs58Prefix } from './accounts.js';
import { defaultOf, GLOBAL_OPTIONS, resolveGlobalOptions } from './config.js';
import type { OptionSources } from './config.js';
import type { CommandSpec } from './context.js';
import { CommandContext } from './context.js';
import type { Environment } from './env.js';
import { configDirectory, environment } from './env.js';
import { CliError, CliErrorCode } from './errors.js';
import type { OutputStreams } from './output.js';
import { Output } from './output.js';
import { parentchainCommands, stackCommands } from './commands/index.js';
import { runWorker, workerRunArgs, workerSubcommands, workerUsage } from './commands/worker.js';
import { trustedCommands, trustedOptions } from './trusted/index.js';
import { interruptedExitCode, interruptible } from './signals.js';

// The CommonJS build of yargs: its help wraps at word boundaries (the ES module build's cliui cuts words anywhere).
const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

export interface MainOptions {
  readonly env?: Environment;
  readonly streams?: OutputStreams;
  /** Aborts long-running commands; bin.ts wires it to SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

// yargs cannot locate package.json from an ES module; read the version next to dist/.
const VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** After Ctrl-C, how long cleanups (closing connections) may take before the process exits anyway. */
const CLEANUP_GRACE_MS = 100;

// yargs reads `-1UNIT` as the short flags -1 -U -N -I -T ("Not enough non-option arguments"). No option starts with
// a digit, so such a token is a value: it is hidden from yargs behind a NUL, which no argv string can contain, and
// restored before the command sees it (the amount parser then says it is negative). Plain negative numbers are
// values to yargs already.
const NUMBER_LIKE = /^-\.?\d/;
const YARGS_NEGATIVE = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;
const HIDDEN = '\0';
const hideNumberLikeTokens = (argv: readonly string[]): string[] =>
  argv.map((token) => (NUMBER_LIKE.test(token) && !YARGS_NEGATIVE.test(token) ? HIDDEN + token : token));
const reveal = (value: unknown): unknown => (typeof value === 'string' && value.startsWith(HIDDEN) ? value.slice(1) : value);
function revealNumberLikeTokens(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, Array.isArray(value) ? value.map(reveal) : reveal(value)]));
}

function addGlobalOptions(y: Argv): Argv {
  const configDir = configDirectory();
  for (const [key, spec] of Object.entries(GLOBAL_OPTIONS)) {
    // No yargs defaults: an absent flag must stay undefined so env and config file can supply the value.
    const value = defaultOf(key as keyof typeof GLOBAL_OPTIONS, configDir);
    const shown = value === '' ? 'none' : String(value);
    y.option(spec.flag, { type: spec.type, describe: `${spec.describe} [default: ${shown}]`, global: true });
  }
  return y.option('config', { type: 'string', describe: 'JSON file with option defaults (keys: nodeUrl, workerUrl, …)', global: true });
}

/** Parses argv, runs one command and returns the process exit code. Help and usage errors are handled here too. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? environment;
  const signal = options.signal ?? new AbortController().signal;
  const wantsJson = argv.includes('--json');
  const workerArgs = workerRunArgs(argv);
  if (workerArgs) return runWorker(workerArgs);
  // Loaded only for help: importing @sealbridge/worker costs startup time every other command does not need.
  const workerEpilogue = argv.includes('worker') && (argv.includes('--help') || argv.includes('-h')) ? await workerUsage() : '';
  let exitCode = 0;

  const register = (spec: CommandSpec, y: Argv): Argv =>
    y.command(spec.command, spec.describe, spec.builder ?? ((b) => b), async (parsed) => {
      const args = revealNumberLikeTokens(parsed);
      const flags: OptionSources & { config?: string } = { config: spec.ownsConfigFlag ? undefined : (args.config as string | undefined) };
      for (const key of Object.keys(GLOBAL_OPTIONS) as (keyof typeof GLOBAL_OPTIONS)[]) flags[key] = args[key];
      let out = new Output({ json: wantsJson, quiet: false, verbose: argv.includes('--verbose') }, options.streams);
      let ctx: CommandContext | undefined;
      let interrupted = false;
      try {
        const resolved = resolveGlobalOptions(flags, env);
        useSs58Prefix(resolved.ss58Prefix);
        out = new Output(resolved, options.streams);
        await cryptoWaitReady();
        ctx = new CommandContext(resolved, out, signal, { onParentchain: (api) => adoptChainSs58Prefix(api.registry.chainSS58) });
        // A service (up, dev-chain, listen) ends on the signal by itself; any other command stops waiting at once.
        const running = spec.run(ctx, args);
        const result = spec.runsUntilStopped ? await running : await interruptible(running, signal);
        if (result) out.result(result);
      } catch (error) {
        interrupted = error instanceof CliError && error.code === CliErrorCode.INTERRUPTED;
        out.error(error);
        exitCode = interrupted ? interruptedExitCode(signal) : 1;
      } finally {
        const closing = ctx?.close();
        await (interrupted ? Promise.race([closing, sleep(CLEANUP_GRACE_MS)]) : closing);
      }
    });

  const parser = addGlobalOptions(yargs(hideNumberLikeTokens(argv)))
    .scriptName('sealbridge')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nIntegritee-compatible command-line client for Sealbridge (integritee-cli command names).')
    .exitProcess(false)
    .strictCommands()
    .demandCommand(1, 'no command given; see sealbridge --help')
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .fail((message, error) => {
      throw error ?? new CliError(CliErrorCode.BAD_INPUT, message);
    });
  for (const spec of [...parentchainCommands, ...stackCommands]) register(spec, parser);
  parser.command('worker', 'run a worker, or deploy and manage Smart Workers on its runner (sealbridge worker --help)', (y) => {
    let sub = y.usage('$0 worker <command> [options]   (Smart Workers on the runner at --runner-url)').epilogue(workerEpilogue);
    for (const spec of workerSubcommands) sub = register(spec, sub);
    return sub;
  });
  parser.command('trusted', 'trusted (incognito) calls and getters on the worker; see sealbridge trusted --help', (y) => {
    let sub = trustedOptions(y).usage('$0 trusted [--mrenclave X] [--shard S] [--xt-signer //Alice] [--direct] <command>');
    for (const spec of trustedCommands) sub = register(spec, sub);
    return sub.demandCommand(1, 'no trusted command given; see sealbridge trusted --help');
  });

  try {
    await parser.parseAsync();
  } catch (error) {
    new Output({ json: wantsJson, quiet: false, verbose: argv.includes('--verbose') }, options.streams).error(error);
    return 2;
  }
  return exitCode;
}
