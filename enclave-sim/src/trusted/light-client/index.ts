export { LIGHT_CLIENT_ERROR_CODES, LightClientError } from './errors.js';
export type { LightClientErrorCode } from './errors.js';
export {
  GRANDPA_ENGINE_ID,
  blockHash,
  checkAuthorities,
  decodeGrandpaLog,
  decodeHeader,
  encodeGrandpaLog,
  encodeHeader,
  grandpaLogs,
} from './header.js';
export type { Authority, DecodedHeader, DigestItem, GrandpaLog, Header } from './header.js';
export {
  decodeFinalityProof,
  decodeJustification,
  precommitMessage,
  prepareJustification,
  thresholdWeight,
  verifyJustification,
  verifyOnThread,
} from './grandpa.js';
export type {
  BlockId,
  FinalityProof,
  Justification,
  JustificationOutcome,
  PreparedJustification,
  SignatureCheck,
  SignatureVerifier,
  SignedPrecommit,
  VoterSet,
} from './grandpa.js';
export { AUTHORITIES_VERSION, GRANDPA_AUTHORITIES_KEY, SYSTEM_EVENTS_KEY, authoritiesFromProof, decodeVersionedAuthorities, eventsFromProof, readFromProof } from './proofs.js';
export { LIGHT_CLIENT_STATE_VERSION, decodeState, enactsAt, encodeState } from './state.js';
export type { LightClientState, PendingChange } from './state.js';
export { LightClient } from './light-client.js';
export type { Batch, BatchFinality, BatchResult, GenesisOptions, PreparedBatch, SetChange, VerifiedHeader } from './light-client.js';
