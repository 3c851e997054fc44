import { EnclaveError } from './errors.js';
import type { EnclaveLog } from './log.js';
import type { SealedStorage } from './sealed-storage.js';
import type { Sealer, SealPolicy } from './sealing.js';

/** Storage names are also file names on the host, so keep them to a safe alphabet. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Purpose prefix of enclave-internal state, so the public seal() ECALL can never mint a blob the enclave would load as its own. */
const INTERNAL_PURPOSE_PREFIX = 'enclave/';

/**
 * The enclave's view of persistent state: unseals what the host returns, falls back to the host's backup
 * (loudly) when the main copy does not unseal, and serialises writes per name so the newest state wins.
 */
export class SealedStore {
  readonly #storage: SealedStorage;
  readonly #sealer: Sealer;
  readonly #log: EnclaveLog;
  readonly #writes = new Map<string, Promise<void>>();

  constructor(storage: SealedStorage, sealer: Sealer, log: EnclaveLog) {
    this.#storage = storage;
    this.#sealer = sealer;
    this.#log = log;
  }

  async load(name: string): Promise<Uint8Array | undefined> {
    checkName(name);
    const purpose = INTERNAL_PURPOSE_PREFIX + name;
    const main = await this.#storage.read(name);
    let mainError: EnclaveError | undefined;
    if (main) {
      try {
        return this.#sealer.unseal(purpose, main);
      } catch (error) {
        mainError = error as EnclaveError;
      }
    }
    const backup = await this.#storage.readBackup?.(name);
    if (!backup) {
      if (mainError) throw new EnclaveError('UNSEAL_FAILED', `sealed file ${name}: ${mainError.message}; no backup`, { cause: mainError });
      return undefined;
    }
    try {
      const plaintext = this.#sealer.unseal(purpose, backup);
      this.#log('warn', 'sealed-store', 'main sealed file unusable, restored from backup', {
        file: name,
        reason: mainError ? mainError.message : 'missing',
      });
      return plaintext;
    } catch (backupError) {
      throw new EnclaveError(
        'UNSEAL_FAILED',
        `sealed file ${name}: ${mainError ? mainError.message : 'missing'}; backup: ${(backupError as Error).message}`,
        { cause: mainError ?? backupError },
      );
    }
  }

  /** Seals and writes; resolves once this (and every earlier) write of `name` is durable. */
  save(name: string, plaintext: Uint8Array, policy: SealPolicy): Promise<void> {
    checkName(name);
    const sealed = this.#sealer.seal(INTERNAL_PURPOSE_PREFIX + name, plaintext, policy);
    const previous = this.#writes.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#storage.write(name, sealed));
    this.#writes.set(name, next);
    return next;
  }

  /** Waits for all pending writes, then tells the host storage the enclave is done with it. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#writes.values()]);
    await this.#storage.close?.();
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new EnclaveError('INVALID_ARGUMENT', `invalid sealed storage name "${name}"`);
}
