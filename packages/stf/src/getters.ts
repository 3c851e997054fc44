// Getter execution against a committed state (Integritee `getter_executor`): returns the SCALE value, or null
// for an unknown key. The RPC layer wraps it into Option<Vec<u8>>.
import type { Bytes, Query } from './codec.js';
import type { ShardState } from './state.js';

import { encodeStr, encodeUint, encodeVecOfEncoded } from '@sealbridge/chain-types';

import { decodeGetter, verifyGetter } from './codec.js';
import { StfError } from './errors.js';
import { operationOutcomeKey, smartWorkerResultKey } from './state.js';

export const PUBLIC_SOME_VALUE = 42;

export interface GetterOptions {
  /**
   * Names of the env variables `who` set for `scope` (a shard or enclave account). They are not shard state — only
   * the addressed enclave can decrypt a set_env — so the worker supplies them; without it `env_names` is refused.
   */
  envNames?: (who: Bytes, scope: Bytes) => readonly string[];
  /** The caller verified the getter's signature already (on the enclave's verification threads). */
  signatureVerified?: boolean;
}

/**
 * Executes an encoded `Getter`. Throws `StfError` with `MalformedOperation` for undecodable bytes and
 * `GetterIsNotAuthorized` when a trusted getter is not signed by the account it reads. Await `cryptoReady()`
 * once before the first sr25519 getter.
 */
export function executeGetter(state: ShardState, getterBytes: Bytes, options: GetterOptions = {}): Bytes | null {
  const getter = decodeGetter(getterBytes);
  if (getter.kind === 'public') return encodeUint(PUBLIC_SOME_VALUE, 4);
  if (!options.signatureVerified && !verifyGetter(getter.signed)) {
    throw new StfError('GetterIsNotAuthorized', 'trusted getter is not signed by the account it queries');
  }
  return readTrusted(state, getter.getter, options);
}

function readTrusted(state: ShardState, g: Query, options: GetterOptions): Bytes | null {
  switch (g.kind) {
    case 'free_balance':
      return encodeUint(state.account(g.who).free, 16);
    case 'reserved_balance':
      return encodeUint(state.account(g.who).reserved, 16);
    case 'nonce':
      return encodeUint(state.account(g.who).nonce, 4);
    case 'smart_worker_result':
      return state.get(smartWorkerResultKey(g.who, g.callHash)) ?? null;
    case 'env_names': {
      if (!options.envNames) throw new StfError('UnsupportedOperation', 'env names are kept by the worker, not in the shard state');
      const names = options.envNames(g.who, g.worker);
      // SCALE Vec<Text>
      return encodeVecOfEncoded(names.map(encodeStr));
    }
    case 'operation_outcome':
      // Keyed by the sender the getter is signed by: another signer finds nothing.
      return state.get(operationOutcomeKey(g.who, g.topHash)) ?? null;
  }
}
