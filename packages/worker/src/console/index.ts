import type { Logger } from '../log.js';
import type { ParentchainClient } from '../parentchain.js';
import { ChainReader } from './chain-readings.js';
import { serveConsole } from './server.js';
import { consoleStatus, health, type ConsoleSources } from './status.js';
import { SAMPLE_EVERY_MS, SyncHistory } from './sync-history.js';

export { defineOperatorMetrics, WORKER_VERSION } from './operator-metrics.js';
export { READY_MAX_LAG, type ConsoleStatus, type EnclaveIdentity, type Health } from './status.js';
export { WarningLog, withWarningLog, type WarningRecord } from './warnings.js';

export interface OperatorConsoleOptions extends Omit<ConsoleSources, 'chain' | 'history'> {
  client: ParentchainClient;
  log: Logger;
  /** The enclave's account and shard, to read their standing on chain. */
  account: Uint8Array;
  shardBytes: Uint8Array;
  /** Where to serve the console and /metrics; none = the readings and gauges only. */
  port?: number;
}

export interface OperatorConsole {
  /** The console page (its /metrics and /health beside it), when served. */
  url?: string;
  close(): Promise<void>;
}

/**
 * What operators see of the worker: the import-rate history, the enclave's standing read back from the chain (as
 * gauges too) and, given a port, the HTTP server with the console page, /health and /metrics.
 */
export async function startOperatorConsole(options: OperatorConsoleOptions): Promise<OperatorConsole> {
  const { client, log, metrics } = options;
  const history = new SyncHistory(() => options.sync().imported);
  const sampler = setInterval(() => history.sample(), SAMPLE_EVERY_MS);
  sampler.unref();
  const chain = new ChainReader({ client, metrics, log, shard: options.shardBytes, account: options.account, finalized: () => options.sync().finalized });
  chain.start();
  const stopReadings = async () => {
    clearInterval(sampler);
    await chain.stop();
  };
  if (options.port === undefined) return { close: stopReadings };

  const sources: ConsoleSources = { ...options, chain, history };
  try {
    const server = await serveConsole({ metrics, log, status: () => consoleStatus(sources), health: () => health(sources) }, options.port);
    log.info('operator console listening', { url: server.url, metrics: `${server.url}metrics`, health: `${server.url}health` });
    return {
      url: server.url,
      async close() {
        await server.close();
        await stopReadings();
      },
    };
  } catch (error) {
    await stopReadings();
    throw error;
  }
}
