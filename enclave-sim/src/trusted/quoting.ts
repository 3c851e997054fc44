import type { SimulatedQuote, SimulatedQuoteBody } from '@sealbridge/chain-types';

/** Simulated quoting enclave / attestation service: turns an enclave report into a signed quote. */
export interface QuotingService {
  signQuote(body: SimulatedQuoteBody): SimulatedQuote;
}
