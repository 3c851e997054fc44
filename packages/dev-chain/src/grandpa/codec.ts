import { ScaleReader, ScaleWriter } from '@sealbridge/chain-types';

import { DevChainError } from '../errors.js';

/**
 * GRANDPA's wire formats (sp_consensus_grandpa, finality-grandpa, sc-consensus-grandpa), all laid out with
 * chain-types' ScaleWriter / ScaleReader: the authority list, the `FRNK` consensus log of a header digest, the signed
 * precommit message, `GrandpaJustification` and `FinalityProof`. `docs/dev-parentchain.md §4.2`.
 */

/** `GRANDPA_ENGINE_ID`: b"FRNK". */
export const GRANDPA_ENGINE_ID = Uint8Array.of(0x46, 0x52, 0x4e, 0x4b);
/** `sp_consensus_grandpa::GRANDPA_AUTHORITIES_KEY`: b":grandpa_authorities", holding a `VersionedAuthorityList`. */
export const GRANDPA_AUTHORITIES_KEY = '0x3a6772616e6470615f617574686f726974696573';
/** `AUTHORITIES_VERSION`, the first byte of the value under `:grandpa_authorities`. */
export const AUTHORITIES_VERSION = 1;
/** `finality_grandpa::Message::Precommit`. */
const MESSAGE_PRECOMMIT = 1;

export interface Authority {
  /** ed25519 public key (`AuthorityId`). */
  id: Uint8Array;
  weight: bigint;
}

/** `Vec<(AuthorityId, u64)>` (`AuthorityList`). */
export function encodeAuthorityList(list: readonly Authority[], w = new ScaleWriter()): ScaleWriter {
  w.compact(list.length);
  for (const a of list) w.bytes(a.id).uint(a.weight, 8);
  return w;
}

export function decodeAuthorityList(r: ScaleReader): Authority[] {
  const n = r.length('authority list', 40);
  const out: Authority[] = [];
  for (let i = 0; i < n; i++) out.push({ id: r.take(32, 'authority id').slice(), weight: r.uint(8, 'authority weight') });
  return out;
}

/** `VersionedAuthorityList`: `AUTHORITIES_VERSION ‖ AuthorityList`, the value under `:grandpa_authorities`. */
export function encodeVersionedAuthorityList(list: readonly Authority[]): Uint8Array {
  return encodeAuthorityList(list, new ScaleWriter().byte(AUTHORITIES_VERSION)).finish();
}

/** The authority list as the portable codec holds it (`Vec<(AuthorityId, u64)>` → `[id, weight][]`). */
export function authoritiesFromValue(value: unknown): Authority[] {
  return (value as [Uint8Array, bigint][]).map(([id, weight]) => ({ id, weight: BigInt(weight) }));
}

export function authoritiesToValue(list: readonly Authority[]): [Uint8Array, bigint][] {
  return list.map((a) => [a.id, a.weight]);
}

/** `sp_consensus_grandpa::ConsensusLog` (index 0 is unused). */
export type ConsensusLog =
  | { kind: 'ScheduledChange'; next: Authority[]; delay: number }
  | { kind: 'ForcedChange'; median: number; next: Authority[]; delay: number }
  | { kind: 'OnDisabled'; index: bigint }
  | { kind: 'Pause'; delay: number }
  | { kind: 'Resume'; delay: number };

const LOG_INDEX = { ScheduledChange: 1, ForcedChange: 2, OnDisabled: 3, Pause: 4, Resume: 5 } as const;

export function encodeConsensusLog(log: ConsensusLog): Uint8Array {
  const w = new ScaleWriter().byte(LOG_INDEX[log.kind]);
  switch (log.kind) {
    case 'ForcedChange': // ForcedChange(median, ScheduledChange)
      encodeAuthorityList(log.next, w.u32(log.median)).u32(log.delay);
      break;
    case 'ScheduledChange':
      encodeAuthorityList(log.next, w).u32(log.delay);
      break;
    case 'OnDisabled':
      w.uint(log.index, 8);
      break;
    case 'Pause':
    case 'Resume':
      w.u32(log.delay);
      break;
  }
  return w.finish();
}

export function decodeConsensusLog(bytes: Uint8Array): ConsensusLog {
  const r = new ScaleReader(bytes, 'ConsensusLog');
  const index = r.byte('ConsensusLog variant');
  let log: ConsensusLog;
  switch (index) {
    case LOG_INDEX.ScheduledChange:
      log = { kind: 'ScheduledChange', next: decodeAuthorityList(r), delay: r.u32('delay') };
      break;
    case LOG_INDEX.ForcedChange: {
      const median = r.u32('median');
      log = { kind: 'ForcedChange', median, next: decodeAuthorityList(r), delay: r.u32('delay') };
      break;
    }
    case LOG_INDEX.OnDisabled:
      log = { kind: 'OnDisabled', index: r.uint(8, 'authority index') };
      break;
    case LOG_INDEX.Pause:
    case LOG_INDEX.Resume:
      log = { kind: index === LOG_INDEX.Pause ? 'Pause' : 'Resume', delay: r.u32('delay') };
      break;
    default:
      return r.fail('SCALE_UNKNOWN_VARIANT', `ConsensusLog variant ${index}`, 0);
  }
  r.end();
  return log;
}

/**
 * What a voter signs for a precommit (`sp_consensus_grandpa::localized_payload`): SCALE of
 * `(Message::Precommit(Precommit { target_hash, target_number }), round: u64, set_id: u64)`.
 */
export function precommitPayload(targetHash: Uint8Array, targetNumber: number, round: bigint, setId: bigint): Uint8Array {
  return new ScaleWriter(1 + 32 + 4 + 16).byte(MESSAGE_PRECOMMIT).bytes(targetHash).u32(targetNumber).uint(round, 8).uint(setId, 8).finish();
}

export interface SignedPrecommit {
  targetHash: Uint8Array;
  targetNumber: number;
  /** ed25519 over `precommitPayload`. */
  signature: Uint8Array;
  id: Uint8Array;
}

export interface Justification {
  round: bigint;
  targetHash: Uint8Array;
  targetNumber: number;
  precommits: SignedPrecommit[];
  /** SCALE headers of the blocks between the target and the precommits' targets. */
  votesAncestries: Uint8Array[];
}

/** `GrandpaJustification { round, commit: Commit { target_hash, target_number, precommits }, votes_ancestries }`. */
export function encodeJustification(j: Justification): Uint8Array {
  const w = new ScaleWriter(64 + j.precommits.length * 132);
  w.uint(j.round, 8).bytes(j.targetHash).u32(j.targetNumber);
  w.compact(j.precommits.length);
  for (const p of j.precommits) {
    if (p.signature.length !== 64 || p.id.length !== 32) throw new DevChainError('INVALID_ARGUMENT', 'a precommit needs a 64-byte signature and a 32-byte id');
    w.bytes(p.targetHash).u32(p.targetNumber).bytes(p.signature).bytes(p.id);
  }
  w.compact(j.votesAncestries.length);
  for (const h of j.votesAncestries) w.bytes(h);
  return w.finish();
}

/** `FinalityProof { block: H256, justification: Vec<u8>, unknown_headers: Vec<Header> }` (sc-consensus-grandpa). */
export function encodeFinalityProof(block: Uint8Array, justification: Uint8Array, unknownHeaders: readonly Uint8Array[]): Uint8Array {
  const w = new ScaleWriter(64 + justification.length + unknownHeaders.length * 110);
  w.bytes(block).bytesWithLength(justification);
  w.compact(unknownHeaders.length);
  for (const h of unknownHeaders) w.bytes(h);
  return w.finish();
}

/**
 * The voting threshold of finality-grandpa's `VoterSet`: more than two thirds of the total weight,
 * `total − ⌊(total − 1) / 3⌋`.
 */
export function thresholdWeight(total: bigint): bigint {
  return total - (total - 1n) / 3n;
}
