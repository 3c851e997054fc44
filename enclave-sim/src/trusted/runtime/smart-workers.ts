import { u8aToHex } from '@polkadot/util';

import { shardToBase58 } from '@sealbridge/chain-types';
import { createSmartWorkerRuntime, type RunnerServer, type SealedKv, type SmartWorkerRuntime } from '@sealbridge/smart-worker';
import type { SmartWorkerDispatcher, SmartWorkerInvocation, SmartWorkerOutcome } from '@sealbridge/stf';

import type { Logger } from '@sealbridge/chain-types/log';

import type { TrustedEnclave } from '../enclave.js';
import type { HostStore } from './host.js';

/** Per call: a worker may not stall block import for long, nor take the machine's memory. */
const SMART_WORKER_LIMITS = { cpuMs: 1_000, memoryMb: 512, invokeTimeoutMs: 5_000 };

/** The runtime's records (code, config) are sealed by the enclave before they reach LevelDB. */
function sealedKv(store: HostStore, enclave: TrustedEnclave): SealedKv {
  const hostKey = (key: string) => `smart-worker/${key}`;
  const purpose = (key: string) => `smart-worker-kv:${key}`;
  return {
    async get(key) {
      const sealed = await store.get(hostKey(key));
      return sealed === undefined ? undefined : enclave.unseal(purpose(key), sealed);
    },
    put: (key, bytes) => store.put(hostKey(key), enclave.seal(purpose(key), bytes)),
    del: (key) => store.delete(hostKey(key)),
    list: async (prefix) => (await store.scan(hostKey(prefix))).map(([key]) => key.slice(hostKey('').length)),
  };
}

/** What of a Smart Worker log record may reach the host: names and ids; never its output, errors or inputs. */
const PUBLIC_FIELDS = new Set(['id', 'name', 'type', 'trigger', 'cron', 'key', 'url']);

/**
 * A run's error text and the like are written by the worker's author and may carry what the worker computed (its
 * owner reads them through the runner API, inside the enclave); the host log gets only which worker and when.
 */
function publicFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([name]) => PUBLIC_FIELDS.has(name)));
}

export interface SmartWorkerHostOptions {
  enclave: TrustedEnclave;
  store: HostStore;
  log: Logger;
  fetchAllow: string[];
  /** Environment for a Smart Worker, given its id and the shard label it is bound to (merged into getConfig() as `env`). */
  envProvider?: (workerId: string, shard: string | undefined) => Promise<Record<string, string>>;
  runner?: { host: string; port: number; token?: string };
}

export interface SmartWorkerHost {
  runtime: SmartWorkerRuntime;
  runner?: RunnerServer;
  /** What the STF calls for `smart_worker_call`. */
  dispatcher: SmartWorkerDispatcher;
  close(): Promise<void>;
}

/**
 * Runs the Smart Worker runtime inside the enclave process: Omni Keys never leave it, records are sealed before
 * they reach the host's store, the Escrin-compatible runner API, and the dispatcher that executes `smart_worker_call`.
 * A call names a worker by its identity (the H256 its Omni Keys are bound to) among the workers bound to the shard.
 */
export async function startSmartWorkers(options: SmartWorkerHostOptions): Promise<SmartWorkerHost> {
  const { enclave, store, log } = options;
  const runtime = await createSmartWorkerRuntime({
    keys: { getOmniKey: (keyStore, identity) => enclave.getOmniKey(keyStore, identity) },
    storage: sealedKv(store, enclave),
    envProvider: options.envProvider && (({ id, shard }) => options.envProvider!(id, shard)),
    fetchAllow: options.fetchAllow,
    limits: SMART_WORKER_LIMITS,
    log: { log: (level, message, fields) => log[level](message, publicFields(fields)) },
  });
  const runner = options.runner ? await runtime.listen(options.runner) : undefined;
  if (runner) log.info('Smart Worker runner listening', { url: runner.url });

  const dispatcher: SmartWorkerDispatcher = {
    async invoke(invocation: SmartWorkerInvocation): Promise<SmartWorkerOutcome> {
      const identity = u8aToHex(invocation.worker, -1, false);
      const shardLabels = [u8aToHex(invocation.shard), shardToBase58(invocation.shard)];
      const id = shardLabels
        .flatMap((label) => runtime.workersForShard(label))
        .find((candidate) => runtime.get(candidate)?.identity.replace(/^0x/, '') === identity);
      if (!id) return { ok: false, error: { code: 'UnknownSmartWorker', message: `no Smart Worker ${identity} is bound to this shard` } };
      const result = await runtime.invoke(id, {
        input: invocation.input,
        sender: invocation.sender,
        ctx: { blockNumber: invocation.ctx.blockNumber, blockHash: invocation.ctx.blockHash, timestamp: Number(invocation.ctx.timestamp ?? 0n) },
      });
      return result.ok ? result : { ok: false, error: { code: 'SmartWorkerFailed', message: result.error } };
    },
  };

  return {
    runtime,
    runner,
    dispatcher,
    async close() {
      await runner?.close();
      await runtime.close();
    },
  };
}
