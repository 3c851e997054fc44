// Getter execution against a committed state (Integritee `getter_executor`): returns the SCALE value, or null
// for an unknown key. The RPC layer wraps it into Option<Vec<u8>>.
import type { Bytes, Query } from './codec.js';
import type { ShardState } from './state.js';

import { compactToU8a } from '@polkadot/util';

import { decodeGetter, verifyGetter } from './codec.js';
import { StfError } from './errors.js';
import { encodeU128, encodeU32, envNamesKey, smartWorkerResultKey } from './state.js';

export const PUBLIC_SOME_VALUE = 42;

export interface GetterOptions {
  /** Accepted for symmetry with calls; unused because a getter signature covers SCALE(TrustedGetter) only. */
  mrenclave?: Bytes;
}

/**
 * Executes an encoded `Getter`. Throws `StfError` with `MalformedOperation` for undecodable bytes and
 * `GetterIsNotAuthorized` when a trusted getter is not signed by the account it reads. Await `cryptoReady()`
 * once before the first sr25519 getter.
 */
export function executeGetter(state: ShardState, getterBytes: Bytes, _options: GetterOptions = {}): Bytes | null {
  const getter = decodeGetter(getterBytes);
  if (getter.kind === 'public') return encodeU32(PUBLIC_SOME_VALUE);
  if (!verifyGetter(getter.codec)) {
    throw new StfError('GetterIsNotAuthorized', 'trusted getter is not signed by the account it queries');
  }
  return readTrusted(state, getter.getter);
}

function readTrusted(state: ShardState, g: Query): Bytes | null {
  switch (g.kind) {
    case 'free_balance':
      return encodeU128(state.account(g.who).free);
    case 'reserved_balance':
      return encodeU128(state.account(g.who).reserved);
    case 'nonce':
      return encodeU32(state.account(g.who).nonce);
    case 'smart_worker_result':
      return state.get(smartWorkerResultKey(g.who, g.callHash)) ?? null;
    case 'env_names':
      return state.get(envNamesKey(g.who, g.worker)) ?? compactToU8a(0);
  }
}
