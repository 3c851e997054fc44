import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { CliError, CliErrorCode } from './errors.js';
import type { Keystore } from './keystore.js';

/** SS58 prefix of the Sealbridge dev chain and Integritee's network, until the connected chain or --ss58-prefix says otherwise. */
export const DEFAULT_SS58_PREFIX = 13;
/** What Substrate assumes for a chain whose properties name no ss58Format. */
const GENERIC_SS58_PREFIX = 42;

let ss58Prefix = DEFAULT_SS58_PREFIX;
let prefixFixed = false;

/**
 * Applies --ss58-prefix: a number fixes the prefix of every printed address; 'chain' leaves it to
 * {@link adoptChainSs58Prefix} once the command connects to the parentchain.
 */
export function useSs58Prefix(option: string): void {
  prefixFixed = option !== 'chain';
  ss58Prefix = prefixFixed ? Number(option) : DEFAULT_SS58_PREFIX;
}

/** The connected chain's `ss58Format` (system_properties), so the CLI prints addresses as the chain and the worker do. */
export function adoptChainSs58Prefix(chainSs58: number | undefined): void {
  if (!prefixFixed) ss58Prefix = chainSs58 ?? GENERIC_SS58_PREFIX;
}

/** Callers must have awaited `cryptoWaitReady()` (done once in main). */
export function createKeyring(): Keyring {
  return new Keyring({ type: 'sr25519', ss58Format: ss58Prefix });
}

export function toSs58(publicKey: Uint8Array): string {
  return encodeAddress(publicKey, ss58Prefix);
}

/** `//Alice`, `//Alice//stash`, `mnemonic words…//hard/soft///password`. */
function isSecretUri(arg: string): boolean {
  return arg.startsWith('//') || arg.trim().split(/\s+/).length >= 12;
}

/**
 * Public key of an SS58 address or 0x-hex account id, or undefined when it is neither. An address whose checksum
 * does not match is an error of its own: a mistyped address must not read as "not an account".
 */
function publicKeyOf(arg: string): Uint8Array | undefined {
  if (isHex(arg, 256)) return hexToU8a(arg);
  try {
    return decodeAddress(arg);
  } catch (error) {
    if (/checksum/i.test((error as Error).message)) {
      throw new CliError(CliErrorCode.BAD_INPUT, `'${arg}' has an invalid SS58 checksum (a mistyped or truncated address?)`, { cause: error });
    }
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
