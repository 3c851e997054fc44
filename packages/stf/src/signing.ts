// Calls the enclave originates itself: balance_shield (from EnclaveBridge.shield_funds) and timestamp_set
// (from the Timestamp.set inherent), signed with the enclave's ed25519 key.
import { signTrustedCall, type TrustedCall } from '@sealbridge/chain-types';
import { encodeCallOperation, type Bytes } from './codec.js';

export type SignFn = (payload: Bytes) => Bytes;

/**
 * SCALE(TrustedOperation::indirect_call) signed by the enclave over call ‖ nonce ‖ mrenclave ‖ shard.
 * `call` is a chain-types codec, its SCALE bytes, or a createType value such as
 * `{ balance_shield: [enclave, who, amount, 'Integritee'] }`. The STF checks the enclave's nonce like any
 * sender's (as Integritee does): pass its STF nonce plus the number of its calls already queued.
 */
export function enclaveSignedCall(call: TrustedCall | Bytes | object, nonce: number, sign: SignFn, mrenclave: Bytes, shard: Bytes): Bytes {
  return encodeCallOperation('indirect_call', signTrustedCall({ type: 'ed25519', sign }, call, nonce, mrenclave, shard));
}
