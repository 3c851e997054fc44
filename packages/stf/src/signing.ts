// Building signed trusted calls. The enclave uses it for the calls it originates (balance_shield from
// EnclaveBridge.shield_funds, timestamp_set from the Timestamp.set inherent); tests and tools use it for users.
import { encodeCallOperation, encodeTrustedCall, encodeTrustedCallSigned, trustedCallSigningPayload } from './codec.js';
import type { Bytes, SignatureScheme, TrustedCall } from './codec.js';

export type SignFn = (payload: Bytes) => Bytes;

/** SCALE(TrustedOperation::indirect_call|direct_call(TrustedCallSigned)) signed over call ‖ nonce ‖ mrenclave ‖ shard. */
export function signTrustedCall(
  call: TrustedCall,
  nonce: number,
  sign: SignFn,
  scheme: SignatureScheme,
  mrenclave: Bytes,
  shard: Bytes,
  kind: 'indirect_call' | 'direct_call' = 'indirect_call',
): Bytes {
  const callBytes = encodeTrustedCall(call);
  const signature = sign(trustedCallSigningPayload(callBytes, nonce, mrenclave, shard));
  return encodeCallOperation(kind, encodeTrustedCallSigned(callBytes, nonce, { scheme, bytes: signature }));
}

/**
 * An `indirect_call` signed by the enclave's ed25519 key. The STF checks its nonce like any other sender's
 * (as Integritee does), so pass the enclave account's STF nonce plus the number of its calls already queued.
 */
export function enclaveSignedCall(call: TrustedCall, nonce: number, sign: SignFn, mrenclave: Bytes, shard: Bytes): Bytes {
  return signTrustedCall(call, nonce, sign, 'ed25519', mrenclave, shard, 'indirect_call');
}
