import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MANIFEST_FILE, mrenclaveOf, readManifest, verifyFile } from '../loader/measurement.js';
import { EnclaveError } from '../trusted/errors.js';

/** The simulated vendor key's hash is the MRSIGNER; the enclave computes it itself (trusted/vendor.ts). */
export { DEV_VENDOR_PUBLIC_KEY_HEX, devMrsigner } from '../trusted/vendor.js';

/** dist/enclave/: the bundled enclave (bootstrap.mjs, enclave.mjs, its WASM files and manifest.json). */
export const ENCLAVE_DIR = fileURLToPath(new URL('../enclave/', import.meta.url));

/**
 * MRENCLAVE of the bundled enclave in `dir` (default dist/enclave/, written by scripts/bundle-enclave.mjs): the hash
 * of its manifest (loader/measurement.ts `mrenclaveOf`), after re-hashing every listed file except the binaries
 * (workerd, 120 MB, is checked by the enclave process when it first needs it). Throws TRUSTED_BUNDLE_MISSING when
 * the enclave was not bundled, LoaderError ENCLAVE_FILE_TAMPERED / ENCLAVE_MANIFEST_INVALID when it does not check out.
 */
export async function measureEnclave(dir: string = ENCLAVE_DIR): Promise<Uint8Array> {
  if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) {
    throw new EnclaveError('TRUSTED_BUNDLE_MISSING', `no ${MANIFEST_FILE} in ${dir}; \`npm run build\` bundles the enclave`);
  }
  const real = fs.realpathSync(dir);
  const manifest = readManifest(real);
  for (const entry of manifest) if (entry.role !== 'binary') verifyFile(real, entry);
  return mrenclaveOf(manifest);
}
