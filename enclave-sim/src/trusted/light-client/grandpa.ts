// GRANDPA justifications and finality proofs (sc-consensus-grandpa): decoding with chain-types' ScaleReader and
// `verify_with_voter_set`'s rules. Signature checks are split from the structural ones (`prepareJustification`), so
// a caller can hand all of a batch's signatures to a verifier at once (SignatureVerifyPool takes them as they are).

import { ScaleReader, ScaleWriter, bytesEqual, bytesToHex, verifySignatureBytes } from '@sealbridge/chain-types';

import { LightClientError } from './errors.js';
import { HASH_BYTES, checkAuthorities, malformed, readHeader, type Authority, type DecodedHeader } from './header.js';

/** `finality_grandpa::Message::Precommit`, the first byte of what a precommit signs. */
const MESSAGE_PRECOMMIT = 1;
const SIGNED_PRECOMMIT_BYTES = HASH_BYTES + 4 + 64 + 32;

export interface SignedPrecommit {
  targetHash: Uint8Array;
  targetNumber: number;
  /** ed25519 over `precommitMessage(targetHash, targetNumber, round, setId)`. */
  signature: Uint8Array;
  /** The voter's AuthorityId (ed25519 public key). */
  id: Uint8Array;
}

/** `GrandpaJustification { round, commit: Commit { target_hash, target_number, precommits }, votes_ancestries }`. */
export interface Justification {
  round: bigint;
  targetHash: Uint8Array;
  targetNumber: number;
  precommits: SignedPrecommit[];
  votesAncestries: DecodedHeader[];
}

/** `FinalityProof { block, justification, unknown_headers }`: `block` is the justified one, the headers are (requested; block]. */
export interface FinalityProof {
  block: Uint8Array;
  justification: Uint8Array;
  unknownHeaders: DecodedHeader[];
}

/** A GRANDPA voter set: its id (number of changes since genesis) and its ed25519 authorities. */
export interface VoterSet {
  id: bigint | number;
  authorities: readonly Authority[];
}

export interface BlockId {
  hash: Uint8Array;
  number: number;
}

/** One ed25519 check; the shape of the verification pool's `VerifyItem`. */
export interface SignatureCheck {
  scheme: 'ed25519';
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Verifies checks and answers one result per check, in order. */
export type SignatureVerifier = (checks: readonly SignatureCheck[]) => ArrayLike<boolean | number>;

export interface JustificationOutcome {
  round: bigint;
  /** Weight of the (distinct, known) voters. */
  weight: bigint;
  /** What it had to reach: `thresholdWeight(total)`. */
  threshold: bigint;
  voters: number;
}

/** A justification whose structure checked out; `finish` takes the results of `checks` and throws on a bad one. */
export interface PreparedJustification {
  checks: SignatureCheck[];
  finish(results: ArrayLike<boolean | number>): JustificationOutcome;
}

function readPrecommit(r: ScaleReader): SignedPrecommit {
  return {
    targetHash: r.take(HASH_BYTES, 'target_hash'),
    targetNumber: r.u32('target_number'),
    signature: r.take(64, 'signature'),
    id: r.take(32, 'id'),
  };
}

/** SCALE `GrandpaJustification` (MALFORMED on bad or trailing bytes). Fields are views of `bytes`. */
export function decodeJustification(bytes: Uint8Array): Justification {
  return malformed('GRANDPA justification', () => {
    const r = new ScaleReader(bytes, 'GrandpaJustification');
    const round = r.uint(8, 'round');
    const targetHash = r.take(HASH_BYTES, 'target_hash');
    const targetNumber = r.u32('target_number');
    const n = r.length('precommits', SIGNED_PRECOMMIT_BYTES);
    const precommits: SignedPrecommit[] = [];
    for (let i = 0; i < n; i++) precommits.push(readPrecommit(r));
    const m = r.length('votes_ancestries', HASH_BYTES * 3 + 2);
    const votesAncestries: DecodedHeader[] = [];
    for (let i = 0; i < m; i++) votesAncestries.push(readHeader(r));
    r.end();
    return { round, targetHash, targetNumber, precommits, votesAncestries };
  });
}

/** SCALE `FinalityProof` (what `grandpa_proveFinality` answers), MALFORMED on bad bytes. The justification stays bytes. */
export function decodeFinalityProof(bytes: Uint8Array): FinalityProof {
  return malformed('GRANDPA finality proof', () => {
    const r = new ScaleReader(bytes, 'FinalityProof');
    const block = r.take(HASH_BYTES, 'block');
    const justification = r.bytesWithLength('justification');
    const m = r.length('unknown_headers', HASH_BYTES * 3 + 2);
    const unknownHeaders: DecodedHeader[] = [];
    for (let i = 0; i < m; i++) unknownHeaders.push(readHeader(r));
    r.end();
    return { block, justification, unknownHeaders };
  });
}

/** What a voter signs: SCALE `(Message::Precommit { target_hash, target_number }, round: u64, set_id: u64)`. */
export function precommitMessage(targetHash: Uint8Array, targetNumber: number, round: bigint, setId: bigint): Uint8Array {
  return new ScaleWriter(1 + HASH_BYTES + 4 + 16).byte(MESSAGE_PRECOMMIT).bytes(targetHash).u32(targetNumber).uint(round, 8).uint(setId, 8).finish();
}

/** finality-grandpa's `VoterSet::threshold`: `total − ⌊(total − 1) / 3⌋` (more than two thirds). */
export function thresholdWeight(total: bigint): bigint {
  return total - (total - 1n) / 3n;
}

/** ed25519 checks on the calling thread (OpenSSL through chain-types, KeyObjects cached per key). */
export const verifyOnThread: SignatureVerifier = (checks) =>
  checks.map((c) => c.signature.length === 64 && c.publicKey.length === 32 && verifySignatureBytes(c.message, 'Ed25519', c.signature, c.publicKey));

interface VoterIndex {
  byKey: Map<string, Authority>;
  total: bigint;
}
const voterIndexes = new WeakMap<readonly Authority[], VoterIndex>();

function voterIndex(authorities: readonly Authority[]): VoterIndex {
  let index = voterIndexes.get(authorities);
  if (!index) {
    checkAuthorities(authorities, 'voter set', 'INVALID_ARGUMENT');
    const byKey = new Map<string, Authority>();
    let total = 0n;
    for (const a of authorities) {
      byKey.set(bytesToHex(a.key), a);
      total += a.weight;
    }
    index = { byKey, total };
    voterIndexes.set(authorities, index);
  }
  return index;
}

/**
 * Every check of `GrandpaJustification::verify_with_voter_set` except the signatures, in this order: the commit
 * targets `target` (TARGET_MISMATCH); each precommit is by a member of the set (UNKNOWN_VOTER), at most one per
 * member (DUPLICATE_VOTER), and targets the commit target or a descendant of it through `votes_ancestries`, with
 * the right numbers (ANCESTRY_MISMATCH); every ancestry header is on such a route, none twice (UNUSED_ANCESTRY);
 * the voters' weight reaches `thresholdWeight(total)` (NOT_ENOUGH_WEIGHT). `finish(results)` then needs every
 * signature valid: BAD_SIGNATURE, or WRONG_SET_ID when the failing one verifies for set id ± 1 instead.
 */
export function prepareJustification(justification: Justification | Uint8Array, set: VoterSet, target: BlockId): PreparedJustification {
  const j = justification instanceof Uint8Array ? decodeJustification(justification) : justification;
  const setId = BigInt(set.id);
  const voters = voterIndex(set.authorities);
  if (j.targetNumber !== target.number || !bytesEqual(j.targetHash, target.hash)) {
    throw new LightClientError('TARGET_MISMATCH', `the justification's commit is on #${j.targetNumber} ${bytesToHex(j.targetHash)}, not #${target.number} ${bytesToHex(target.hash)}`);
  }

  const ancestry = new Map<string, DecodedHeader>();
  for (const h of j.votesAncestries) ancestry.set(bytesToHex(h.hash), h);
  const used = new Set<string>();
  const seen = new Set<string>();
  let weight = 0n;
  const checks: SignatureCheck[] = [];

  for (const [i, p] of j.precommits.entries()) {
    const key = bytesToHex(p.id);
    const voter = voters.byKey.get(key);
    if (!voter) throw new LightClientError('UNKNOWN_VOTER', `precommit ${i} is by ${key}, not an authority of set ${setId}`);
    if (seen.has(key)) throw new LightClientError('DUPLICATE_VOTER', `precommit ${i}: ${key} voted twice`);
    seen.add(key);
    weight += voter.weight;

    // The route from the precommit's target down to the commit target, one header per block.
    let hash = p.targetHash;
    let number = p.targetNumber;
    while (!(number === j.targetNumber && bytesEqual(hash, j.targetHash))) {
      const hex = bytesToHex(hash);
      const header = number > j.targetNumber ? ancestry.get(hex) : undefined;
      if (!header || header.number !== number) {
        throw new LightClientError('ANCESTRY_MISMATCH', `precommit ${i} on #${p.targetNumber} ${bytesToHex(p.targetHash)}: #${number} ${hex} is not the commit target #${j.targetNumber} nor a votes_ancestries header above it`);
      }
      used.add(hex);
      hash = header.parentHash;
      number--;
    }
    checks.push({ scheme: 'ed25519', publicKey: p.id, message: precommitMessage(p.targetHash, p.targetNumber, j.round, setId), signature: p.signature });
  }
  if (used.size !== j.votesAncestries.length) {
    throw new LightClientError('UNUSED_ANCESTRY', `votes_ancestries has ${j.votesAncestries.length} headers, the precommits' routes use ${used.size}`);
  }
  const threshold = thresholdWeight(voters.total);
  if (weight < threshold) {
    throw new LightClientError('NOT_ENOUGH_WEIGHT', `precommits weigh ${weight} of ${voters.total}, the threshold is ${threshold}`);
  }

  return {
    checks,
    finish(results) {
      if (results.length !== checks.length) throw new LightClientError('INVALID_ARGUMENT', `${results.length} signature results for ${checks.length} checks`);
      for (let i = 0; i < checks.length; i++) {
        if (results[i]) continue;
        const p = j.precommits[i]!;
        for (const other of [setId - 1n, setId + 1n]) {
          if (other < 0n) continue;
          const message = precommitMessage(p.targetHash, p.targetNumber, j.round, other);
          if (verifyOnThread([{ ...checks[i]!, message }])[0]) {
            throw new LightClientError('WRONG_SET_ID', `precommit ${i} by ${bytesToHex(p.id)} is signed for set id ${other}, not ${setId}`);
          }
        }
        throw new LightClientError('BAD_SIGNATURE', `precommit ${i} by ${bytesToHex(p.id)} does not verify for round ${j.round}, set id ${setId}`);
      }
      return { round: j.round, weight, threshold, voters: checks.length };
    },
  };
}

/** `prepareJustification` and its signatures in one call; `verify` defaults to `verifyOnThread`. */
export function verifyJustification(
  justification: Justification | Uint8Array,
  set: VoterSet,
  target: BlockId,
  options: { verify?: SignatureVerifier } = {},
): JustificationOutcome {
  const prepared = prepareJustification(justification, set, target);
  return prepared.finish((options.verify ?? verifyOnThread)(prepared.checks));
}
