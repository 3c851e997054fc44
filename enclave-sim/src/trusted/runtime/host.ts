import type { HostOcalls } from '@sealbridge/enclave-api';

/**
 * The host's storage as the enclave uses it: sealed blobs under keys chosen by the enclave. Reads go out as OCALLs;
 * the writes of an import travel back in its result, so the host writes them in the block's one batch.
 */
export class HostStore {
  readonly #ocalls: HostOcalls;

  constructor(ocalls: HostOcalls) {
    this.#ocalls = ocalls;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#ocalls.sealed_get(key);
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#ocalls.sealed_put([key, value]);
  }

  delete(key: string): Promise<void> {
    return this.#ocalls.sealed_delete(key);
  }

  scan(prefix: string): Promise<Array<[string, Uint8Array]>> {
    return this.#ocalls.sealed_scan(prefix);
  }
}
