import type { SimulatedQuoteBody } from '@sealbridge/chain-types';
import { ed25519PrivateKeyFromSeed, signQuote } from '@sealbridge/chain-types';

import type { QuotingService } from './trusted/quoting.js';

/**
 * DEV KEY — the simulated attestation service's Ed25519 seed. Its public key is chain-types'
 * DEV_ATTESTATION_SERVICE_PUBLIC_KEY. Being public, it lets anyone forge "attested" quotes: it is only
 * meaningful for local development and tests. A deployment would use the vendor's service instead.
 */
export const DEV_ATTESTATION_SERVICE_SEED_HEX = '711b5788ad1164e5e6fe8e37d146829cfec2284c82078a8236d3c93c42f02c37';

/** Simulated attestation service (the IAS/DCAP stand-in) signing quotes with an Ed25519 seed. */
export function createAttestationService(seed: Uint8Array = Buffer.from(DEV_ATTESTATION_SERVICE_SEED_HEX, 'hex')): QuotingService {
  const key = ed25519PrivateKeyFromSeed(seed);
  return { signQuote: (body: SimulatedQuoteBody) => signQuote(body, key) };
}
