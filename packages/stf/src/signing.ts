// Calls the enclave originates itself: balance_shield (from EnclaveBridge.shield_funds) and timestamp_set
// (from the Timestamp.set inherent), signed with the enclave's ed25519 key.
import { trustedCallSigningPayload } from '@sealbridge/chain-types';
import { u8aConcat } from '@polkadot/util';

import { encodeCall, encodeCallOperation, type Bytes, type Call } from './codec.js';

export type SignFn = (payload: Bytes) => Bytes;

/** MultiSignature::Ed25519. */
const ED25519_SIGNATURE = 0;

/**
 * SCALE(TrustedOperation::indirect_call) signed by the enclave over call ‖ nonce ‖ mrenclave ‖ shard. The STF
 * checks the enclave's nonce like any sender's (as Integritee does): pass its STF nonce plus the number of its
 * calls already queued. Encoded by hand: one of these is made for every parentchain block.
 */
export function enclaveSignedCall(call: Call, nonce: number, sign: SignFn, mrenclave: Bytes, shard: Bytes): Bytes {
  const callBytes = encodeCall(call);
  const payload = trustedCallSigningPayload(callBytes, nonce, mrenclave, shard);
  const signature = sign(payload);
  if (signature.length !== 64) throw new RangeError(`an ed25519 signature has 64 bytes, not ${signature.length}`);
  // TrustedCallSigned = call ‖ nonce u32 LE ‖ MultiSignature; the payload already holds call ‖ nonce.
  return encodeCallOperation('indirect_call', u8aConcat(payload.subarray(0, callBytes.length + 4), [ED25519_SIGNATURE], signature));
}
