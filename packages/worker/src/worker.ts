import fs from 'node:fs/promises';
import path from 'node:path';

import { hexToU8a, u8aToHex } from '@polkadot/util';

import { cryptoReady, parseShard, shardToBase58 } from '@sealbridge/chain-types';
import { BoundaryError, type EnclaveInfo, type InitArgs, type OcallHandlers } from '@sealbridge/enclave-api';
import { spawnEnclave, type EnclaveProcess } from '@sealbridge/enclave-sim';
import type { WorkerInfo } from '@sealbridge/smart-worker';

import { defineOperatorMetrics, startOperatorConsole, WarningLog, withWarningLog } from './console/index.js';
import { Follower } from './follower.js';
import { ImportMonitor } from './import-stall.js';
import { BlockImporter, type UndecodableBlockHook } from './importer.js';
import { silentLogger, type Logger, type LogLevel } from './log.js';
import { Metrics } from './metrics.js';
import { Mutex } from './mutex.js';
import { DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './options.js';
import { Outbox } from './outbox.js';
import { ParentchainClient, type BlockRef } from './parentchain.js';
import { fundEnclaveAccountOnDevChain, submitAndWaitFinalized } from './registration.js';
import { WorkerStore } from './store.js';

export type StartWorkerOptions = Partial<WorkerOptions> & Pick<WorkerOptions, 'dataDir'> & {
  log?: Logger;
  /** Test only: blocks for which it answers are treated as undecodable, to stall the import where a spec wants it. */
  testUndecodable?: UndecodableBlockHook;
  /** Aborts the start (SIGINT/SIGTERM while connecting or registering): what was opened is closed, the start rejects. */
  signal?: AbortSignal;
  /** Test hook: every frame that crosses the enclave boundary (the hostile-host spec records them). */
  recordBoundary?: (direction: 'in' | 'out', frame: Uint8Array) => void;
  /** Lowest level the enclave sends its log records at (default info). */
  logLevel?: LogLevel;
};

export interface WorkerHandle {
  mrenclave: Uint8Array;
  shard: Uint8Array;
  /** The enclave's parentchain account (ed25519 public key). */
  account: Uint8Array;
  rpcUrl?: string;
  /** Escrin-compatible Smart Worker runner API, when enabled. */
  runnerUrl?: string;
  /** The operator console (`--metrics-port`): the page, with /metrics and /health beside it. */
  consoleUrl?: string;
  metrics: Metrics;
  /** The enclave process (its pid for specs that kill or scan it). */
  enclavePid(): number;
  lastImported(): BlockRef;
  /** Resolves when a fatal error stopped the import (the process should exit). */
  failed: Promise<Error>;
  stop(): Promise<void>;
}

function defineMetrics(metrics: Metrics): void {
  metrics.define('sealbridge_last_imported_block', 'gauge', 'Number of the last imported parentchain block');
  metrics.define('sealbridge_last_finalized_block', 'gauge', 'Number of the latest finalized parentchain block seen');
  metrics.define('sealbridge_confirmation_lag_blocks', 'gauge', 'Finalized blocks not yet imported and confirmed');
  metrics.define('sealbridge_import_stalled', 'gauge', 'Unix time of the first failure of the current import stall (no progress since); 0 while importing');
  metrics.define('sealbridge_invocations_total', 'counter', 'Trusted operations executed, by result');
  metrics.define('sealbridge_invocations_rejected_total', 'counter', 'Indirect invocations rejected, by reason');
  metrics.define('sealbridge_import_errors_total', 'counter', 'Errors of the import loop (each retried)');
  metrics.define('sealbridge_extrinsics_sent_total', 'counter', 'Enclave-signed parentchain extrinsics sent, by kind');
  metrics.define('sealbridge_outbox_pending', 'gauge', 'Enclave-signed extrinsics not yet seen in a finalized block');
  metrics.define('sealbridge_rpc_requests_total', 'counter', 'Trusted RPC requests, by method');
  metrics.define('sealbridge_rpc_request_duration_seconds', 'histogram', 'Time from a trusted RPC request to its answer, by method (watch updates not included)', {
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  });
  metrics.define('sealbridge_enclave_restarts_total', 'counter', 'Enclave processes that died and were started again');
  metrics.define('sealbridge_state_size_bytes', 'gauge', 'Bytes of keys and values of the shard state (unsealed, in the enclave), by shard (base58)');
  metrics.define('sealbridge_state_entries', 'gauge', 'Entries of the shard state, by shard (base58)');
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Connects to the parentchain, retrying with backoff until `timeoutMs`; the error says what to check. */
async function connectParentchain(url: string, log: Logger, signal?: AbortSignal, timeoutMs = 60_000): Promise<ParentchainClient> {
  const deadline = Date.now() + timeoutMs;
  let delay = 500;
  for (;;) {
    try {
      return await ParentchainClient.connect({ url, log: log.child('parentchain'), connectTimeoutMs: 5_000 });
    } catch (error) {
      if (Date.now() + delay > deadline) throw new Error(`parentchain not reachable at ${url}: ${(error as Error).message}`);
      log.warn('parentchain not reachable yet, retrying', { url, retryInMs: delay });
      await new Promise((resolve) => setTimeout(resolve, delay));
      signal?.throwIfAborted();
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** The host's answers to the enclave's OCALLs: storage of sealed blobs, chain reads, logs, metrics, the outbox. */
function hostOcalls(deps: {
  store: WorkerStore;
  client: ParentchainClient;
  outbox: Outbox;
  lock: Mutex;
  log: Logger;
  metrics: Metrics;
  monitor: ImportMonitor;
}): OcallHandlers {
  const { store, client, outbox, lock, log, metrics, monitor } = deps;
  const hostFailure = (what: string) => (error: unknown) => {
    throw new BoundaryError('HOST_FAILED', `${what}: ${(error as Error)?.message ?? String(error)}`);
  };
  return {
    log: ({ level, component, msg, fields }) => {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(fields) as Record<string, unknown>;
      } catch {
        parsed = { fields };
      }
      // Every enclave record goes under worker.enclave: the enclave's own root component is `enclave`.
      const sub = component.replace(/^enclave(\.|$)/, '');
      (sub ? log.child(sub) : log)[level](msg, parsed);
    },
    metrics: (ops) => {
      for (const { op, name, labels, values } of ops) {
        try {
          const parsed = JSON.parse(labels) as Record<string, string> & { type?: 'counter' | 'gauge' | 'histogram'; help?: string; labelNames?: string[]; buckets?: number[] };
          if (op === 'define') metrics.define(name, parsed.type!, parsed.help!, { labelNames: parsed.labelNames, buckets: parsed.buckets });
          else if (op === 'inc') metrics.inc(name, parsed, values[0]);
          else if (op === 'set') metrics.set(name, values[0]!, parsed);
          else metrics.observeMany(name, values, parsed);
        } catch (error) {
          log.debug('enclave metric update ignored', { name, error: (error as Error).message });
        }
      }
    },
    send_extrinsic: async ({ extrinsic, origin }) => {
      const entry = outbox.entryOf(extrinsic, origin);
      await lock.run(() => outbox.add(entry)).catch(hostFailure('persisting the extrinsic'));
      void outbox.flush();
    },
    read_storage: async ({ keys, at }) => {
      const hash = at ? u8aToHex(at) : (await client.finalizedHead().catch(hostFailure('reading the finalized head'))).hash;
      return Promise.all(keys.map((key) => client.storage(key, hash).catch(hostFailure('state_getStorage'))));
    },
    sealed_get: (key) => store.sealedGet(key).catch(hostFailure('reading a sealed blob')),
    sealed_put: ([key, value]) => store.sealedPut(key, value).catch(hostFailure('writing a sealed blob')),
    sealed_delete: (key) => store.sealedDelete(key).catch(hostFailure('deleting a sealed blob')),
    sealed_scan: (prefix) => store.sealedScan(prefix).catch(hostFailure('scanning sealed blobs')),
    sync_status: () => {
      const status = monitor.status();
      return { ...status, stalled: status.stalled ?? undefined };
    },
  };
}

/**
 * The worker's composition root: the host side of the worker. It spawns the enclave process and carries bytes for
 * it — blocks in, sealed blobs and signed extrinsics out — follows finalized blocks, registers the enclave and
 * serves the operator console. Everything trusted (keys, state, STF, env, Smart Workers, the TLS RPC server) runs
 * in the enclave process; a dead enclave process is started again and resumes from the sealed state.
 */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const opts: WorkerOptions = { ...DEFAULT_WORKER_OPTIONS, ...options };
  const startedAt = Date.now();
  // The console shows the last warnings and errors, whatever level the log writes.
  const warnings = new WarningLog();
  const log = withWarningLog(options.log ?? silentLogger, warnings);
  const metrics = new Metrics();
  defineMetrics(metrics);
  await fs.mkdir(opts.dataDir, { recursive: true });

  const cleanup: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => log.warn('shutdown step failed', { error }));
    cleanup.length = 0;
  };
  try {
    await cryptoReady();
    const store = await WorkerStore.open(path.join(opts.dataDir, 'db'));
    cleanup.push(() => store.close());

    const client = await abortable(connectParentchain(opts.parentchainUrl, log, options.signal), options.signal);
    cleanup.push(() => client.disconnect());
    const monitor = new ImportMonitor({ log: log.child('import'), metrics, blockHash: (number) => client.blockHash(number) });
    const storedGenesis = await store.genesisHash();
    if (storedGenesis === undefined) await store.setGenesisHash(client.genesisHash);
    else if (storedGenesis !== client.genesisHash) {
      throw new Error(`data dir ${opts.dataDir} belongs to the chain with genesis ${storedGenesis}, but ${opts.parentchainUrl} has genesis ${client.genesisHash}; use a fresh --data-dir`);
    }
    const chainType = await client.api.rpc.system.chainType();
    const lock = new Mutex();

    // The enclave's account is known from its last start (the outbox needs it before the enclave is up).
    const knownAccount = await store.enclaveAccount();
    const outbox = new Outbox({ client, store, account: knownAccount ?? new Uint8Array(32), log: log.child('outbox'), metrics });
    await outbox.init();

    const enclaveLog = log.child('enclave');
    let rpcPort = opts.rpcPort;
    const initArgs = (): InitArgs => ({
      sealedDir: path.join(opts.dataDir, 'enclave'),
      platformSecretPath: opts.platformSecretPath,
      shard: opts.shard ? parseShard(opts.shard) : undefined,
      genesisHash: hexToU8a(client.genesisHash),
      runtime: {
        metadata: client.api.runtimeMetadata.toU8a(),
        specVersion: client.api.runtimeVersion.specVersion.toNumber(),
        transactionVersion: client.api.runtimeVersion.transactionVersion.toNumber(),
      },
      ss58Prefix: client.api.registry.chainSS58 ?? 42,
      development: chainType.isDevelopment || chainType.isLocal,
      nextNonce: outbox.nextNonce,
      rpc: rpcPort >= 0 ? { host: opts.rpcHost, port: rpcPort, maxConnections: opts.maxConnections, advertisedUrl: opts.advertisedUrl } : undefined,
      runner: opts.runnerPort >= 0 ? { host: opts.runnerHost, port: opts.runnerPort, token: opts.runnerToken } : undefined,
      smartWorkerFetchAllow: opts.smartWorkerFetchAllow,
      decryptThreads: 0,
      logLevel: options.logLevel ?? 'info',
    });
    const ocalls = hostOcalls({ store, client, outbox, lock, log: enclaveLog, metrics, monitor });

    /** Spawns the enclave process and initialises it; rejects with the loader's refusal or the init error. */
    const startEnclave = async (): Promise<{ process: EnclaveProcess; info: EnclaveInfo }> => {
      const enclaveProcess = spawnEnclave({
        ocalls,
        expectMrenclave: opts.mrenclave ? hexToU8a(opts.mrenclave) : undefined,
        enclaveDir: opts.enclaveDir,
        onStderr: (line) => enclaveLog.warn('enclave process stderr', { line }),
        onProtocolError: (error) => enclaveLog.warn('boundary message from the enclave refused', { code: error.code, error: error.message }),
        record: options.recordBoundary,
      });
      try {
        return { process: enclaveProcess, info: await enclaveProcess.ecalls.init(initArgs()) };
      } catch (error) {
        // A process that is gone says why in its exit (the loader's refusal), which beats "channel closed".
        const gone = await Promise.race([enclaveProcess.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000))]);
        await enclaveProcess.close(2_000).catch(() => undefined);
        if (gone?.refusal) throw new Error(`the enclave refused to start: ${gone.refusal}`, { cause: error });
        if (gone) throw new Error(`the enclave process exited during init (code ${gone.code}, signal ${gone.signal}): ${(error as Error).message}`, { cause: error });
        throw error;
      }
    };

    let { process: enclave, info } = await startEnclave();
    cleanup.push(() => enclave.close());
    log.info('enclave opened', { mrenclave: shardToBase58(info.mrenclave), mrenclaveHex: u8aToHex(info.mrenclave), mrsigner: u8aToHex(info.mrsigner), pid: enclave.pid });
    defineOperatorMetrics(metrics, shardToBase58(info.mrenclave));
    const account = info.signer;
    if (!knownAccount || u8aToHex(knownAccount) !== u8aToHex(account)) {
      await store.setEnclaveAccount(account);
      await outbox.setAccount(account);
    }
    if (info.rpcUrl) {
      rpcPort = Number(new URL(info.rpcUrl).port);
      log.info('trusted RPC listening', { url: info.rpcUrl });
    }
    if (info.runnerUrl) log.info('Smart Worker runner listening', { url: info.runnerUrl });

    // Register on every start (as Integritee does), then import from the registration block on.
    await abortable(fundEnclaveAccountOnDevChain(client, account, log), options.signal);
    const url = opts.advertisedUrl ?? info.rpcUrl;
    await abortable(outbox.flush(), options.signal);
    const registration = await enclave.ecalls.register({ url, nextNonce: outbox.nextNonce });
    const registered = await abortable(lock.run(async () => {
      const registerTx = client.api.tx(u8aToHex(registration.extrinsic.bytes));
      const result = await submitAndWaitFinalized(client, registerTx, 'enclave registration');
      await outbox.consumeNonce(registration.extrinsic.nonce);
      return result;
    }), options.signal);
    log.info('enclave registered', { account: outbox.address, method: registration.attestation, url, block: registered.blockHash, shard: shardToBase58(info.shard) });

    let lastImported = await store.lastImported();
    if (!lastImported) {
      const header = await client.api.rpc.chain.getHeader(registered.blockHash);
      lastImported = { number: header.number.toNumber() - 1, hash: header.parentHash.toHex() };
    }
    // A process killed right after a commit never logged that block: the state it resumes from says it instead.
    log.info('resuming import', { block: lastImported.number, hash: lastImported.hash, stateRoot: u8aToHex(info.stateRoot) });
    monitor.imported(lastImported.number);

    let smartWorkerList: WorkerInfo[] = [];
    const readConsoleStatus = async () => {
      smartWorkerList = (await enclave.ecalls.console_status(undefined)).smartWorkers as unknown as WorkerInfo[];
    };
    const consolePoll = setInterval(() => void readConsoleStatus().catch(() => undefined), 2_000);
    consolePoll.unref();
    cleanup.push(async () => clearInterval(consolePoll));

    let fatal: Error | undefined;
    let failWith: (error: Error) => void = () => undefined;
    const failed = new Promise<Error>((resolve) => (failWith = resolve));
    const runImport = (from: BlockRef) => {
      const importer = new BlockImporter(
        {
          client, store, outbox, enclave: enclave.ecalls, lock, log: log.child('import'), metrics, monitor, fetchConcurrency: opts.fetchConcurrency,
          onRuntimeUpgrade: async () => {
            await client.api.isReady;
            await enclave.ecalls.set_runtime({
              metadata: client.api.runtimeMetadata.toU8a(),
              specVersion: client.api.runtimeVersion.specVersion.toNumber(),
              transactionVersion: client.api.runtimeVersion.transactionVersion.toNumber(),
            });
          },
          onCommitFailed: (error) => {
            log.error('the store could not write an imported block; restarting the enclave from the store', { error: (error as Error)?.message });
            enclave.kill();
          },
          testUndecodable: options.testUndecodable,
        },
        from,
      );
      const follower = new Follower({ client, importer, outbox, lock, log: log.child('follow'), metrics, monitor });
      follower.start();
      void follower.failed.then((error) => {
        fatal = error;
        failWith(error);
      });
      return { importer, follower };
    };
    let session = runImport(lastImported);
    cleanup.push(() => session.follower.stop());

    // A dead enclave process is started again: the import resumes from what the store committed.
    const superviseEnclave = (current: EnclaveProcess): void => {
      void current.exited.then(async ({ code, signal }) => {
        if (stopping) return;
        log.error('the enclave process died; starting it again', { code, signal });
        metrics.inc('sealbridge_enclave_restarts_total');
        outbox.abandonWaiting(new Error('the enclave process died'));
        await session.follower.stop();
        for (let attempt = 1; !stopping; attempt++) {
          try {
            ({ process: enclave, info } = await startEnclave());
            break;
          } catch (error) {
            log.error('restarting the enclave failed', { attempt, error: (error as Error).message });
            await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * attempt)));
          }
        }
        if (stopping) return;
        const resumeFrom = (await store.lastImported()) ?? lastImported!;
        log.info('enclave restarted; resuming import', { block: resumeFrom.number, stateRoot: u8aToHex(info.stateRoot), pid: enclave.pid });
        session = runImport(resumeFrom);
        superviseEnclave(enclave);
      });
    };
    superviseEnclave(enclave);

    const registeredAt = await client.api.rpc.chain.getHeader(registered.blockHash);
    const operatorConsole = await startOperatorConsole({
      client, log: log.child('console'), metrics, account, shardBytes: info.shard, shard: info.shard, warnings, startedAt, port: opts.metricsPort,
      sync: () => monitor.status(),
      parentchainConnected: () => client.isConnected,
      outbox,
      smartWorkers: () => smartWorkerList,
      fatal: () => fatal,
      enclave: {
        mrenclave: shardToBase58(info.mrenclave),
        mrenclaveHex: u8aToHex(info.mrenclave),
        mrsigner: u8aToHex(info.mrsigner),
        account: outbox.address,
        attestation: registration.attestation,
        registeredAt: { block: registeredAt.number.toNumber(), hash: registered.blockHash },
        rpcUrl: url ?? null,
      },
    });
    cleanup.push(() => operatorConsole.close());

    options.signal?.throwIfAborted();
    return {
      mrenclave: info.mrenclave,
      shard: info.shard,
      account,
      rpcUrl: info.rpcUrl,
      runnerUrl: info.runnerUrl,
      consoleUrl: operatorConsole.url,
      metrics,
      enclavePid: () => enclave.pid,
      lastImported: () => session.importer.lastImported,
      failed,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
