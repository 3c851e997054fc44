import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EnclaveError } from '../trusted/errors.js';

/**
 * Public key of the simulated enclave vendor ("ISV") signing key. Only the public half exists in the repo:
 * the simulator never signs a SIGSTRUCT, it only needs the key's hash as MRSIGNER. Dev constant.
 */
export const DEV_VENDOR_PUBLIC_KEY_HEX = '0ea660faeded4bb9ffd8ee42a91b4e6cb18c21b97d4ae899980a82265f2567fe';

/** dist/trusted/ next to this compiled file (dist/host/). */
export const TRUSTED_BUNDLE_DIR = fileURLToPath(new URL('../trusted/', import.meta.url));

/** MRSIGNER = SHA-256(vendor public key). */
export function devMrsigner(): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.from(DEV_VENDOR_PUBLIC_KEY_HEX, 'hex')).digest());
}

/**
 * MRENCLAVE = SHA-256 over the trusted bundle: every `*.js` file below `dir` (specs excluded), in sorted order
 * of their POSIX relative paths, each as `path ‖ 0x00 ‖ u64le(size) ‖ contents`.
 */
export async function measureTrustedBundle(dir: string = TRUSTED_BUNDLE_DIR): Promise<Uint8Array> {
  const entries = (await fs.readdir(dir, { recursive: true }))
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js'))
    .sort();
  if (entries.length === 0) throw new EnclaveError('TRUSTED_BUNDLE_MISSING', `no trusted code found in ${dir}; build enclave-sim first`);
  const hash = createHash('sha256');
  for (const rel of entries) {
    const contents = await fs.readFile(path.join(dir, rel));
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(contents.length));
    hash.update(Buffer.from(rel, 'utf8')).update(Uint8Array.of(0)).update(size).update(contents);
  }
  return new Uint8Array(hash.digest());
}
