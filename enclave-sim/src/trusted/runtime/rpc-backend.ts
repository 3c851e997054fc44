import { buildReportData, bytesEqual, remember } from '@sealbridge/chain-types';
import { decodeGetter, executeGetter, STORAGE_PREFIX, StfError, type DecodedGetter, type ShardState } from '@sealbridge/stf';

import { DECRYPT_PRIORITIES } from '../decrypt-pool.js';
import type { TrustedEnclave } from '../enclave.js';
import type { SyncStatus } from '../rpc/backend.js';
import { RpcServerError, type RpcBackend, type RpcRefusal, type ShardVault, type TopWatcher } from '../rpc/index.js';
import { VerifyPoolError, type SignatureVerifyPool, type VerifyScheme } from '../verify-pool.js';
import type { EnclaveMetrics } from './metrics.js';
import type { DirectCallRelay } from './relay.js';
import type { ShardRuntime } from './shard-runtime.js';

export interface WorkerRpcBackendDeps {
  enclave: TrustedEnclave;
  shard: ShardRuntime;
  relay: DirectCallRelay;
  /** The enclave's getter-signature threads. */
  verifier: SignatureVerifyPool;
  metrics: EnclaveMetrics;
  certPem: string;
  metadata: () => Uint8Array;
  rpcUrl: () => string;
  /**
   * Answers the `env_names(who, scope)` getter from the worker's sealed env store. Env secrets are not STF state:
   * only the addressed enclave can decrypt them, so other workers of the shard could never reproduce that state.
   */
  envNames?: (who: Uint8Array, scope: Uint8Array) => string[];
  /** Changes whenever what `envNames` answers may have changed. */
  envRevision?: () => number;
  /** The import's progress and stall, as the host reports it. */
  syncStatus: () => Promise<SyncStatus>;
}

/** Getters verified once are remembered (a polling wallet resends the same signed getter): by their bytes, this many. */
const VERIFIED_GETTER_CACHE_SIZE = 16_384;
const VERIFIED_GETTER_MAX_BYTES = 512;

/** An STF refusal of a getter as the RPC server answers it. */
function toRpcError(error: unknown): unknown {
  if (error instanceof StfError && error.code === 'GetterIsNotAuthorized') return new RpcServerError('GETTER_NOT_AUTHORIZED', undefined, { cause: error });
  if (error instanceof StfError) return new RpcServerError('GETTER_DECODE', error.message, { cause: error });
  return error;
}

/** Report data of the worker's quotes: the enclave signer, bound to the shielding key clients encrypt to. */
export function enclaveReportData(enclave: TrustedEnclave): Uint8Array {
  return buildReportData(enclave.signerPublicKey(), new TextEncoder().encode(enclave.shieldingPublicKeyJson()));
}

/** The worker core as the trusted RPC server sees it. */
export class WorkerRpcBackend implements RpcBackend {
  readonly #deps: WorkerRpcBackendDeps;
  readonly #quote: Uint8Array;
  #epoch: { state: ShardState; envRevision: number; token: object } | undefined;
  #vault: { state: ShardState; funded: boolean } | undefined;
  readonly #verifiedGetters = new Set<string>();

  constructor(deps: WorkerRpcBackendDeps) {
    this.#deps = deps;
    // The quote served by `sealbridge_attestation` binds the signer and the shielding key clients encrypt to.
    this.#quote = deps.enclave.quote(enclaveReportData(deps.enclave));
    defineRpcMetrics(deps.metrics, deps.enclave);
  }

  mrenclave(): Uint8Array {
    return this.#deps.enclave.mrenclave;
  }

  shards(): Uint8Array[] {
    return [this.#deps.shard.shard];
  }

  shieldingKeyJson(): string {
    return this.#deps.enclave.shieldingPublicKeyJson();
  }

  /** Behind every import decryption in the enclave's pool: a flood of requests cannot delay the chain's invocations. */
  decryptRequest(cyphertext: Uint8Array): Promise<Uint8Array> {
    return this.#deps.enclave.decryptShielded(cyphertext, { priority: 'rpc' });
  }

  /**
   * A trusted getter's signature is checked on the enclave's verification threads (a wallet signs every getter
   * afresh, and an sr25519 check would block the server's loop for a quarter of a millisecond); one verified before
   * is answered at once, without a promise hop, as is a public getter.
   */
  executeGetter(shard: Uint8Array, getterBytes: Uint8Array): Uint8Array | null | Promise<Uint8Array | null> {
    this.#requireShard(shard);
    let getter: DecodedGetter;
    try {
      getter = decodeGetter(getterBytes);
    } catch (error) {
      throw toRpcError(error);
    }
    if (getter.kind === 'public') return this.#read(getterBytes);
    const key = getterBytes.length <= VERIFIED_GETTER_MAX_BYTES ? Buffer.from(getterBytes.buffer, getterBytes.byteOffset, getterBytes.length).toString('latin1') : undefined;
    if (key !== undefined && this.#verifiedGetters.has(key)) return this.#read(getterBytes);
    const { signed } = getter;
    const signer = signed.getter.fields[0];
    if (!(signer instanceof Uint8Array) || signer.length !== 32) throw new RpcServerError('GETTER_DECODE', `getter ${signed.getter.name} has no leading AccountId`);
    const [signature] = signed.signature.fields as [Uint8Array];
    const scheme = signed.signature.name.toLowerCase() as VerifyScheme;
    return this.#deps.verifier.verify({ scheme, publicKey: signer, message: signed.getterBytes, signature }).then(
      (valid) => {
        if (!valid) throw new RpcServerError('GETTER_NOT_AUTHORIZED');
        if (key !== undefined) remember(this.#verifiedGetters, key, VERIFIED_GETTER_CACHE_SIZE);
        return this.#read(getterBytes);
      },
      (error: unknown) => {
        if (error instanceof VerifyPoolError && error.code === 'VERIFY_QUEUE_FULL') throw new RpcServerError('SERVER_BUSY', undefined, { cause: error });
        throw error;
      },
    );
  }

  #read(getterBytes: Uint8Array): Uint8Array | null {
    try {
      return executeGetter(this.#deps.shard.state, getterBytes, { envNames: this.#deps.envNames, signatureVerified: true });
    } catch (error) {
      throw toRpcError(error);
    }
  }

  /**
   * Getters read the shard state, which is a new object after every change, and the env names. The epoch handed out
   * is an empty token: cached answers keep it, and must not keep old states alive.
   */
  getterEpoch(shard: Uint8Array): object | undefined {
    if (!bytesEqual(shard, this.#deps.shard.shard)) return undefined;
    const state = this.#deps.shard.state;
    const envRevision = this.#deps.envRevision?.() ?? 0;
    if (this.#epoch?.state !== state || this.#epoch.envRevision !== envRevision) this.#epoch = { state, envRevision, token: {} };
    return this.#epoch.token;
  }

  submitTrustedOperation(shard: Uint8Array, top: Uint8Array, watcher?: TopWatcher): Promise<Uint8Array> {
    return this.#deps.relay.submit(shard, top, watcher);
  }

  pendingTrustedCallsFor(shard: Uint8Array, account: Uint8Array): Uint8Array[] {
    this.#requireShard(shard);
    return this.#deps.relay.pendingFor(account);
  }

  pendingOperations(shard: Uint8Array): Uint8Array[] {
    this.#requireShard(shard);
    return this.#deps.relay.pendingOperations();
  }

  /**
   * The shard's vault is the account `EnclaveBridge.shield_funds` pays into: the shard's 32 bytes read as an AccountId
   * on the Integritee parentchain (docs/integritee-protocol.md §1.8). It exists from the first shield on, i.e. once the
   * shard state holds a balance; before that, Integritee's "not initialized" error. Checked once per state.
   */
  shardVault(): ShardVault | null {
    const { state, shard } = this.#deps.shard;
    if (this.#vault?.state !== state) this.#vault = { state, funded: state.entries(STORAGE_PREFIX.account).length > 0 };
    return this.#vault.funded ? { account: shard, parentchainId: 0 } : null;
  }

  attestation(): { quote: Uint8Array; certPem: string } {
    return { quote: this.#quote, certPem: this.#deps.certPem };
  }

  muRaUrl(): string {
    return this.#deps.rpcUrl();
  }

  untrustedUrl(): string {
    return this.#deps.rpcUrl();
  }

  metadata(): Uint8Array {
    return this.#deps.metadata();
  }

  syncStatus(): Promise<SyncStatus> {
    return this.#deps.syncStatus();
  }

  onRequest(method: string): void {
    this.#deps.metrics.inc('sealbridge_rpc_requests_total', { method });
  }

  onResponse(method: string, seconds: number): void {
    this.#deps.metrics.observe('sealbridge_rpc_request_duration_seconds', seconds, { method });
  }

  onRefused(reason: RpcRefusal): void {
    if (reason === 'max_connections') this.#deps.metrics.inc('sealbridge_rpc_connections_refused_total');
    else this.#deps.metrics.inc('sealbridge_invocations_rejected_total', { reason, source: 'rpc' });
  }

  #requireShard(shard: Uint8Array): void {
    if (!bytesEqual(shard, this.#deps.shard.shard)) throw new RpcServerError('SHARD_NOT_FOUND');
  }
}

/**
 * Refusals of the RPC server (request refusals count as rejected invocations, labelled source="rpc") and the
 * enclave's decryption counters, read from the pool whenever metrics are read.
 */
function defineRpcMetrics(metrics: EnclaveMetrics, enclave: TrustedEnclave): void {
  metrics.define('sealbridge_rpc_connections_refused_total', 'counter', 'RPC connections refused at the connection limit (HTTP 503)');
  metrics.define('sealbridge_enclave_private_key_ops_total', 'counter', 'RSA blocks handed to the enclave decryption threads, by priority');
  metrics.define('sealbridge_enclave_oversized_refused_total', 'counter', 'Shielded payloads over the size cap refused by the enclave undecrypted, by priority');
  metrics.define('sealbridge_enclave_import_ahead_of_rpc_total', 'counter', 'Import decryptions sent ahead of waiting RPC decryptions');
  metrics.define('sealbridge_enclave_decrypt_waiting', 'gauge', 'Ciphertexts waiting in the enclave decryption pool, by priority');
  metrics.onCollect(() => {
    const stats = enclave.decryptStats();
    for (const priority of DECRYPT_PRIORITIES) {
      metrics.set('sealbridge_enclave_private_key_ops_total', stats.privateKeyOps[priority], { priority });
      metrics.set('sealbridge_enclave_oversized_refused_total', stats.refusedOversized[priority], { priority });
      metrics.set('sealbridge_enclave_decrypt_waiting', stats.waiting[priority], { priority });
    }
    metrics.set('sealbridge_enclave_import_ahead_of_rpc_total', stats.importAheadOfRpc);
  });
}
