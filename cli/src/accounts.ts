import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { CliError, CliErrorCode } from './errors.js';
import type { Keystore } from './keystore.js';

/** SS58 prefix of the Sealbridge / Integritee parentchain. */
export const SS58_FORMAT = 13;

/** Callers must have awaited `cryptoWaitReady()` (done once in main). */
export function createKeyring(): Keyring {
  return new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
}

export function toSs58(publicKey: Uint8Array): string {
  return encodeAddress(publicKey, SS58_FORMAT);
}

/** `//Alice`, `//Alice//stash`, `mnemonic words…//hard/soft///password`. */
function isSecretUri(arg: string): boolean {
  return arg.startsWith('//') || arg.trim().split(/\s+/).length >= 12;
}

/** Public key of an SS58 address or 0x-hex account id, or undefined when it is neither. */
function publicKeyOf(arg: string): Uint8Array | undefined {
  if (isHex(arg, 256)) return hexToU8a(arg);
  try {
    return decodeAddress(arg);
  } catch {
    return undefined;
  }
}

/** An account argument that must be able to sign: secret URI, or SS58/hex found in the keystore. */
export async function resolveSigner(arg: string, keystore: Keystore): Promise<KeyringPair> {
  if (isSecretUri(arg)) return createKeyring().addFromUri(arg);
  const publicKey = publicKeyOf(arg);
  if (!publicKey) throw new CliError(CliErrorCode.UNKNOWN_ACCOUNT, `'${arg}' is not an account (expected //Seed, mnemonic, SS58 or 0x-hex)`);
  const pair = await keystore.find(publicKey);
  if (!pair) {
    throw new CliError(
      CliErrorCode.UNKNOWN_ACCOUNT,
      `account ${toSs58(publicKey)} is not in keystore ${keystore.dir}; pass its //Seed or mnemonic, or create one with new-account`,
    );
  }
  return pair;
}

/** An account argument used only as a destination: secret URI, SS58 or 0x-hex → 32-byte account id. */
export function resolveAccountId(arg: string): Uint8Array {
  if (isSecretUri(arg)) return createKeyring().addFromUri(arg).publicKey;
  const publicKey = publicKeyOf(arg);
  if (!publicKey || publicKey.length !== 32) {
    throw new CliError(CliErrorCode.UNKNOWN_ACCOUNT, `'${arg}' is not an account (expected //Seed, mnemonic, SS58 or 0x-hex)`);
  }
  return publicKey;
}
