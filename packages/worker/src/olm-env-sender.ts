// The sender's side of `WorkerEnv.set_env`: what a user (CLI, test, app) runs to get a secret to a worker.
// Plain Olm v1 (libolm 3.2.15 via @matrix-org/olm): 3DH of the sender identity key and an ephemeral base key
// against the worker's identity key and one of its published one-time keys, then one Double Ratchet message
// (AES-256-CBC + HMAC-SHA-256 truncated to 8 bytes). A vodozemac peer must use SessionConfig::version_1().
import { randomInt } from 'node:crypto';

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { hexToU8a, isHex, u8aEq, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import Olm from '@matrix-org/olm';

import { ENV_MESSAGE_VERSION, olmBase64, parseShard, SealbridgeError, type EnvMessage, type SetEnvStatus } from '@sealbridge/chain-types';
import { initOlm } from '@sealbridge/enclave-sim';


export const SET_ENV_ERROR_CODES = ['NO_OLM_KEYS', 'NO_ONE_TIME_KEYS', 'UNKNOWN_TARGET', 'TIMEOUT'] as const;
export class SetEnvError extends SealbridgeError<(typeof SET_ENV_ERROR_CODES)[number]> {}

export interface EnvTarget {
  /** The worker's enclave account (holder of the Olm keys). */
  worker: Uint8Array;
  shard: Uint8Array;
}

/**
 * Resolves `<worker-account|shard>`: an account with published Olm keys is a worker (its shard is its MRENCLAVE
 * unless `shard` is given); otherwise the value is a shard and its primary worker (`ShardStatus[shard][0]`) is used.
 */
export async function resolveEnvTarget(api: ApiPromise, target: string, shard?: string): Promise<EnvTarget> {
  const bytes = toBytes32(target);
  if (!(await api.query.workerEnv.identityKeys(bytes)).isEmpty) {
    if (shard) return { worker: bytes, shard: toBytes32(shard) };
    const enclave = (await api.query.teerex.sovereignEnclaves(bytes)).toJSON() as { sgx?: { mrEnclave: string } } | null;
    if (!enclave?.sgx) throw new SetEnvError('UNKNOWN_TARGET', `${target} is not a registered enclave; pass the shard`);
    return { worker: bytes, shard: hexToU8a(enclave.sgx.mrEnclave) };
  }
  const status = (await api.query.enclaveBridge.shardStatus(bytes)).toJSON() as Array<{ signer: string }> | null;
  if (!status?.length) throw new SetEnvError('UNKNOWN_TARGET', `${target} is neither a worker with Olm keys nor a shard with a worker`);
  return { worker: decodeAddress(status[0]!.signer), shard: bytes };
}

/** 0x-hex, SS58 account or base58 shard → 32 bytes. */
function toBytes32(value: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (isHex(value)) bytes = hexToU8a(value);
  else {
    try {
      bytes = decodeAddress(value);
    } catch {
      try {
        bytes = parseShard(value);
      } catch {
        bytes = undefined;
      }
    }
  }
  if (bytes?.length !== 32) throw new SetEnvError('UNKNOWN_TARGET', `${value} is neither an account (SS58/0x) nor a shard (base58/0x)`);
  return bytes;
}

export interface PrepareSetEnvOptions extends EnvTarget {
  /** Account that will sign the extrinsic (bound into the message; the worker checks it against the origin). */
  sender: Uint8Array;
  /** Variables to set; null deletes one. */
  env: Record<string, string | null>;
  /** The sender's Olm account; an ephemeral one when omitted (the chain origin authenticates the sender). */
  account?: Olm.Account;
}

export interface PreparedSetEnv {
  tx: SubmittableExtrinsic<'promise'>;
  oneTimeKey: Uint8Array;
  senderIdentityKey: Uint8Array;
  /** The binary Olm pre-key message (the base64 body decoded). */
  preKeyMessage: Uint8Array;
}

/** Reads the worker's Olm keys from chain storage, encrypts the env to a random one-time key and builds `set_env`. */
export async function prepareSetEnv(api: ApiPromise, options: PrepareSetEnvOptions): Promise<PreparedSetEnv> {
  await initOlm();
  const { worker, shard, sender, env } = options;
  const identity = await api.query.workerEnv.identityKeys(worker);
  if (identity.isEmpty) throw new SetEnvError('NO_OLM_KEYS', `worker ${u8aToHex(worker)} has published no Olm keys`);
  const keys = (await api.query.workerEnv.oneTimeKeys(worker)) as unknown as Array<{ toU8a(): Uint8Array }>;
  if (keys.length === 0) throw new SetEnvError('NO_ONE_TIME_KEYS', `worker ${u8aToHex(worker)} has no unclaimed one-time keys; retry after it publishes more`);
  // A random key, so that concurrent senders rarely claim the same one (the loser's set_env fails on chain).
  const oneTimeKey = keys[randomInt(keys.length)]!.toU8a();
  const account = options.account ?? new Olm.Account();
  if (!options.account) account.create();
  const session = new Olm.Session();
  try {
    session.create_outbound(account, olmBase64(identity.toU8a(true)), olmBase64(oneTimeKey));
    const message: EnvMessage = { v: ENV_MESSAGE_VERSION, shard: u8aToHex(shard), worker: u8aToHex(worker), sender: u8aToHex(sender), env };
    const { type, body } = session.encrypt(JSON.stringify(message));
    if (type !== 0) throw new Error('libolm produced a normal message for a fresh outbound session');
    const senderIdentityKey = new Uint8Array(Buffer.from((JSON.parse(account.identity_keys()) as { curve25519: string }).curve25519, 'base64'));
    const preKeyMessage = new Uint8Array(Buffer.from(body, 'base64'));
    const tx = api.tx.workerEnv.setEnv(u8aToHex(shard), u8aToHex(worker), u8aToHex(senderIdentityKey), u8aToHex(oneTimeKey), u8aToHex(preKeyMessage));
    return { tx, oneTimeKey, senderIdentityKey, preKeyMessage };
  } finally {
    session.free();
    if (!options.account) account.free();
  }
}

/** The worker's `EnvResult` for the claim of `oneTimeKey`, searched in finalized blocks from `fromBlock` on. */
export async function waitForEnvResult(api: ApiPromise, worker: Uint8Array, oneTimeKey: Uint8Array, fromBlock: number, timeoutMs = 60_000): Promise<SetEnvStatus> {
  const deadline = Date.now() + timeoutMs;
  let next = fromBlock;
  while (Date.now() < deadline) {
    const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    for (; next <= finalized; next++) {
      const events = (await (await api.at(await api.rpc.chain.getBlockHash(next))).query.system.events()) as unknown as EventRecord[];
      for (const { event } of events) {
        if (event.section !== 'workerEnv' || event.method !== 'EnvResult') continue;
        const [who, key, status] = event.data;
        if (u8aEq(who!.toU8a(), worker) && u8aEq(key!.toU8a(), oneTimeKey)) return status!.toString() as SetEnvStatus;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new SetEnvError('TIMEOUT', `no acknowledgement from worker ${u8aToHex(worker)} within ${timeoutMs} ms`);
}
