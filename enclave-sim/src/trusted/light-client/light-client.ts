// The enclave's parentchain light client: follows the finalized chain from genesis through batches of consecutive
// headers with their bodies and a GRANDPA justification, and the authority set through the FRNK logs of the headers
// it verified. Pure: no I/O, the caller seals `encodeState()` and feeds batches. docs: ./README.md.

import { bytesEqual, bytesToHex } from '@sealbridge/chain-types';
import { TrieError, extrinsicsRootStateVersion, orderedTrieRoot } from '@sealbridge/trie';

import { LightClientError } from './errors.js';
import {
  decodeFinalityProof,
  decodeJustification,
  prepareJustification,
  verifyOnThread,
  type BlockId,
  type FinalityProof,
  type Justification,
  type JustificationOutcome,
  type SignatureCheck,
  type SignatureVerifier,
} from './grandpa.js';
import { HASH_BYTES, decodeHeader, grandpaLogs, type Authority, type DecodedHeader } from './header.js';
import { authoritiesFromProof } from './proofs.js';
import { checkState, decodeState, enactsAt, encodeState, type LightClientState, type PendingChange } from './state.js';

export { authoritiesFromProof, eventsFromProof } from './proofs.js';

/** How a batch proves its last header final: a justification of it, or a finality proof (of it or a descendant). */
export type BatchFinality =
  | { justification: Uint8Array | Justification }
  | { finalityProof: Uint8Array | FinalityProof };

export interface Batch {
  /** SCALE headers, consecutive, the first one right after the last verified block. */
  headers: readonly Uint8Array[];
  /** Per header, its extrinsics as in the block body (each SCALE-encoded with its length prefix, as `Vec<Extrinsic>` holds them). */
  bodies: readonly (readonly Uint8Array[])[];
  /** Required: a batch without it is NOT_FINAL. */
  finality?: BatchFinality;
  /** When given, the genesis the host believes it follows; another one than the client's is WRONG_GENESIS. */
  genesisHash?: Uint8Array;
}

export interface VerifiedHeader {
  number: number;
  hash: Uint8Array;
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  /** The decoded header (its fields are views of the batch's bytes). */
  header: DecodedHeader;
}

export interface SetChange {
  kind: 'scheduled' | 'forced';
  /** The block that enacted it: the last block of the old set (scheduled), the first of the new one (forced). */
  at: number;
  id: bigint;
  authorities: Authority[];
}

export interface BatchResult {
  headers: VerifiedHeader[];
  /** The block the justification is of: the last header or, through a finality proof, a descendant of it. */
  justified: BlockId;
  justification: JustificationOutcome & { setId: bigint };
  /** A set change enacted by this batch (at most one). */
  setChange?: SetChange;
  /** The change pending after this batch, if any (signalled in it or before). */
  pending?: PendingChange;
}

/** A batch whose every check but the signatures passed; `commit` takes the results of `checks` and advances the client. */
export interface PreparedBatch {
  checks: SignatureCheck[];
  commit(results: ArrayLike<boolean | number>): BatchResult;
}

export interface GenesisOptions {
  /** The runtime's `system_version` (formerly state_version): the extrinsics-root layout. Default 1 (→ layout V0), as the dev chain. */
  systemVersion?: number;
  /** When given, a genesis header of another hash is WRONG_GENESIS. */
  expectedGenesisHash?: Uint8Array;
}

/** A change that walks with the batch: `finalized` when it was signalled before the batch (so in a finalized block). */
type WalkChange = PendingChange & { finalized: boolean };

const ZERO_HASH = new Uint8Array(HASH_BYTES);

function hex(b: Uint8Array): string {
  return bytesToHex(b);
}

function copyAuthorities(list: readonly Authority[]): Authority[] {
  return list.map((a) => ({ key: a.key.slice(), weight: a.weight }));
}

function copyPending(p: PendingChange): PendingChange {
  return { kind: p.kind, signalledAt: p.signalledAt, delay: p.delay, ...(p.median === undefined ? {} : { median: p.median }), next: copyAuthorities(p.next) };
}

function copyState(s: LightClientState): LightClientState {
  return {
    genesisHash: s.genesisHash.slice(),
    last: { number: s.last.number, hash: s.last.hash.slice(), header: s.last.header.slice() },
    set: { id: s.set.id, authorities: copyAuthorities(s.set.authorities) },
    extrinsicsLayout: s.extrinsicsLayout,
    ...(s.pending ? { pending: copyPending(s.pending) } : {}),
  };
}

/** The set change signalled by a header, if any; two in one digest is AUTHORITY_CHANGE_CONFLICT. */
function changeSignalledBy(h: DecodedHeader): PendingChange | undefined {
  let found: PendingChange | undefined;
  for (const log of grandpaLogs(h.digest)) {
    if (log.kind !== 'ScheduledChange' && log.kind !== 'ForcedChange') continue; // OnDisabled, Pause, Resume leave the set as it is
    if (found) throw new LightClientError('AUTHORITY_CHANGE_CONFLICT', `#${h.number} signals two set changes`);
    found = log.kind === 'ScheduledChange'
      ? { kind: 'scheduled', signalledAt: h.number, delay: log.delay, next: log.next }
      : { kind: 'forced', signalledAt: h.number, delay: log.delay, median: log.median, next: log.next };
  }
  return found;
}

function conflict(h: DecodedHeader, pending: PendingChange): LightClientError {
  return new LightClientError('AUTHORITY_CHANGE_CONFLICT', `#${h.number} signals a set change while the ${pending.kind} change of #${pending.signalledAt} (enacting at #${enactsAt(pending)}) is pending`);
}

/**
 * The parentchain light client (GRANDPA finality, ed25519 authorities). Batch and set-change rules:
 *
 *  - A batch is the headers right after the last verified block, consecutive (REORG if the first does not build on
 *    it, NOT_CHAINED for any other break, STALE if it starts at or below it), a body per header matching its
 *    extrinsics_root (EXTRINSICS_ROOT_MISMATCH), and finality of its last header L: a justification of L, or a
 *    finality proof whose justification is of L or of a descendant J reached through `unknown_headers` (L; J].
 *    The justification must be by the current set (NOT_FINAL without one).
 *  - Set changes come from the FRNK logs of the batch's own headers only; at most one is pending at a time
 *    (AUTHORITY_CHANGE_CONFLICT otherwise, as pallet_grandpa's ChangePending).
 *  - A scheduled change signalled at N enacts at E = N + delay once E is finalized by the set it retires: a batch
 *    reaching E must END at E, with a justification of E itself (Substrate keeps one for every set-change block);
 *    the next batch is then justified by the new set, id + 1. A batch that goes past E, or whose finality proof's
 *    unknown_headers reach E, is refused with SPLIT_BATCH and `at` = E: the host splits there.
 *  - A forced change signalled at N enacts at E = N + delay when E is imported, finalized or not: the headers from E
 *    on, and the batch's justification, are the new set's (id + 1). The block N must first be finalized by the set it
 *    replaces (in an earlier batch): a batch that would reach E while N is unfinalized is FORCED_CHANGE_UNFINALIZED
 *    with `at` = N (end the batch before E). Without that rule the headers of a batch could appoint the set that
 *    justifies them. So a forced change with delay 0, or one signalled while the old set no longer finalizes
 *    anything, stalls this client: it does not verify block authorship, which is what a Substrate node trusts there.
 *    A batch needing a forced E through unknown_headers only is SPLIT_BATCH `at` = E (include E in the batch).
 */
export class LightClient {
  #state: LightClientState;
  /** Advances with every commit: a batch prepared before another one was committed cannot commit. */
  #generation = 0;

  private constructor(state: LightClientState) {
    this.#state = state;
  }

  /** From the genesis header and a read proof of `:grandpa_authorities` against its state root (AUTHORITIES_PROOF_INVALID). */
  static fromGenesis(genesisHeader: Uint8Array, authoritiesProof: { proof: readonly Uint8Array[] } | readonly Uint8Array[], options: GenesisOptions = {}): LightClient {
    const header = decodeHeader(genesisHeader);
    if (header.number !== 0 || !bytesEqual(header.parentHash, ZERO_HASH)) {
      throw new LightClientError('WRONG_GENESIS', `not a genesis header: #${header.number} with parent ${hex(header.parentHash)}`);
    }
    if (options.expectedGenesisHash && !bytesEqual(options.expectedGenesisHash, header.hash)) {
      throw new LightClientError('WRONG_GENESIS', `genesis ${hex(header.hash)}, expected ${hex(options.expectedGenesisHash)}`);
    }
    const proof = 'proof' in authoritiesProof ? authoritiesProof.proof : authoritiesProof;
    const authorities = authoritiesFromProof(header.stateRoot, proof);
    let layout: 0 | 1;
    try {
      layout = extrinsicsRootStateVersion(options.systemVersion ?? 1);
    } catch (cause) {
      throw new LightClientError('INVALID_ARGUMENT', `system version ${String(options.systemVersion)} is not a u8`, { cause });
    }
    return new LightClient({
      genesisHash: header.hash.slice(),
      last: { number: 0, hash: header.hash.slice(), header: genesisHeader.slice() },
      set: { id: 0n, authorities },
      extrinsicsLayout: layout,
    });
  }

  /** From sealed state (`encodeState()` bytes or the object); STATE_INVALID if inconsistent, WRONG_GENESIS if of another chain. */
  static fromState(state: LightClientState | Uint8Array, options: { expectedGenesisHash?: Uint8Array } = {}): LightClient {
    let s: LightClientState;
    if (state instanceof Uint8Array) s = decodeState(state);
    else {
      checkState(state);
      s = copyState(state);
    }
    if (options.expectedGenesisHash && !bytesEqual(options.expectedGenesisHash, s.genesisHash)) {
      throw new LightClientError('WRONG_GENESIS', `state of genesis ${hex(s.genesisHash)}, expected ${hex(options.expectedGenesisHash)}`);
    }
    return new LightClient(s);
  }

  /** A copy of the state. */
  get state(): LightClientState {
    return copyState(this.#state);
  }

  encodeState(): Uint8Array {
    return encodeState(this.#state);
  }

  get genesisHash(): Uint8Array {
    return this.#state.genesisHash.slice();
  }

  get last(): { number: number; hash: Uint8Array } {
    return { number: this.#state.last.number, hash: this.#state.last.hash.slice() };
  }

  get set(): { id: bigint; authorities: Authority[] } {
    return { id: this.#state.set.id, authorities: copyAuthorities(this.#state.set.authorities) };
  }

  get pending(): PendingChange | undefined {
    return this.#state.pending && copyPending(this.#state.pending);
  }

  /** Verifies a batch with its signatures checked by `verify` (default: on this thread) and advances. */
  verifyBatch(batch: Batch, options: { verify?: SignatureVerifier } = {}): BatchResult {
    const prepared = this.prepareBatch(batch);
    return prepared.commit((options.verify ?? verifyOnThread)(prepared.checks));
  }

  /** `verifyBatch` with an asynchronous verifier, e.g. `(checks) => Promise.all(checks.map((c) => pool.verify(c)))`. */
  async verifyBatchAsync(batch: Batch, verify: (checks: readonly SignatureCheck[]) => Promise<ArrayLike<boolean | number>>): Promise<BatchResult> {
    const prepared = this.prepareBatch(batch);
    return prepared.commit(await verify(prepared.checks));
  }

  /** Every check of a batch but its signatures; nothing changes until `commit`. */
  prepareBatch(batch: Batch): PreparedBatch {
    const s = this.#state;
    const generation = this.#generation;
    if (batch.genesisHash !== undefined && !bytesEqual(batch.genesisHash, s.genesisHash)) {
      throw new LightClientError('WRONG_GENESIS', `a batch of genesis ${hex(batch.genesisHash)}; this client follows ${hex(s.genesisHash)}`);
    }
    if (!Array.isArray(batch.headers) || batch.headers.length === 0) throw new LightClientError('INVALID_ARGUMENT', 'a batch needs at least one header');
    if (!Array.isArray(batch.bodies) || batch.bodies.length !== batch.headers.length) {
      throw new LightClientError('INVALID_ARGUMENT', `a batch needs one body per header: ${batch.headers.length} headers, ${Array.isArray(batch.bodies) ? batch.bodies.length : 'no'} bodies`);
    }

    // 1. The headers chain from the last verified block.
    const headers = batch.headers.map((bytes) => decodeHeader(bytes));
    const first = headers[0]!;
    if (first.number <= s.last.number) {
      throw new LightClientError('STALE', `the batch starts at #${first.number}, the client is at #${s.last.number}`);
    }
    if (first.number !== s.last.number + 1) {
      throw new LightClientError('NOT_CHAINED', `the batch starts at #${first.number}, not at #${s.last.number + 1}`);
    }
    if (!bytesEqual(first.parentHash, s.last.hash)) {
      throw new LightClientError('REORG', `#${first.number} builds on ${hex(first.parentHash)}, not on the finalized #${s.last.number} ${hex(s.last.hash)}`);
    }
    for (let i = 1; i < headers.length; i++) {
      const h = headers[i]!;
      const parent = headers[i - 1]!;
      if (h.number !== parent.number + 1 || !bytesEqual(h.parentHash, parent.hash)) {
        throw new LightClientError('NOT_CHAINED', `batch header ${i} (#${h.number}, parent ${hex(h.parentHash)}) does not follow #${parent.number} ${hex(parent.hash)}`);
      }
    }
    const lastHeader = headers[headers.length - 1]!;

    // 2. Set changes through the batch's digests.
    let set = s.set;
    let pending: WalkChange | undefined = s.pending && { ...s.pending, finalized: true };
    let setChange: SetChange | undefined;
    let enactOnFinality: PendingChange | undefined;
    for (const [i, h] of headers.entries()) {
      const signalled = changeSignalledBy(h);
      if (signalled) {
        if (pending) throw conflict(h, pending);
        pending = { ...signalled, finalized: false };
      }
      if (!pending || enactsAt(pending) !== h.number) continue;
      if (pending.kind === 'scheduled') {
        if (i !== headers.length - 1) {
          throw new LightClientError('SPLIT_BATCH', `the scheduled set change of #${pending.signalledAt} enacts at #${h.number}: end the batch there, justified by set ${set.id}`, { at: h.number });
        }
        enactOnFinality = pending;
      } else {
        if (!pending.finalized) {
          throw new LightClientError('FORCED_CHANGE_UNFINALIZED', `the forced set change of #${pending.signalledAt} enacts at #${h.number}, before #${pending.signalledAt} is finalized by set ${set.id}: end the batch before #${h.number}`, { at: pending.signalledAt });
        }
        set = { id: set.id + 1n, authorities: pending.next };
        setChange = { kind: 'forced', at: h.number, id: set.id, authorities: copyAuthorities(pending.next) };
        pending = undefined;
      }
    }

    // 3. Finality: which block is justified, through which headers.
    const finality = batch.finality;
    if (!finality) throw new LightClientError('NOT_FINAL', `no justification for #${lastHeader.number}`);
    let justification: Justification;
    let justified: BlockId = { hash: lastHeader.hash, number: lastHeader.number };
    if ('justification' in finality) {
      justification = finality.justification instanceof Uint8Array ? decodeJustification(finality.justification) : finality.justification;
    } else {
      const proof = finality.finalityProof instanceof Uint8Array ? decodeFinalityProof(finality.finalityProof) : finality.finalityProof;
      justification = decodeJustification(proof.justification);
      // A proof for a block inside the batch (grandpa_proveFinality(n) for n < L) repeats batch headers: skip those.
      let skip = 0;
      for (const h of proof.unknownHeaders) {
        const own = h.number > s.last.number && h.number <= lastHeader.number ? headers[h.number - first.number]! : undefined;
        if (!own) break;
        if (!bytesEqual(own.hash, h.hash)) {
          throw new LightClientError('NOT_CHAINED', `finality proof header #${h.number} ${hex(h.hash)} is not the batch's #${h.number} ${hex(own.hash)}`);
        }
        skip++;
      }
      const unknown = proof.unknownHeaders.slice(skip);
      if (unknown.length > 0) {
        let parent = lastHeader;
        for (const [i, h] of unknown.entries()) {
          if (h.number !== parent.number + 1 || !bytesEqual(h.parentHash, parent.hash)) {
            throw new LightClientError('NOT_CHAINED', `finality proof header ${i} (#${h.number}, parent ${hex(h.parentHash)}) does not follow #${parent.number} ${hex(parent.hash)}`);
          }
          parent = h;
        }
        justified = { hash: parent.hash, number: parent.number };
      }
      if (!bytesEqual(proof.block, justified.hash)) {
        throw new LightClientError(unknown.length ? 'TARGET_MISMATCH' : 'NOT_FINAL', unknown.length
          ? `the finality proof is of ${hex(proof.block)}, its headers lead to #${justified.number} ${hex(justified.hash)}`
          : `the finality proof is of ${hex(proof.block)}, without headers leading there from #${lastHeader.number} ${hex(lastHeader.hash)}`);
      }
      if (unknown.length > 0 && enactOnFinality) {
        throw new LightClientError('NOT_FINAL', `#${lastHeader.number} enacts a scheduled set change: it needs a justification of its own by set ${set.id} (grandpa_proveFinality(${lastHeader.number}) returns it), not one of #${justified.number}`);
      }
      // No set change may enact in (L; J]: the justification would then not be the current set's.
      let ahead: WalkChange | undefined = pending;
      for (const h of unknown) {
        const signalled = changeSignalledBy(h);
        if (signalled) {
          if (ahead) throw conflict(h, ahead);
          ahead = { ...signalled, finalized: false };
        }
        if (!ahead || enactsAt(ahead) !== h.number) continue;
        if (ahead.kind === 'scheduled') {
          throw new LightClientError('SPLIT_BATCH', `the scheduled set change of #${ahead.signalledAt} enacts at #${h.number}, within the finality proof's headers: end the batch at #${h.number}`, { at: h.number });
        }
        if (ahead.finalized) {
          throw new LightClientError('SPLIT_BATCH', `the forced set change of #${ahead.signalledAt} enacts at #${h.number}, within the finality proof's headers: include #${h.number} in the batch`, { at: h.number });
        }
        throw new LightClientError('FORCED_CHANGE_UNFINALIZED', `the forced set change of #${ahead.signalledAt} enacts at #${h.number}, within the finality proof's headers, before #${ahead.signalledAt} is finalized by set ${set.id}: justify a block before #${h.number} first`, { at: ahead.signalledAt });
      }
    }
    const signingSet = set;
    const prepared = prepareJustification(justification, signingSet, justified);

    // 4. Bodies against extrinsics roots (after the cheap checks: this is the hashing-heavy part).
    for (const [i, h] of headers.entries()) {
      const body = batch.bodies[i]!;
      let root: Uint8Array;
      try {
        root = orderedTrieRoot(body, s.extrinsicsLayout);
      } catch (cause) {
        if (cause instanceof TrieError) throw new LightClientError('INVALID_ARGUMENT', `body ${i}: ${cause.message}`, { cause });
        throw cause;
      }
      if (!bytesEqual(root, h.extrinsicsRoot)) {
        throw new LightClientError('EXTRINSICS_ROOT_MISMATCH', `the body of #${h.number} (${body.length} extrinsics) has root ${hex(root)}, the header ${hex(h.extrinsicsRoot)}`);
      }
    }

    return {
      checks: prepared.checks,
      commit: (results) => {
        if (this.#generation !== generation) throw new LightClientError('STALE', `the client advanced to #${this.#state.last.number} while the batch after #${s.last.number} was verified`);
        const outcome = prepared.finish(results);
        let nextSet = { id: signingSet.id, authorities: copyAuthorities(signingSet.authorities) };
        let nextPending: PendingChange | undefined = pending && copyPending(pending);
        if (enactOnFinality) {
          nextSet = { id: signingSet.id + 1n, authorities: copyAuthorities(enactOnFinality.next) };
          setChange = { kind: 'scheduled', at: lastHeader.number, id: nextSet.id, authorities: copyAuthorities(enactOnFinality.next) };
          nextPending = undefined;
        }
        this.#state = {
          genesisHash: s.genesisHash,
          last: { number: lastHeader.number, hash: lastHeader.hash.slice(), header: lastHeader.encoded.slice() },
          set: nextSet,
          extrinsicsLayout: s.extrinsicsLayout,
          ...(nextPending ? { pending: nextPending } : {}),
        };
        this.#generation++;
        return {
          headers: headers.map((h) => ({
            number: h.number,
            hash: h.hash.slice(),
            parentHash: h.parentHash.slice(),
            stateRoot: h.stateRoot.slice(),
            extrinsicsRoot: h.extrinsicsRoot.slice(),
            header: h,
          })),
          justified: { hash: justified.hash.slice(), number: justified.number },
          justification: { ...outcome, setId: signingSet.id },
          ...(setChange ? { setChange } : {}),
          ...(nextPending ? { pending: copyPending(nextPending) } : {}),
        };
      },
    };
  }
}
