import { sign, type KeyObject } from 'node:crypto';

import { DEV_PHRASE, Keyring } from '@polkadot/keyring';
import { hexToU8a, isHex, stringToU8a, u8aEq, u8aToHex } from '@polkadot/util';
import { ed25519PairFromSeed, keyExtractSuri, keyFromPath, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import { ed25519PrivateKeyFromSeed } from '@sealbridge/chain-types';

import { DevChainError } from '../errors.js';

/** Names of the dev authorities `//Alice` … `//Ferdie`; the `n`-th authority past them is `//Authority<n>`. */
export const DEV_AUTHORITY_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;

/** SURI of the `i`-th (0-based) dev GRANDPA authority: `//Alice`, `//Bob`, …, `//Ferdie`, `//Authority7`, … */
export function devAuthorityUri(i: number): string {
  return `//${DEV_AUTHORITY_NAMES[i] ?? `Authority${i + 1}`}`;
}

/**
 * The node's GRANDPA keys (ed25519, `KeyTypeId` "gran"), derived from SURIs as polkadot-js' keyring and Substrate's
 * `--dev` key derivation do (`//Alice` = dev phrase + hard junction "Alice"). Signing goes through node:crypto with
 * the 32-byte seed (about 25 µs per signature).
 */
export class GrandpaKeystore {
  readonly #keys = new Map<string, { publicKey: Uint8Array; key: KeyObject }>();

  /** Adds the key of a SURI (`//Alice`, a mnemonic with junctions, or a 0x seed); returns its public key. */
  add(suri: string): Uint8Array {
    const full = suri.startsWith('//') ? `${DEV_PHRASE}${suri}` : suri;
    const { password, path, phrase } = keyExtractSuri(full);
    let seed: Uint8Array;
    if (isHex(phrase, 256)) seed = hexToU8a(phrase);
    else if ([12, 15, 18, 21, 24].includes(phrase.split(' ').length)) seed = mnemonicToMiniSecret(phrase, password);
    else if (phrase.length <= 32) seed = stringToU8a(phrase.padEnd(32));
    else throw new DevChainError('INVALID_ARGUMENT', `GRANDPA key "${suri}" is neither a mnemonic nor a seed`);
    const pair = keyFromPath(ed25519PairFromSeed(seed), path, 'ed25519');
    // The same public key polkadot-js' keyring derives, or the seed was read differently.
    if (!u8aEq(pair.publicKey, new Keyring({ type: 'ed25519' }).createFromUri(suri).publicKey)) {
      throw new DevChainError('INVALID_ARGUMENT', `GRANDPA key "${suri}" derives differently from polkadot-js' keyring`);
    }
    this.#keys.set(u8aToHex(pair.publicKey), { publicKey: pair.publicKey, key: ed25519PrivateKeyFromSeed(pair.secretKey.subarray(0, 32)) });
    return pair.publicKey;
  }

  has(id: Uint8Array): boolean {
    return this.#keys.has(u8aToHex(id));
  }

  get size(): number {
    return this.#keys.size;
  }

  /** ed25519 signature of `message` by the authority `id`. */
  sign(id: Uint8Array, message: Uint8Array): Uint8Array {
    const entry = this.#keys.get(u8aToHex(id));
    if (!entry) throw new DevChainError('INVALID_ARGUMENT', `no GRANDPA key for authority ${u8aToHex(id)}`);
    return new Uint8Array(sign(null, message, entry.key));
  }
}
