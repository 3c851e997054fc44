import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DEV_ATTESTATION_SERVICE_PUBLIC_KEY } from '@sealbridge/chain-types';
import { trieReady } from '@sealbridge/trie';

import type { SealMode } from './chain.js';
import type { Logger } from './log.js';
import type { PalletDefinition } from './runtime/pallet.js';

import { Chain, DEFAULT_MAX_EXTRINSICS_PER_BLOCK } from './chain.js';
import { DevChainError } from './errors.js';
import { DEFAULT_JUSTIFICATION_PERIOD } from './grandpa/finality.js';
import { GrandpaKeystore, devAuthorityUri } from './grandpa/keystore.js';
import { NOOP_LOGGER } from './log.js';
import { BALANCES_PALLET, EXISTENTIAL_DEPOSIT } from './pallets/balances.js';
import { ENCLAVE_BRIDGE_PALLET } from './pallets/enclave-bridge.js';
import { GRANDPA_PALLET, MAX_AUTHORITIES } from './pallets/grandpa.js';
import { SUDO_PALLET } from './pallets/sudo.js';
import { SYSTEM_PALLET } from './pallets/system.js';
import { TEEREX_PALLET } from './pallets/teerex.js';
import { TIMESTAMP_PALLET } from './pallets/timestamp.js';
import { WORKER_ENV_PALLET } from './pallets/worker-env.js';
import { RpcServer } from './rpc/server.js';
import { Runtime } from './runtime/runtime.js';
import { WorkerVerifier } from './runtime/verifier.js';
import { LevelChainStore } from './store.js';

/** The pallet table of the dev runtime (indices as on Integritee chains where they exist). */
export const DEFAULT_PALLETS: readonly PalletDefinition[] = [
  SYSTEM_PALLET,
  TIMESTAMP_PALLET,
  GRANDPA_PALLET,
  BALANCES_PALLET,
  SUDO_PALLET,
  TEEREX_PALLET,
  ENCLAVE_BRIDGE_PALLET,
  WORKER_ENV_PALLET,
];

export const TEER = 1_000_000_000_000n;
export const DEV_ACCOUNT_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;
export const DEV_ACCOUNT_BALANCE = 1_000_000n * TEER;
export const MIN_BLOCK_TIME_MS = 100;
export const DEFAULT_BLOCK_TIME_MS = 6000;
/** Simulated quotes older than this are rejected at registration (like Integritee's 24 h IAS window). */
export const DEFAULT_MAX_QUOTE_AGE_MS = 24 * 3600 * 1000;
export const DEFAULT_VERIFIER_THREADS = 1;
export const DEFAULT_GRANDPA_AUTHORITIES = 1;

export interface DevChainOptions {
  /** Default 9944; 0 picks a free port. */
  port?: number;
  host?: string;
  /** 'instant' | 'manual' | interval as ms number or '6s' / '500ms'. Default 'instant'. */
  blockTime?: string | number;
  /** Finalized head trails the best block by this many blocks (instant/interval modes). Default 0. */
  finalityLag?: number;
  /** LevelDB directory; in-memory when omitted. */
  db?: string;
  logger?: Logger;
  /** Pallets added to DEFAULT_PALLETS (a later task's pallet goes here; the engine needs no change). */
  extraPallets?: PalletDefinition[];
  /** Genesis balances; default //Alice … //Ferdie (sr25519) with 1,000,000 TEER each. */
  endowed?: { account: Uint8Array; free: bigint }[];
  /** Sudo key; default //Alice. */
  sudoKey?: Uint8Array | null;
  attestationServicePublicKey?: Uint8Array;
  maxQuoteAgeMs?: number;
  maxExtrinsicsPerBlock?: number;
  /** Worker threads verifying extrinsic signatures (0 = on the event loop). Default 1. */
  verifierThreads?: number;
  /**
   * Genesis GRANDPA authorities: the first N of //Alice, //Bob, //Charlie, //Dave, //Eve, //Ferdie, //Authority7, …
   * (ed25519, weight 1). Default 1 (//Alice, as Substrate's dev chain).
   */
  grandpaAuthorities?: number;
  /** A justification is kept (and shown by chain_getBlock) every this many blocks, besides set changes. Default 512; 0 = only set changes. */
  justificationPeriod?: number;
  /**
   * More GRANDPA keys the node holds (SURIs, ed25519), so that `Grandpa.schedule_change` may name them. Always held:
   * //Alice … //Ferdie and the genesis authorities.
   */
  grandpaKeys?: string[];
}

export interface DevChain {
  url: string;
  port: number;
  chain: Chain;
  stop(): Promise<void>;
}

export function parseBlockTime(value: string | number | undefined): { mode: SealMode; blockTimeMs: number } {
  if (value === undefined || value === 'instant') return { mode: 'instant', blockTimeMs: DEFAULT_BLOCK_TIME_MS };
  if (value === 'manual') return { mode: 'manual', blockTimeMs: DEFAULT_BLOCK_TIME_MS };
  let ms: number;
  if (typeof value === 'number') ms = value;
  else {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
    if (!m) throw new DevChainError('INVALID_ARGUMENT', `block time "${value}" is not instant, manual, <n>ms or <n>s`);
    ms = Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
  }
  if (!Number.isFinite(ms) || ms < MIN_BLOCK_TIME_MS) throw new DevChainError('INVALID_ARGUMENT', `block time must be at least ${MIN_BLOCK_TIME_MS} ms`);
  return { mode: 'interval', blockTimeMs: ms };
}

/** sr25519 public keys of //Alice … //Ferdie. */
export async function devAccounts(): Promise<Record<(typeof DEV_ACCOUNT_NAMES)[number], Uint8Array>> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  return Object.fromEntries(DEV_ACCOUNT_NAMES.map((n) => [n, keyring.addFromUri(`//${n}`).publicKey])) as Record<(typeof DEV_ACCOUNT_NAMES)[number], Uint8Array>;
}

/** Starts the chain and its WebSocket RPC server. */
export async function startDevChain(options: DevChainOptions = {}): Promise<DevChain> {
  await cryptoWaitReady();
  await trieReady();
  const { mode, blockTimeMs } = parseBlockTime(options.blockTime);
  const finalityLag = options.finalityLag ?? 0;
  if (!Number.isInteger(finalityLag) || finalityLag < 0) throw new DevChainError('INVALID_ARGUMENT', 'finalityLag must be a non-negative integer');
  const port = options.port ?? 9944;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DevChainError('INVALID_ARGUMENT', `invalid port ${port}`);
  const logger = options.logger ?? NOOP_LOGGER;
  const verifierThreads = options.verifierThreads ?? DEFAULT_VERIFIER_THREADS;
  if (!Number.isInteger(verifierThreads) || verifierThreads < 0) throw new DevChainError('INVALID_ARGUMENT', 'verifierThreads must be a non-negative integer');
  const grandpaCount = options.grandpaAuthorities ?? DEFAULT_GRANDPA_AUTHORITIES;
  if (!Number.isInteger(grandpaCount) || grandpaCount < 1 || grandpaCount > MAX_AUTHORITIES) {
    throw new DevChainError('INVALID_ARGUMENT', `grandpaAuthorities must be an integer from 1 to ${MAX_AUTHORITIES}`);
  }
  const justificationPeriod = options.justificationPeriod ?? DEFAULT_JUSTIFICATION_PERIOD;
  if (!Number.isInteger(justificationPeriod) || justificationPeriod < 0) throw new DevChainError('INVALID_ARGUMENT', 'justificationPeriod must be a non-negative integer');
  const dev = await devAccounts();
  const keystore = new GrandpaKeystore();
  const genesisAuthorities = Array.from({ length: grandpaCount }, (_, i) => ({ id: keystore.add(devAuthorityUri(i)), weight: 1n }));
  for (let i = grandpaCount; i < DEV_ACCOUNT_NAMES.length; i++) keystore.add(devAuthorityUri(i));
  for (const suri of options.grandpaKeys ?? []) keystore.add(suri);
  const runtime = new Runtime([...DEFAULT_PALLETS, ...(options.extraPallets ?? [])], {
    existentialDeposit: EXISTENTIAL_DEPOSIT,
    attestationServicePublicKey: options.attestationServicePublicKey ?? DEV_ATTESTATION_SERVICE_PUBLIC_KEY,
    maxQuoteAgeMs: options.maxQuoteAgeMs ?? DEFAULT_MAX_QUOTE_AGE_MS,
    holdsGrandpaKey: (id) => keystore.has(id),
  });
  const store = options.db ? await LevelChainStore.open(options.db) : undefined;
  let chain: Chain;
  try {
    chain = await Chain.create({
      runtime,
      mode,
      blockTimeMs,
      finalityLag,
      maxExtrinsicsPerBlock: options.maxExtrinsicsPerBlock ?? DEFAULT_MAX_EXTRINSICS_PER_BLOCK,
      endowed: options.endowed ?? Object.values(dev).map((account) => ({ account, free: DEV_ACCOUNT_BALANCE })),
      sudoKey: options.sudoKey === undefined ? dev.Alice : options.sudoKey,
      logger,
      store,
      verifier: verifierThreads > 0 ? new WorkerVerifier(verifierThreads) : undefined,
      grandpa: { authorities: genesisAuthorities, keystore, justificationPeriod },
    });
  } catch (e) {
    await store?.close();
    throw e;
  }
  let server: RpcServer;
  try {
    server = await RpcServer.listen(chain, options.host ?? '127.0.0.1', port, logger);
  } catch (e) {
    await chain.stop();
    throw e;
  }
  const host = options.host ?? '127.0.0.1';
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  logger.log('info', 'dev chain listening', {
    url,
    mode,
    blockTimeMs,
    finalityLag,
    grandpaAuthorities: grandpaCount,
    justificationPeriod,
    genesis: chain.genesisHash,
    best: chain.bestNumber,
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    port: server.port,
    chain,
    stop: () => (stopping ??= server.close().then(() => chain.stop())),
  };
}
