import os from 'node:os';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';

import { cryptoReady, shardToBase58 } from '@sealbridge/chain-types';
import type { Logger } from '@sealbridge/chain-types/log';
import { BoundaryError, type EcallHandlers, type EnclaveInfo, type HostOcalls, type InitArgs } from '@sealbridge/enclave-api';

import { createAttestationService } from '../../attestation-service.js';
import { TrustedEnclave } from '../enclave.js';
import { EnclaveError } from '../errors.js';
import { FileSealedStorage } from '../file-sealed-storage.js';
import { defaultPlatformSecretPath, loadOrCreatePlatformSecret } from '../platform-secret.js';
import { startRpcServer, type RpcServer } from '../rpc/index.js';
import { SignatureVerifyPool, VERIFY_THREADS_DEFAULT } from '../verify-pool.js';
import { ChainContext } from './chain.js';
import { HostStore } from './host.js';
import { TrustedImport } from './import.js';
import { enclaveLogger } from './log.js';
import { EnclaveMetrics } from './metrics.js';
import { OlmEnv } from './olm-env.js';
import { DirectCallRelay } from './relay.js';
import { enclaveReportData, WorkerRpcBackend } from './rpc-backend.js';
import { ShardRuntime } from './shard-runtime.js';
import { EnclaveAccount } from './signer.js';
import { startSmartWorkers, type SmartWorkerHost } from './smart-workers.js';

/** How often the shard's size gauges are refreshed (a walk over the state). */
const STATE_SIZE_EVERY_MS = 1_000;

/** What the loader measured: the enclave's identity is what it is, not what the host says. */
export interface EnclaveMeasurement {
  mrenclave: Uint8Array;
  mrsigner: Uint8Array;
}

interface Running {
  enclave: TrustedEnclave;
  chain: ChainContext;
  account: EnclaveAccount;
  importer: TrustedImport;
  env: OlmEnv;
  smartWorkers: SmartWorkerHost;
  rpc: RpcServer | undefined;
  verifier: SignatureVerifyPool | undefined;
  metrics: EnclaveMetrics;
  url: string | undefined;
  sizeSampler: NodeJS.Timeout;
}

/** Errors of the trusted code that say what went wrong, mapped to the boundary's codes; anything else is INTERNAL. */
function toBoundaryError(error: unknown): unknown {
  if (error instanceof BoundaryError) return error;
  if (error instanceof EnclaveError) {
    const code = error.code === 'UNSEAL_FAILED' || error.code === 'SEALED_KEY_INVALID' ? 'SEALED_DATA_INVALID' : error.code === 'INVALID_ARGUMENT' ? 'INVALID_ARGUMENT' : 'INTERNAL';
    return new BoundaryError(code, `${error.code}: ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * The trusted runtime of one enclave process: every ECALL handler. It holds the keys, the shard state, the STF,
 * the env secrets, the Omni Keys (through the Smart Worker runtime) and the RA-TLS key of the RPC server it serves.
 */
export function enclaveRuntime(measurement: EnclaveMeasurement, ocalls: HostOcalls): EcallHandlers & { close(): Promise<void> } {
  let running: Running | undefined;
  let starting: Promise<EnclaveInfo> | undefined;
  let log: Logger | undefined;
  const need = (): Running => {
    if (!running) throw new BoundaryError('NOT_INITIALIZED', 'init has not completed');
    return running;
  };

  /** What a failed init opened, closed in reverse order, so a retry starts clean (the data dir lock included). */
  const opened: Array<() => Promise<void> | void> = [];

  async function init(args: InitArgs): Promise<EnclaveInfo> {
    try {
      return await initOrThrow(args);
    } catch (error) {
      for (const close of opened.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
      throw error;
    }
  }

  async function initOrThrow(args: InitArgs): Promise<EnclaveInfo> {
    await cryptoReady();
    log = enclaveLogger(ocalls, args.logLevel);
    const store = new HostStore(ocalls);
    const metrics = new EnclaveMetrics(ocalls);
    opened.push(() => metrics.close());
    const enclaveLog = log;
    const storage = await FileSealedStorage.open(args.sealedDir, (level, component, msg, fields) => enclaveLog[level === 'debug' ? 'debug' : level](msg, { component, ...fields }));
    opened.push(() => storage.close());
    const platformSecret = await loadOrCreatePlatformSecret(args.platformSecretPath ?? defaultPlatformSecretPath(), args.sealedDir);
    const enclave = await TrustedEnclave.create({
      storage,
      platformSecret,
      identity: measurement,
      quotingService: createAttestationService(),
      buildMode: 'Debug',
      decryptThreads: args.decryptThreads || os.availableParallelism(),
      log: (level, component, msg, fields) => enclaveLog[level === 'debug' ? 'debug' : level](msg, { component, ...fields }),
    });
    opened.pop(); // the enclave owns the storage now and closes it with itself
    opened.push(() => enclave.close());
    log.info('enclave ready', { mrenclave: u8aToHex(measurement.mrenclave), signer: u8aToHex(enclave.signerPublicKey()) });
    let chain = new ChainContext(args.genesisHash, args.runtime, args.ss58Prefix);
    const currentChain = () => chain;
    const account = new EnclaveAccount(chain, enclave.signerPublicKey(), (payload) => enclave.sign(payload), args.nextNonce);
    const shard = args.shard ?? measurement.mrenclave;

    let smartWorkers: SmartWorkerHost | undefined;
    const env = await OlmEnv.open({
      enclave, store, chain: currentChain, account, ocalls, shard, log: enclaveLogger(ocalls, args.logLevel, 'env'), metrics,
      onChanged: async () => smartWorkers?.runtime.reloadEnv(),
    });
    opened.push(() => env.close());
    smartWorkers = await startSmartWorkers({
      enclave,
      store,
      log: enclaveLogger(ocalls, args.logLevel, 'smart-worker'),
      envProvider: async (_id, shardLabel) => env.envFor(shardLabel),
      fetchAllow: args.smartWorkerFetchAllow,
      runner: args.runner && { host: args.runner.host, port: args.runner.port, token: args.runner.token },
    });
    const started = smartWorkers;
    opened.push(() => started.close());
    const shardRuntime = await ShardRuntime.load({
      shard,
      enclave,
      chain: currentChain,
      store,
      log: enclaveLogger(ocalls, args.logLevel, 'stf'),
      metrics,
      sudoAccount: args.development ? new Keyring({ type: 'sr25519' }).addFromUri('//Alice').publicKey : undefined,
      smartWorkers: smartWorkers.dispatcher,
    });
    const relay: DirectCallRelay = new DirectCallRelay({
      chain: currentChain, enclave, account, ocalls, shard, log: enclaveLogger(ocalls, args.logLevel, 'relay'),
      lastImported: () => importer.lastImported,
    });
    const importer = await TrustedImport.open({
      enclave, chain: currentChain, shard: shardRuntime, env, account, log: enclaveLogger(ocalls, args.logLevel, 'import'), metrics,
      onExecuted: (results, blockHash) => relay.executed(results, blockHash),
    }, store);

    // The shard's size for the operator, re-measured at most once a second and only when the state changed.
    let measured: unknown;
    const shardLabel = shardToBase58(shard);
    const measureState = () => {
      if (measured === shardRuntime.state) return;
      measured = shardRuntime.state;
      const { entries, bytes } = shardRuntime.size();
      metrics.set('sealbridge_state_entries', entries, { shard: shardLabel });
      metrics.set('sealbridge_state_size_bytes', bytes, { shard: shardLabel });
    };
    measureState();
    const sizeSampler = setInterval(measureState, STATE_SIZE_EVERY_MS).unref();
    opened.push(() => clearInterval(sizeSampler));

    let rpc: RpcServer | undefined;
    let verifier: SignatureVerifyPool | undefined;
    let url: string | undefined;
    if (args.rpc) {
      const tls = enclave.tlsCredentials();
      const threads = await SignatureVerifyPool.start(Math.min(VERIFY_THREADS_DEFAULT, os.availableParallelism()));
      verifier = threads;
      opened.push(() => threads.close());
      const backend = new WorkerRpcBackend({
        enclave, shard: shardRuntime, relay, metrics, verifier: threads, certPem: tls.certPem, metadata: () => chain.metadataBytes, rpcUrl: () => url ?? '',
        envNames: (who, scope) => env.namesSetBy(who, scope),
        envRevision: () => env.revision,
        syncStatus: async () => {
          const status = await ocalls.sync_status(undefined);
          return { ...status, stalled: status.stalled ?? null };
        },
      });
      const rpcLog = enclaveLogger(ocalls, args.logLevel, 'rpc');
      // TLS terminates here, inside the enclave process: the RA-TLS private key never leaves it.
      rpc = await startRpcServer({
        backend, tls, host: args.rpc.host, port: args.rpc.port, limits: { maxConnections: args.rpc.maxConnections },
        log: ({ level, msg, component: _component, ...fields }) => rpcLog[level](msg, fields),
      });
      const server = rpc;
      opened.push(() => server.close());
      url = args.rpc.advertisedUrl ?? rpc.url;
      log.info('trusted RPC listening', { url: rpc.url });
    }
    opened.length = 0; // running: close() owns all of it now
    running = {
      enclave, account, importer, env, smartWorkers, rpc, verifier, metrics, url, sizeSampler,
      get chain() {
        return chain;
      },
      set chain(next: ChainContext) {
        chain = next;
        account.chain = next;
      },
    };
    return {
      mrenclave: measurement.mrenclave,
      mrsigner: measurement.mrsigner,
      signer: enclave.signerPublicKey(),
      shard,
      shieldingKeyJson: enclave.shieldingPublicKeyJson(),
      rpcUrl: rpc?.url,
      runnerUrl: smartWorkers.runner?.url,
      stateRoot: shardRuntime.state.root(),
    };
  }

  async function close(): Promise<void> {
    const r = running;
    running = undefined;
    if (!r) return;
    clearInterval(r.sizeSampler);
    await r.rpc?.close();
    await r.verifier?.close();
    await r.env.close();
    await r.smartWorkers.close();
    r.metrics.close();
    await r.enclave.close();
  }

  const guard = <A, R>(handler: (arg: A) => Promise<R> | R) => async (arg: A): Promise<R> => {
    try {
      return await handler(arg);
    } catch (error) {
      if (!(error instanceof BoundaryError)) log?.warn('ECALL failed', { error: (error as Error)?.message ?? String(error) });
      throw toBoundaryError(error);
    }
  };

  return {
    init: guard(async (args: InitArgs) => {
      if (running || starting) throw new BoundaryError('ALREADY_INITIALIZED', 'init was called before');
      starting = init(args);
      try {
        return await starting;
      } catch (error) {
        starting = undefined;
        throw error;
      }
    }),
    set_runtime: guard((runtime) => {
      const r = need();
      r.chain = new ChainContext(r.chain.genesisHash, runtime, r.chain.ss58Prefix);
      log?.info('runtime upgraded', { specVersion: runtime.specVersion, transactionVersion: runtime.transactionVersion });
    }),
    import_block: guard((block) => need().importer.importBlock(block)),
    register: guard(({ url, nextNonce }) => {
      const r = need();
      const { chain, enclave, account } = r;
      // The Sealbridge `Simulated` quote where the chain's metadata knows that variant (the dev chain), otherwise `Skip`
      // (chains with AllowSkippingAttestation), whose proof is the MRENCLAVE.
      const { def } = chain.registry.lookup.getSiType(chain.tx.teerex!.registerSgxEnclave!.meta.fields[2]!.type);
      const hasSimulated = def.isVariant && def.asVariant.variants.some((v) => v.name.toString() === 'Simulated');
      const attestation = hasSimulated ? 'Simulated' as const : 'Skip' as const;
      const proof = attestation === 'Simulated' ? enclave.quote(enclaveReportData(enclave)) : new Uint8Array(enclave.mrenclave);
      const call = chain.tx.teerex!.registerSgxEnclave!(u8aToHex(proof), url ? u8aToHex(new TextEncoder().encode(url)) : null, attestation === 'Skip' ? { Skip: { proxied: false } } : 'Simulated').toU8a();
      account.advanceTo(nextNonce);
      r.env.attach();
      return { attestation, extrinsic: account.sign(call, 'register') };
    }),
    // What the operator console shows of each Smart Worker: no code, config, env, output or error text.
    console_status: guard(() => ({
      smartWorkers: need().smartWorkers.runtime.list().map((w) => ({
        id: w.id,
        name: w.name,
        shard: w.shard,
        status: w.status,
        schedule: w.schedule,
        lastRun: w.lastRun && { at: w.lastRun.at, trigger: w.lastRun.trigger, ok: w.lastRun.ok },
        nextRun: w.nextRun,
      })),
    })),
    shutdown: guard(async () => {
      await close();
      log?.info('enclave closed');
    }),
    close,
  };
}
