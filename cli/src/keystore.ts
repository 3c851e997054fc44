import fs from 'node:fs/promises';
import path from 'node:path';
import { u8aToHex } from '@polkadot/util';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { createKeyring } from './accounts.js';

// Same layout as integritee-cli (substrate LocalKeystore): one file per key, named hex("sr25") + hex(public key),
// holding the secret phrase as a JSON string. Keystores of both CLIs are therefore interchangeable.
const SR25519_PREFIX = '73723235';

export class Keystore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates a fresh sr25519 account from a new mnemonic and stores it. */
  async generate(): Promise<KeyringPair> {
    const phrase = mnemonicGenerate(12);
    const pair = createKeyring().addFromUri(phrase);
    // Secret phrases: only the owner may list or read them (directories created here 0700, files 0600).
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(this.#file(pair.publicKey), JSON.stringify(phrase), { mode: 0o600 });
    return pair;
  }

  /** Public keys of all stored sr25519 accounts, sorted. */
  async list(): Promise<Uint8Array[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => n.startsWith(SR25519_PREFIX) && /^[0-9a-f]{72}$/.test(n))
      .sort()
      .map((n) => Uint8Array.from(Buffer.from(n.slice(SR25519_PREFIX.length), 'hex')));
  }

  /** The key pair of a stored account, or undefined when the keystore does not hold it. */
  async find(publicKey: Uint8Array): Promise<KeyringPair | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.#file(publicKey), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return createKeyring().addFromUri(JSON.parse(text) as string);
  }

  #file(publicKey: Uint8Array): string {
    return path.join(this.dir, SR25519_PREFIX + u8aToHex(publicKey, -1, false));
  }
}
