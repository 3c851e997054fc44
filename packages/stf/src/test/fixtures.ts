// Shared fixtures of the STF specs (not exported from the package).
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { encodeTrustedGetter, encodeTrustedGetterSigned, type TrustedCall, type TrustedGetter } from '../codec.js';
import { signTrustedCall } from '../signing.js';
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
  const ed = new Keyring({ type: 'ed25519' });
  const enclave = ed.addFromUri('//SealbridgeEnclave');
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

const schemeOf = (pair: KeyringPair) => pair.type as 'sr25519' | 'ed25519';

/** A TrustedOperation signed by `pair` for MRENCLAVE/SHARD unless overridden. */
export function signed(
  pair: KeyringPair,
  call: TrustedCall,
  nonce: number,
  opts: { mrenclave?: Uint8Array; shard?: Uint8Array; kind?: 'indirect_call' | 'direct_call' } = {},
): Uint8Array {
  return signTrustedCall(call, nonce, (m) => pair.sign(m), schemeOf(pair), opts.mrenclave ?? MRENCLAVE, opts.shard ?? SHARD, opts.kind);
}

/** Getter::trusted signed by `pair` (the owner unless a test wants otherwise). */
export function getter(pair: KeyringPair, g: TrustedGetter): Uint8Array {
  return encodeTrustedGetterSigned(g, { scheme: schemeOf(pair), bytes: pair.sign(encodeTrustedGetter(g)) });
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
