import { base58Encode } from '@polkadot/util-crypto';
import type { Logger } from '@sealbridge/chain-types/log';
import { toBytes } from './bytes.js';

/** The log components of the stack's two services, named as their own binaries name them. */
export type StackSource = 'dev-chain' | 'worker';

export interface StackOptions {
  /** Directory for the chain database and the worker's data; the caller owns (and removes) it. */
  readonly dir: string;
  /** 0 = any free port. */
  readonly chainPort?: number;
  readonly workerRpcPort?: number;
  /** Smart Worker runner API port (default 0 = any free port). */
  readonly runnerPort?: number;
  /** Bearer token the runner API requires (default: none). */
  readonly runnerToken?: string;
  /** The worker's operator console with /metrics and /health (0 = any free port; default: not served). */
  readonly metricsPort?: number;
  /** Dev chain block production: 'instant' (default), or an interval such as 1000 / '6s'. */
  readonly blockTime?: string | number;
  /** The logger of each service (e.g. `Output.logger`); default: silent. */
  readonly logger?: (source: StackSource) => Logger;
  /** Aborts the start (Ctrl-C while the worker registers): the start stops what it started and rejects. */
  readonly signal?: AbortSignal;
}

export interface Stack {
  readonly nodeUrl: string;
  readonly workerUrl: string;
  /** The worker's Smart Worker runner API (`sealbridge worker deploy|list|…` talk to it). */
  readonly runnerUrl: string;
  /** The worker's operator console (its /metrics and /health beside it), when `metricsPort` was given. */
  readonly consoleUrl?: string;
  /** base58, as printed by list-workers. */
  readonly mrenclave: string;
  /** Stops the worker, then the chain; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the embedded dev chain and a worker in this process (used by `sealbridge up`, the demo and tests).
 * On a failed worker start the chain is stopped again before the error propagates.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const [{ startDevChain, chainLogger }, { startWorker }] = await Promise.all([import('@sealbridge/dev-chain'), import('@sealbridge/worker')]);
  const chain = await startDevChain({
    port: options.chainPort ?? 0,
    blockTime: options.blockTime,
    db: `${options.dir}/chain`,
    logger: options.logger && chainLogger(options.logger('dev-chain')),
  });
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({
      parentchainUrl: chain.url,
      dataDir: `${options.dir}/worker`,
      rpcPort: options.workerRpcPort ?? 0,
      runnerPort: options.runnerPort ?? 0,
      runnerToken: options.runnerToken,
      metricsPort: options.metricsPort,
      platformSecretPath: `${options.dir}/platform-secret`,
      log: options.logger?.('worker'),
      signal: options.signal,
    });
  } catch (error) {
    await chain.stop();
    throw error;
  }
  const { rpcUrl: workerUrl, runnerUrl } = worker;
  if (!workerUrl || !runnerUrl) {
    await worker.stop().finally(() => chain.stop());
    throw new Error(`the worker started without a ${workerUrl ? 'Smart Worker runner' : 'trusted RPC server'}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    nodeUrl: chain.url,
    workerUrl,
    runnerUrl,
    consoleUrl: worker.consoleUrl,
    mrenclave: base58Encode(toBytes(worker.mrenclave)),
    stop: () =>
      (stopped ??= (async () => {
        try {
          await worker.stop();
        } finally {
          await chain.stop();
        }
      })()),
  };
}
