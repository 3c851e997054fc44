import fs from 'node:fs/promises';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';

import { cryptoReady, parseShard, shardToBase58 } from '@sealbridge/chain-types';
import { openEnclave, type EnclaveHandle } from '@sealbridge/enclave-sim';

import { instrumentShard, startOperatorConsole, WarningLog, withWarningLog } from './console/index.js';
import { Follower } from './follower.js';
import { ImportMonitor } from './import-stall.js';
import { BlockImporter, type UndecodableBlockHook } from './importer.js';
import { silentLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { Mutex } from './mutex.js';
import { OlmEnv } from './olm-env.js';
import { DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './options.js';
import { Outbox } from './outbox.js';
import { ParentchainClient, type BlockRef } from './parentchain.js';
import { chooseAttestation, fundEnclaveAccountOnDevChain, submitAndWaitFinalized } from './registration.js';
import { DirectCallRelay } from './relay.js';
import { enclaveReportData, WorkerRpcBackend } from './rpc-backend.js';
import { startRpcServer, type RpcServer } from './rpc/index.js';
import { ShardRuntime } from './shard-runtime.js';
import { startSmartWorkers, type SmartWorkerHost } from './smart-workers.js';
import { WorkerStore } from './store.js';

export type StartWorkerOptions = Partial<WorkerOptions> & Pick<WorkerOptions, 'dataDir'> & {
  log?: Logger;
  /** Test only: blocks for which it answers are treated as undecodable, to stall the import where a spec wants it. */
  testUndecodable?: UndecodableBlockHook;
  /** Aborts the start (SIGINT/SIGTERM while connecting or registering): what was opened is closed, the start rejects. */
  signal?: AbortSignal;
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

/**
 * The worker's composition root: opens the enclave and the store, registers the enclave on the parentchain,
 * starts the trusted RPC server and follows finalized blocks.
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
  const stopAll = async () => {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => log.warn('shutdown step failed', { error }));
    cleanup.length = 0;
  };
  try {
    await cryptoReady();
    const enclaveLog = log.child('enclave');
    const enclave: EnclaveHandle = await openEnclave({
      dataDir: path.join(opts.dataDir, 'enclave'),
      platformSecretPath: opts.platformSecretPath,
      log: (level, component, msg, fields) => enclaveLog[level === 'debug' ? 'debug' : level](msg, { component, ...fields }),
    });
    cleanup.push(() => enclave.close());
    log.info('enclave opened', { mrenclave: shardToBase58(enclave.mrenclave), mrenclaveHex: u8aToHex(enclave.mrenclave), mrsigner: u8aToHex(enclave.mrsigner) });

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

    const account = enclave.signerPublicKey();
    const lock = new Mutex();
    const outbox = new Outbox({ client, store, account, sign: (payload) => enclave.sign(payload), log: log.child('outbox'), metrics });
    await outbox.init();

    const shardBytes = opts.shard ? parseShard(opts.shard) : enclave.mrenclave;
    let smartWorkers: SmartWorkerHost | undefined;
    const env = await OlmEnv.open({
      enclave, store, shard: shardBytes, log: log.child('env'), metrics,
      onChanged: async () => smartWorkers?.runtime.reloadEnv(),
    });
    cleanup.push(() => env.close());
    smartWorkers = await startSmartWorkers({
      enclave,
      store,
      log: log.child('smart-worker'),
      envProvider: async (_id, shardLabel) => env.envFor(shardLabel),
      fetchAllow: opts.smartWorkerFetchAllow,
      runner: opts.runnerPort >= 0 ? { host: opts.runnerHost, port: opts.runnerPort, token: opts.runnerToken } : undefined,
    });
    cleanup.push(() => smartWorkers.close());

    const chainType = await client.api.rpc.system.chainType();
    const isDev = chainType.isDevelopment || chainType.isLocal;
    const shard = await ShardRuntime.load({
      shard: shardBytes,
      enclave,
      client,
      store,
      log: log.child('stf'),
      metrics,
      sudoAccount: isDev ? new Keyring({ type: 'sr25519' }).addFromUri('//Alice').publicKey : undefined,
      smartWorkers: smartWorkers.dispatcher,
    });
    instrumentShard(metrics, shard, { mrenclave: shardToBase58(enclave.mrenclave), shard: shardToBase58(shardBytes) });

    let lastImported = await store.lastImported();
    let importer: BlockImporter | undefined;
    const relay = new DirectCallRelay({ client, enclave, outbox, lock, shard: shardBytes, log: log.child('relay'), lastImported: () => importer?.lastImported.number ?? 0 });

    let rpc: RpcServer | undefined;
    if (opts.rpcPort >= 0) {
      const tls = enclave.tlsCredentials();
      let rpcUrl = '';
      const backend = new WorkerRpcBackend({
        enclave, shard, relay, metrics, certPem: tls.certPem, metadata: client.api.runtimeMetadata.toU8a(), rpcUrl: () => rpcUrl,
        envNames: (who, scope) => env.namesSetBy(who, scope),
        envRevision: () => env.revision,
        syncStatus: () => monitor.status(),
      });
      const rpcLog = log.child('rpc');
      rpc = await startRpcServer({
        backend, tls, host: opts.rpcHost, port: opts.rpcPort, limits: { maxConnections: opts.maxConnections },
        log: ({ level, msg, ...fields }) => rpcLog[level](msg, fields),
      });
      rpcUrl = opts.advertisedUrl ?? rpc.url;
      cleanup.push(() => rpc!.close());
      log.info('trusted RPC listening', { url: rpc.url });
    }

    // Register on every start (as Integritee does), then import from the registration block on.
    await abortable(fundEnclaveAccountOnDevChain(client, account, log), options.signal);
    const attestation = chooseAttestation(client, () => enclave.quote(enclaveReportData(enclave)), enclave.mrenclave);
    const url = opts.advertisedUrl ?? rpc?.url;
    const registerCall = client.api.tx.teerex
      .registerSgxEnclave(u8aToHex(attestation.proof), url ? u8aToHex(new TextEncoder().encode(url)) : null, attestation.method === 'Skip' ? { Skip: { proxied: false } } : 'Simulated')
      .method.toU8a();
    await abortable(outbox.flush(), options.signal);
    const registered = await abortable(lock.run(async () => {
      const registerTx = client.api.tx(outbox.signedExtrinsic(registerCall, outbox.nextNonce).hex);
      const result = await submitAndWaitFinalized(client, registerTx, 'enclave registration');
      await outbox.consumeNonce();
      return result;
    }), options.signal);
    log.info('enclave registered', { account: outbox.address, method: attestation.method, url, block: registered.blockHash, shard: shardToBase58(shardBytes) });

    if (!lastImported) {
      const header = await client.api.rpc.chain.getHeader(registered.blockHash);
      lastImported = { number: header.number.toNumber() - 1, hash: header.parentHash.toHex() };
    }
    // A process killed right after a commit never logged that block: the state it resumes from says it instead.
    log.info('resuming import', { block: lastImported.number, hash: lastImported.hash, stateRoot: u8aToHex(shard.state.root()) });
    monitor.imported(lastImported.number);
    importer = new BlockImporter(
      {
        client, store, outbox, shard, env, lock, log: log.child('import'), metrics, monitor, fetchConcurrency: opts.fetchConcurrency,
        onExecuted: (results, block) => relay.executed(results, hexToU8a(block.hash)),
        testUndecodable: options.testUndecodable,
      },
      lastImported,
    );
    const imports = importer;
    await env.attach({ client, outbox, lock });
    const follower = new Follower({ client, importer: imports, outbox, lock, log: log.child('follow'), metrics, monitor });
    follower.start();
    cleanup.push(() => follower.stop());
    let fatal: Error | undefined;
    void follower.failed.then((error) => (fatal = error));

    const registeredAt = await client.api.rpc.chain.getHeader(registered.blockHash);
    const operatorConsole = await startOperatorConsole({
      client, log: log.child('console'), metrics, account, shardBytes, shard, warnings, startedAt, port: opts.metricsPort,
      sync: () => monitor.status(),
      parentchainConnected: () => client.isConnected,
      outbox,
      smartWorkers: () => smartWorkers.runtime.list(),
      fatal: () => fatal,
      enclave: {
        mrenclave: shardToBase58(enclave.mrenclave),
        mrenclaveHex: u8aToHex(enclave.mrenclave),
        mrsigner: u8aToHex(enclave.mrsigner),
        account: outbox.address,
        attestation: attestation.method,
        registeredAt: { block: registeredAt.number.toNumber(), hash: registered.blockHash },
        rpcUrl: url ?? null,
      },
    });
    cleanup.push(() => operatorConsole.close());

    options.signal?.throwIfAborted();
    return {
      mrenclave: enclave.mrenclave,
      shard: shardBytes,
      account,
      rpcUrl: rpc?.url,
      runnerUrl: smartWorkers.runner?.url,
      consoleUrl: operatorConsole.url,
      metrics,
      lastImported: () => imports.lastImported,
      failed: follower.failed,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
