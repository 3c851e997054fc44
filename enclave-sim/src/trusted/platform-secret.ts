import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { EnclaveError } from './errors.js';
import { PLATFORM_SECRET_BYTES } from './sealing.js';

/** Default location, deliberately outside any data directory (a copied data dir must not carry its own key). */
export function defaultPlatformSecretPath(): string {
  return path.join(os.homedir(), '.sealbridge', 'platform-secret');
}

/**
 * Reads the simulated CPU sealing root, creating 32 random bytes (mode 0600) on first use. It must live
 * outside the data directory and must not be readable by group/others.
 */
export async function loadOrCreatePlatformSecret(secretPath: string, dataDir: string): Promise<Uint8Array> {
  const file = path.resolve(secretPath);
  const relative = path.relative(path.resolve(dataDir), file);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new EnclaveError('PLATFORM_SECRET_INVALID', `platform secret ${file} must not be inside the data directory ${dataDir}`);
  }
  try {
    const secret = await fs.readFile(file);
    const { mode } = await fs.stat(file);
    if ((mode & 0o077) !== 0) {
      throw new EnclaveError('PLATFORM_SECRET_INVALID', `platform secret ${file} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
    }
    if (secret.length !== PLATFORM_SECRET_BYTES) {
      throw new EnclaveError('PLATFORM_SECRET_INVALID', `platform secret ${file} has ${secret.length} bytes, expected ${PLATFORM_SECRET_BYTES}`);
    }
    return new Uint8Array(secret);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(PLATFORM_SECRET_BYTES);
  // 'wx': never overwrite a secret another process created in the meantime.
  await fs.writeFile(file, secret, { mode: 0o600, flag: 'wx' });
  return new Uint8Array(secret);
}
