// The only module that touches @matrix-org/olm. libolm is deprecated upstream and carries CVE-2024-45191/45192
// (cache-timing in AES / base64) and CVE-2024-45193 (Ed25519 malleability). The enclave uses it only for Olm 1:1
// pre-key messages to a one-time key (no Megolm, no libolm signature verification), see README "Olm adapter".
// To move to vodozemac: re-implement OlmAccount below and import existing state with Account::from_libolm_pickle.
import Olm from '@matrix-org/olm';

import { EnclaveError } from './errors.js';

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

let ready: Promise<void> | undefined;
/** libolm's WASM module must be initialised once per thread before any account exists. */
export function initOlm(): Promise<void> {
  ready ??= (async () => {
    const listeners = (event: string): Function[] => process.listeners(event as 'uncaughtException');
    const before = PROCESS_EVENTS.map(listeners);
    await Olm.init();
    // The emscripten runtime installs process-wide handlers that rethrow every uncaught error, which would turn
    // any stray rejection in the host process into a crash; the enclave must not change process behaviour.
    PROCESS_EVENTS.forEach((event, i) => {
      for (const listener of listeners(event)) {
        if (!before[i]!.includes(listener)) process.removeListener(event, listener as () => void);
      }
    });
  })();
  return ready;
}

/** Olm pre-key (type 0) message fields: varint-tagged, 0x0A = one_time_key (vodozemac/libolm wire format v3). */
const PRE_KEY_VERSION = 3;
const ONE_TIME_KEY_TAG = 0x0a;

/** One-time key (unpadded base64) a pre-key message was encrypted to, read from the message header. */
export function preKeyMessageOneTimeKey(body: string): string {
  const bytes = Buffer.from(body, 'base64');
  if (bytes[0] !== PRE_KEY_VERSION) throw new EnclaveError('OLM_BAD_MESSAGE', 'not an Olm v3 pre-key message');
  let i = 1;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = bytes[i++];
      if (b === undefined) throw new EnclaveError('OLM_BAD_MESSAGE', 'truncated pre-key message');
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new EnclaveError('OLM_BAD_MESSAGE', 'bad varint in pre-key message');
  };
  while (i < bytes.length) {
    const tag = varint();
    if ((tag & 7) !== 2) throw new EnclaveError('OLM_BAD_MESSAGE', `unexpected field type in pre-key message (tag ${tag})`);
    const len = varint();
    if (i + len > bytes.length) throw new EnclaveError('OLM_BAD_MESSAGE', 'truncated pre-key message field');
    if (tag === ONE_TIME_KEY_TAG) return bytes.subarray(i, i + len).toString('base64').replace(/=+$/, '');
    i += len;
  }
  throw new EnclaveError('OLM_BAD_MESSAGE', 'pre-key message carries no one-time key');
}

/** Narrow account interface the enclave needs; everything libolm-specific stays behind it. */
export class OlmAccount {
  readonly #account: Olm.Account;

  private constructor(account: Olm.Account) {
    this.#account = account;
  }

  static create(): OlmAccount {
    const account = new Olm.Account();
    account.create();
    return new OlmAccount(account);
  }

  static unpickle(key: Uint8Array, pickle: string): OlmAccount {
    const account = new Olm.Account();
    try {
      account.unpickle(Uint8Array.from(key), pickle); // libolm zeroes the key array it is given
    } catch (cause) {
      account.free();
      throw new EnclaveError('SEALED_KEY_INVALID', 'Olm account pickle does not open with the derived pickle key', { cause });
    }
    return new OlmAccount(account);
  }

  pickle(key: Uint8Array): string {
    return this.#account.pickle(Uint8Array.from(key)); // libolm zeroes the key array it is given
  }

  identityKey(): string {
    return (JSON.parse(this.#account.identity_keys()) as { curve25519: string }).curve25519;
  }

  /** Generates n keys and returns the unpublished ones (keyId → unpadded base64 curve25519). */
  generateOneTimeKeys(n: number): Record<string, string> {
    this.#account.generate_one_time_keys(n);
    return (JSON.parse(this.#account.one_time_keys()) as { curve25519: Record<string, string> }).curve25519;
  }

  /** How many one-time keys libolm can hold; beyond it, it silently forgets the oldest. */
  maxOneTimeKeys(): number {
    return this.#account.max_number_of_one_time_keys();
  }

  markKeysAsPublished(): void {
    this.#account.mark_keys_as_published();
  }

  /**
   * Creates the inbound session for a pre-key message from `senderIdentityKey`, decrypts it and only then
   * removes the used one-time key from the account (discard-after-success, as the Matrix spec requires).
   */
  decryptPreKey(senderIdentityKey: string, body: string): string {
    const session = new Olm.Session();
    try {
      try {
        session.create_inbound_from(this.#account, senderIdentityKey, body);
      } catch (cause) {
        throw new EnclaveError('OLM_BAD_MESSAGE', `cannot create inbound session: ${String((cause as Error).message ?? cause)}`, { cause });
      }
      if (!session.matches_inbound_from(senderIdentityKey, body)) {
        throw new EnclaveError('OLM_BAD_MESSAGE', 'pre-key message does not match the inbound session');
      }
      let plaintext: string;
      try {
        plaintext = session.decrypt(0, body);
      } catch (cause) {
        throw new EnclaveError('OLM_BAD_MESSAGE', `pre-key message does not decrypt: ${String((cause as Error).message ?? cause)}`, { cause });
      }
      this.#account.remove_one_time_keys(session);
      return plaintext;
    } finally {
      session.free();
    }
  }

  /**
   * Removes one unused one-time key. libolm only removes keys by session, so the account opens an inbound session
   * from a throwaway sender to that key and removes the key through it.
   */
  discardOneTimeKey(oneTimeKey: string): void {
    const sender = new Olm.Account();
    const outbound = new Olm.Session();
    const inbound = new Olm.Session();
    try {
      sender.create();
      outbound.create_outbound(sender, this.identityKey(), oneTimeKey);
      const { body } = outbound.encrypt('');
      inbound.create_inbound_from(this.#account, (JSON.parse(sender.identity_keys()) as { curve25519: string }).curve25519, body);
      this.#account.remove_one_time_keys(inbound);
    } finally {
      inbound.free();
      outbound.free();
      sender.free();
    }
  }

  free(): void {
    this.#account.free();
  }
}
