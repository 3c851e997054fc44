import path from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import type { WorkerClient } from '@sealbridge/client';
import type { GlobalOptions } from './config.js';
import { CliError, CliErrorCode, messageOf } from './errors.js';
import { Keystore } from './keystore.js';
import type { CommandResult, Output } from './output.js';
import { connectParentchain } from './parentchain.js';

/** What every command receives: resolved options, output, keystores and lazily opened connections. */
export interface Context {
  readonly options: GlobalOptions;
  readonly out: Output;
  readonly keystore: Keystore;
  /** Aborted on SIGINT/SIGTERM so long-running commands (listen, dev-chain, up) can shut down cleanly. */
  readonly signal: AbortSignal;
  trustedKeystore(shardBase58: string): Keystore;
  parentchain(): Promise<ApiPromise>;
  worker(): Promise<WorkerClient>;
  /** Registers a cleanup that runs after the command, in reverse order, even when it failed. */
  defer(cleanup: () => unknown): void;
}

/** A command: yargs metadata plus a body that returns its result (printed by main, once). */
export interface CommandSpec<A = Record<string, unknown>> {
  readonly command: string;
  readonly describe: string;
  readonly builder?: (y: import('yargs').Argv) => import('yargs').Argv;
  /** The command's own `--config` replaces the global one (the config file then comes from SEALBRIDGE_CONFIG only). */
  readonly ownsConfigFlag?: boolean;
  /**
   * A service (up, dev-chain, listen) that runs until SIGINT/SIGTERM and then shuts down by itself (exit 0); any
   * other command is abandoned at the signal (ERR_INTERRUPTED, exit 130/143).
   */
  readonly runsUntilStopped?: boolean;
  run(ctx: Context, args: A): Promise<CommandResult | undefined>;
}

/** Registers a command (keeps `args` typed per command while the list of commands stays homogeneous). */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<Record<string, unknown>> {
  return spec as unknown as CommandSpec<Record<string, unknown>>;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CommandContextHooks {
  /** Called once the parentchain connection is up (main adopts the chain's SS58 prefix). */
  readonly onParentchain?: (api: ApiPromise) => void;
}

export class CommandContext implements Context {
  readonly options: GlobalOptions;
  readonly out: Output;
  readonly keystore: Keystore;
  readonly signal: AbortSignal;
  readonly #hooks: CommandContextHooks;
  readonly #cleanups: (() => unknown)[] = [];
  #api?: Promise<ApiPromise>;
  #worker?: Promise<WorkerClient>;

  constructor(options: GlobalOptions, out: Output, signal: AbortSignal, hooks: CommandContextHooks = {}) {
    this.options = options;
    this.out = out;
    this.signal = signal;
    this.#hooks = hooks;
    this.keystore = new Keystore(options.keystore);
  }

  trustedKeystore(shardBase58: string): Keystore {
    return new Keystore(path.join(this.options.trustedKeystore, shardBase58));
  }

  parentchain(): Promise<ApiPromise> {
    this.#api ??= (async () => {
      const api = await connectParentchain(this.options.nodeUrl, this.options.connectTimeout * 1000, this.options.timeout * 1000);
      this.defer(() => api.disconnect());
      this.#hooks.onParentchain?.(api);
      return api;
    })();
    return this.#api;
  }

  worker(): Promise<WorkerClient> {
    this.#worker ??= (async () => {
      // Loaded on first use: parentchain-only commands never need the worker client.
      const { connectWorker } = await import('@sealbridge/client');
      const url = this.options.workerUrl;
      const unreachable = (why: string, cause?: unknown): CliError =>
        new CliError(CliErrorCode.WORKER_UNREACHABLE, `cannot connect to the worker at ${url}: ${why} — is the worker running?`, { cause });
      // The worker's TLS certificate is self-signed (as in Integritee); trust comes from attestation (verify-worker).
      const client = await withTimeout(
        connectWorker(url, { tls: 'insecure', timeoutMs: this.options.timeout * 1000 }).catch((error: unknown) => {
          if ((error as { code?: unknown }).code === 'WORKER_TLS_REQUIRED') throw new CliError(CliErrorCode.TLS_REQUIRED, messageOf(error), { cause: error });
          throw unreachable(messageOf(error), error);
        }),
        this.options.connectTimeout * 1000,
        () => unreachable(`no answer within ${this.options.connectTimeout} s`),
      );
      this.defer(() => client.close());
      return client;
    })();
    return this.#worker;
  }

  defer(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        this.out.debug(`cleanup failed: ${messageOf(error)}`);
      }
    }
  }
}
