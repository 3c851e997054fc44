import fs from 'node:fs/promises';
import path from 'node:path';

import { EnclaveError } from './errors.js';
import type { EnclaveLog } from './log.js';
import { noopLog } from './log.js';
import type { SealedStorage } from './sealed-storage.js';

const BACKUP_SUFFIX = '.bak';
const TEMP_SUFFIX = '.tmp';
/** Holds the owning pid: two enclaves on one data dir would fork the Olm account and lose one-time keys. */
export const LOCK_FILE = 'enclave.lock';

/**
 * The enclave process's own sealed files: one file per name in the data directory. Writes are atomic (temp file,
 * fsync, rename, directory fsync); the previous generation is kept as `<name>.bak`.
 */
export class FileSealedStorage implements SealedStorage {
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Creates the directory if needed and takes its lock; `log` reports a stale lock being taken over. */
  static async open(dataDir: string, log: EnclaveLog = noopLog): Promise<FileSealedStorage> {
    if (typeof dataDir !== 'string' || dataDir.length === 0) throw new EnclaveError('INVALID_ARGUMENT', 'dataDir must be a non-empty path');
    const dir = path.resolve(dataDir);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await acquireLock(path.join(dir, LOCK_FILE), log);
    return new FileSealedStorage(dir);
  }

  /** Releases the data directory lock. */
  async close(): Promise<void> {
    await fs.rm(path.join(this.#dir, LOCK_FILE), { force: true });
  }

  #path(name: string): string {
    if (name !== path.basename(name) || name.startsWith('.') || name === LOCK_FILE) {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(lockPath: string, log: EnclaveLog): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnclaveError('STORAGE_FAILED', `cannot create ${lockPath}`, { cause: error });
      }
    }
    const owner = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && isAlive(owner)) {
      throw new EnclaveError('DATA_DIR_LOCKED', `${path.dirname(lockPath)} is in use by ${owner === process.pid ? 'another handle in this process' : `process ${owner}`}; close it first`);
    }
    log('warn', 'storage', 'taking over stale data directory lock', { lock: lockPath, previousOwner: owner });
    await fs.rm(lockPath, { force: true });
  }
  throw new EnclaveError('DATA_DIR_LOCKED', `${lockPath} keeps reappearing; another enclave is starting on this directory`);
}
