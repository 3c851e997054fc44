import { remember } from '@sealbridge/chain-types';

import type { RpcBackend } from './backend.js';

interface Entry {
  shard: Uint8Array;
  epoch: object;
  result: string;
}

/** Longer params (getters are a few hundred hex digits) are answered but not kept, so the cache stays small. */
const MAX_KEY_CHARS = 2_048;

/**
 * `state_executeGetter` answers by request param, valid while the backend's getter epoch of the shard stays the
 * same object. Polling clients resend the same signed getter; a repeat is then one lookup instead of hex and SCALE
 * decoding, a signature check, a state read and encoding. Only successful answers are kept.
 */
export class GetterReplies {
  readonly #entries = new Map<string, Entry>();
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  get(param: string, backend: RpcBackend): string | undefined {
    const entry = this.#entries.get(param);
    if (entry === undefined) return undefined;
    if (backend.getterEpoch?.(entry.shard) === entry.epoch) return entry.result;
    this.#entries.delete(param);
    return undefined;
  }

  /** `epoch` is the one read before the getter ran: an answer computed while the state changed never matches again. */
  set(param: string, shard: Uint8Array, epoch: object | undefined, result: string): void {
    if (epoch === undefined || this.#size === 0 || param.length > MAX_KEY_CHARS) return;
    remember(this.#entries, param, this.#size, { shard, epoch, result });
  }
}
