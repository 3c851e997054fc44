import fs from 'node:fs/promises';
import path from 'node:path';

import { EnclaveError } from '../trusted/errors.js';
import type { SealedStorage } from '../trusted/sealed-storage.js';

const BACKUP_SUFFIX = '.bak';
const TEMP_SUFFIX = '.tmp';

/**
 * Host side of the storage OCALL: one file per name in the data directory. Writes are atomic (temp file,
 * fsync, rename, directory fsync); the previous generation is kept as `<name>.bak`.
 */
export class FileSealedStorage implements SealedStorage {
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async open(dataDir: string): Promise<FileSealedStorage> {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    return new FileSealedStorage(path.resolve(dataDir));
  }

  #path(name: string): string {
    if (name !== path.basename(name) || name.startsWith('.')) {
      throw new EnclaveError('INVALID_ARGUMENT', `sealed storage name "${name}" is not a plain file name`);
    }
    return path.join(this.#dir, name);
  }

  async #readFile(file: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new EnclaveError('STORAGE_FAILED', `cannot read ${file}`, { cause: error });
    }
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    return this.#readFile(this.#path(name));
  }

  async readBackup(name: string): Promise<Uint8Array | undefined> {
    return this.#readFile(this.#path(name) + BACKUP_SUFFIX);
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    const file = this.#path(name);
    const temp = file + TEMP_SUFFIX;
    try {
      const handle = await fs.open(temp, 'w', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // Keep the previous generation: if the new main copy ever fails to unseal, the enclave falls back to it.
      await fs.rename(file, file + BACKUP_SUFFIX).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await fs.rename(temp, file);
      const dir = await fs.open(this.#dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      throw new EnclaveError('STORAGE_FAILED', `cannot write ${file}`, { cause: error });
    }
  }
}
