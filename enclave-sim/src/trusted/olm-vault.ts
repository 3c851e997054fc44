import { createHash } from 'node:crypto';

import { EnclaveError } from './errors.js';
import type { EnclaveLog } from './log.js';
import { OlmAccount, initOlm, preKeyMessageOneTimeKey } from './olm-adapter.js';
import type { SealedStore } from './sealed-store.js';
import type { Sealer } from './sealing.js';
import { KEY_SEAL_POLICY, MAX_OLM_ONE_TIME_KEYS_PER_CALL, OLM_ACCOUNT_FILE } from './settings.js';

/** Sealed content: the libolm pickle plus our own record of every unused one-time key (published or not). */
interface OlmState {
  v: 1;
  pickle: string;
  /** keyId → curve25519 key; libolm cannot list published keys, but we must check a message targets one of ours. */
  oneTimeKeys: Record<string, string>;
  /** Retained plaintexts (message id → base64), sealed together with the consumed one-time key. */
  retained?: Record<string, string>;
}

export interface PreKeyMessage {
  senderIdentityKey: string;
  /** The one-time key (base64) the sender claims to have used; must be ours and unused. */
  oneTimeKey: string;
  /** Base64 body of the Olm type-0 message. */
  ciphertext: string;
}

/** Id of a pre-key message: hex SHA-256 of its binary form (the base64 body decoded). */
export function preKeyMessageId(ciphertext: string): string {
  return createHash('sha256').update(Buffer.from(ciphertext, 'base64')).digest('hex');
}

/**
 * The enclave's Olm account. The pickle is encrypted with a sealing-derived key and then sealed, and
 * re-sealed after every state change before the result leaves the enclave.
 */
export class OlmVault {
  readonly #account: OlmAccount;
  readonly #oneTimeKeys: Map<string, string>;
  readonly #pickleKey: Uint8Array;
  readonly #store: SealedStore;
  readonly #retained: Map<string, string>;

  private constructor(account: OlmAccount, oneTimeKeys: Map<string, string>, pickleKey: Uint8Array, store: SealedStore, retained = new Map<string, string>()) {
    this.#account = account;
    this.#oneTimeKeys = oneTimeKeys;
    this.#retained = retained;
    this.#pickleKey = pickleKey;
    this.#store = store;
  }

  static async open(store: SealedStore, sealer: Sealer, log: EnclaveLog): Promise<OlmVault> {
    await initOlm();
    const pickleKey = sealer.deriveKey(KEY_SEAL_POLICY, 'olm-pickle');
    const sealed = await store.load(OLM_ACCOUNT_FILE);
    if (!sealed) {
      const vault = new OlmVault(OlmAccount.create(), new Map(), pickleKey, store);
      await vault.#persist();
      log('info', 'olm', 'created and sealed new Olm account', { file: OLM_ACCOUNT_FILE });
      return vault;
    }
    let state: OlmState;
    try {
      state = JSON.parse(Buffer.from(sealed).toString('utf8')) as OlmState;
      if (state.v !== 1 || typeof state.pickle !== 'string') throw new Error(`unknown state version ${String(state.v)}`);
    } catch (cause) {
      throw new EnclaveError('SEALED_KEY_INVALID', `${OLM_ACCOUNT_FILE} does not hold an Olm state`, { cause });
    }
    const account = OlmAccount.unpickle(pickleKey, state.pickle);
    return new OlmVault(account, new Map(Object.entries(state.oneTimeKeys)), pickleKey, store, new Map(Object.entries(state.retained ?? {})));
  }

  #persist(): Promise<void> {
    const state: OlmState = {
      v: 1,
      pickle: this.#account.pickle(this.#pickleKey),
      oneTimeKeys: Object.fromEntries(this.#oneTimeKeys),
      retained: Object.fromEntries(this.#retained),
    };
    return this.#store.save(OLM_ACCOUNT_FILE, Buffer.from(JSON.stringify(state), 'utf8'), KEY_SEAL_POLICY);
  }

  identityKey(): string {
    return this.#account.identityKey();
  }

  oneTimeKeyCount(): number {
    return this.#oneTimeKeys.size;
  }

  /** Generates n one-time keys and persists them before returning (so published keys are never forgotten). */
  async generateOneTimeKeys(n: number): Promise<Record<string, string>> {
    if (!Number.isInteger(n) || n < 1 || n > MAX_OLM_ONE_TIME_KEYS_PER_CALL) {
      throw new EnclaveError('INVALID_ARGUMENT', `one-time key count must be 1..${MAX_OLM_ONE_TIME_KEYS_PER_CALL}, got ${n}`);
    }
    const capacity = this.#account.maxOneTimeKeys();
    if (this.#oneTimeKeys.size + n > capacity) {
      throw new EnclaveError(
        'INVALID_ARGUMENT',
        `${this.#oneTimeKeys.size} unused one-time keys held; ${n} more would exceed libolm's capacity of ${capacity} (it would silently drop published keys)`,
      );
    }
    const unpublished = this.#account.generateOneTimeKeys(n);
    for (const [id, key] of Object.entries(unpublished)) this.#oneTimeKeys.set(id, key);
    await this.#persist();
    return unpublished;
  }

  async markKeysAsPublished(): Promise<void> {
    this.#account.markKeysAsPublished();
    await this.#persist();
  }

  /**
   * Decrypts a pre-key message to one of our unused one-time keys, consumes that key and re-seals the account.
   * With `retain`, the plaintext is sealed in the same write as the consumed key and the same message is answered
   * again from there until `releasePreKeyMessages`: a host that crashes before committing what it derived from the
   * plaintext can ask again, although the one-time key is already gone.
   */
  async decryptPreKey(message: PreKeyMessage, options: { retain?: boolean } = {}): Promise<Uint8Array> {
    const { senderIdentityKey, oneTimeKey, ciphertext } = message;
    if (typeof senderIdentityKey !== 'string' || typeof oneTimeKey !== 'string' || typeof ciphertext !== 'string') {
      throw new EnclaveError('INVALID_ARGUMENT', 'senderIdentityKey, oneTimeKey and ciphertext must be base64 strings');
    }
    const wanted = oneTimeKey.replace(/=+$/, '');
    if (preKeyMessageOneTimeKey(ciphertext) !== wanted) {
      throw new EnclaveError('OLM_BAD_MESSAGE', 'pre-key message is encrypted to a different one-time key than stated');
    }
    const id = preKeyMessageId(ciphertext);
    const retained = options.retain ? this.#retained.get(id) : undefined;
    if (retained !== undefined) return new Uint8Array(Buffer.from(retained, 'base64'));
    const keyId = [...this.#oneTimeKeys].find(([, key]) => key === wanted)?.[0];
    if (keyId === undefined) {
      throw new EnclaveError('OLM_UNKNOWN_ONE_TIME_KEY', 'one-time key is not one of ours or was already used');
    }
    const plaintext = Buffer.from(this.#account.decryptPreKey(senderIdentityKey, ciphertext), 'utf8');
    this.#oneTimeKeys.delete(keyId);
    if (options.retain) this.#retained.set(id, plaintext.toString('base64'));
    await this.#persist();
    return new Uint8Array(plaintext);
  }

  /**
   * Forgets one of our unused one-time keys without a message (the chain consumed it for a claim that carried no
   * usable message), so libolm's bounded store does not fill up with keys nobody can use any more. Unknown keys: no-op.
   */
  async discardOneTimeKey(oneTimeKey: string): Promise<boolean> {
    const wanted = typeof oneTimeKey === 'string' ? oneTimeKey.replace(/=+$/, '') : '';
    const keyId = [...this.#oneTimeKeys].find(([, key]) => key === wanted)?.[0];
    if (keyId === undefined) return false;
    this.#account.discardOneTimeKey(wanted);
    this.#oneTimeKeys.delete(keyId);
    await this.#persist();
    return true;
  }

  /** Ids (see `preKeyMessageId`) of retained plaintexts not yet released. */
  retainedPreKeyMessages(): string[] {
    return [...this.#retained.keys()];
  }

  /** Forgets retained plaintexts once the host has durably committed what it derived from them. */
  async releasePreKeyMessages(ids: string[]): Promise<void> {
    if (!ids.map((id) => this.#retained.delete(id)).includes(true)) return;
    await this.#persist();
  }

  close(): void {
    this.#account.free();
  }
}
