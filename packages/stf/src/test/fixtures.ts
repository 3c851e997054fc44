// Shared fixtures of the STF specs (not exported from the package).
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { signTrustedCall, signTrustedGetter } from '@sealbridge/chain-types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { encodeCallOperation, type Call, type Query } from '../codec.js';
import type { ExecutionEnv } from '../execute.js';
import type { BlockContext } from '../smart-worker.js';

export const UNIT = 10n ** 12n;
export const MRENCLAVE = new Uint8Array(32).fill(0x11);
export const SHARD = MRENCLAVE; // default shard = MRENCLAVE

export interface Actors {
  alice: KeyringPair; // //AliceIncognito
  bob: KeyringPair; // fresh incognito account
  charlie: KeyringPair;
  ferdie: KeyringPair; // L1 beneficiary
  sudo: KeyringPair; // //Alice
  enclave: KeyringPair; // ed25519 enclave signer
  env: ExecutionEnv;
}

export async function actors(): Promise<Actors> {
  await cryptoWaitReady();
  const sr = new Keyring({ type: 'sr25519' });
  const enclave = new Keyring({ type: 'ed25519' }).addFromUri('//SealbridgeEnclave');
  const sudo = sr.addFromUri('//Alice');
  return {
    alice: sr.addFromUri('//AliceIncognito'),
    bob: sr.addFromUri('//BobIncognitoFresh'),
    charlie: sr.addFromUri('//CharlieIncognitoFresh'),
    ferdie: sr.addFromUri('//Ferdie'),
    sudo,
    enclave,
    env: { mrenclave: MRENCLAVE, shard: SHARD, enclaveAccount: enclave.publicKey, sudoAccount: sudo.publicKey },
  };
}

export const ctx = (blockNumber: number): BlockContext => ({ blockNumber, blockHash: new Uint8Array(32).fill(blockNumber & 0xff) });

/** The decoded view as a chain-types createType value (Vec<u8> given as hex, which polkadot-js takes as raw). */
export function callValue(call: Call): object {
  switch (call.kind) {
    case 'noop':
      return { noop: call.who };
    case 'balance_set_balance':
      return { balance_set_balance: [call.root, call.who, call.free, call.reserved] };
    case 'balance_transfer':
      return { balance_transfer: [call.from, call.to, call.amount] };
    case 'balance_unshield':
      return { balance_unshield: [call.from, call.beneficiary, call.amount, call.shard] };
    case 'balance_shield':
      return { balance_shield: [call.enclave, call.who, call.amount, call.parentchainId] };
    case 'timestamp_set':
      return { timestamp_set: [call.enclave, call.now, call.parentchainId] };
    case 'smart_worker_call':
      return { smart_worker_call: [call.sender, call.worker, u8aToHex(call.input)] };
  }
}

/** A TrustedOperation signed by `pair` for MRENCLAVE/SHARD unless overridden. */
export function signed(
  pair: KeyringPair,
  call: Call,
  nonce: number,
  opts: { mrenclave?: Uint8Array; shard?: Uint8Array; kind?: 'indirect_call' | 'direct_call' } = {},
): Uint8Array {
  const tcs = signTrustedCall(pair, callValue(call), nonce, opts.mrenclave ?? MRENCLAVE, opts.shard ?? SHARD);
  return encodeCallOperation(opts.kind ?? 'indirect_call', tcs);
}

export function queryValue(q: Query): object {
  if (q.kind === 'smart_worker_result') return { smart_worker_result: [q.who, q.callHash] };
  if (q.kind === 'env_names') return { env_names: [q.who, q.worker] };
  if (q.kind === 'operation_outcome') return { operation_outcome: [q.who, q.topHash] };
  return { [q.kind]: q.who };
}

/** SCALE Getter::trusted signed by `pair` (the owner unless a test wants otherwise). */
export function getter(pair: KeyringPair, q: Query): Uint8Array {
  return u8aConcat([1], signTrustedGetter(pair, queryValue(q)));
}

export const u128 = (b: Uint8Array | null): bigint => {
  if (!b || b.length !== 16) throw new Error('not a u128');
  const view = new DataView(b.buffer, b.byteOffset, 16);
  return view.getBigUint64(0, true) | (view.getBigUint64(8, true) << 64n);
};
export const u32 = (b: Uint8Array | null): number => {
  if (!b || b.length !== 4) throw new Error('not a u32');
  return new DataView(b.buffer, b.byteOffset).getUint32(0, true);
};
