import { SealbridgeError } from '@sealbridge/chain-types';

/**
 * Why the parentchain light client refused something. Justification codes first (`verifyJustification`), then the
 * batch codes (`LightClient.verifyBatch`), then proofs and state.
 */
export const LIGHT_CLIENT_ERROR_CODES = [
  'MALFORMED', // bytes that do not decode (header, digest, FRNK log, justification, finality proof) or an invalid authority list in a FRNK log
  'TARGET_MISMATCH', // the justification's commit (or the finality proof's block) is not the block it was to justify
  'UNKNOWN_VOTER', // a precommit by a key that is not in the authority set
  'DUPLICATE_VOTER', // two precommits by the same authority
  'ANCESTRY_MISMATCH', // a precommit's target is neither the commit target nor, through votes_ancestries, a descendant of it (or its number is wrong)
  'UNUSED_ANCESTRY', // votes_ancestries holds a header no precommit needs (or the same header twice)
  'NOT_ENOUGH_WEIGHT', // the precommits' weight is below total − ⌊(total − 1)/3⌋
  'BAD_SIGNATURE', // a precommit signature does not verify for (round, set id): a forgery, or a vote of another round/set
  'WRONG_SET_ID', // a precommit signature does not verify for the set id, but does for the one before or after it
  'INVALID_ARGUMENT', // the caller's input (not the chain's): a batch without headers, bodies not one per header, an empty set, …
  'WRONG_GENESIS', // a genesis header that is not block 0, or state / a batch of another chain than the expected genesis
  'STALE', // the batch starts at or below the last verified block (a replay), or the client moved on while it was verified
  'REORG', // the first header does not build on the last verified (finalized) block: another fork
  'NOT_CHAINED', // a header does not follow the one before it (parent hash or number), in the batch or in the finality proof
  'EXTRINSICS_ROOT_MISMATCH', // a body's ordered trie root is not its header's extrinsics_root
  'NOT_FINAL', // no justification of the last header or a descendant of it by the current set (or not of the block it must be)
  'SPLIT_BATCH', // a set change enacts at a block the batch must end at (scheduled) or include (forced): `at` says which
  'AUTHORITY_CHANGE_CONFLICT', // a header signals a set change while another one is pending, or two in one digest
  'FORCED_CHANGE_UNFINALIZED', // a forced change would enact before the block signalling it is finalized by the current set
  'EVENTS_PROOF_INVALID', // a System.Events read proof that does not verify against the state root
  'AUTHORITIES_PROOF_INVALID', // a :grandpa_authorities read proof that does not verify, proves it absent, or holds an invalid list
  'STATE_INVALID', // sealed light-client state that does not decode or is inconsistent
] as const;
export type LightClientErrorCode = (typeof LIGHT_CLIENT_ERROR_CODES)[number];

export class LightClientError extends SealbridgeError<LightClientErrorCode> {
  /** SPLIT_BATCH / FORCED_CHANGE_UNFINALIZED: the block number the host has to end its batch at (or include). */
  readonly at: number | undefined;

  constructor(code: LightClientErrorCode, message: string, options?: { cause?: unknown; at?: number }) {
    super(code, message, options);
    this.at = options?.at;
  }
}
