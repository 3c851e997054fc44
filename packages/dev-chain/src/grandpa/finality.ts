import { hexToU8a, u8aEq } from '@polkadot/util';
import { remember, type EnumValue } from '@sealbridge/chain-types';

import type { BlockRecord } from '../chain.js';
import type { Logger } from '../log.js';
import type { GrandpaKeystore } from './keystore.js';

import { DevChainError } from '../errors.js';
import { GRANDPA_ENGINE_ID, decodeConsensusLog, encodeFinalityProof, encodeJustification, precommitPayload, thresholdWeight, type Authority } from './codec.js';

/** Substrate's default `justification_period`: a justification is kept for every this many blocks. */
export const DEFAULT_JUSTIFICATION_PERIOD = 512;
/** sc-consensus-grandpa's bound of `FinalityProof.unknown_headers`. */
export const MAX_UNKNOWN_HEADERS = 100_000;
/** Justifications of blocks that are not kept (any finalized block can be asked for) remembered for re-use. */
const RECENT_JUSTIFICATIONS = 256;

export interface GrandpaOptions {
  /** The genesis authority set (`Grandpa.Authorities` at genesis). */
  authorities: Authority[];
  /** The node's keys: it is every authority, so it must hold every key of every set. */
  keystore: GrandpaKeystore;
  /** Blocks whose number is a multiple of this keep their justification (`chain_getBlock`); 0: only set changes. */
  justificationPeriod: number;
}

/** One GRANDPA voter set: the authorities that finalize the blocks after `base` up to and including `last`. */
export interface VoterSet {
  id: bigint;
  authorities: Authority[];
  totalWeight: bigint;
  thresholdWeight: bigint;
  /** The block whose finalization enacted this set (0 for the genesis set); its rounds count from there. */
  base: number;
  /** The block that enacts the next set: the last one this set justifies. Unset for the current set. */
  last?: number;
}

function voterSet(id: bigint, authorities: Authority[], base: number): VoterSet {
  const totalWeight = authorities.reduce((sum, a) => sum + a.weight, 0n);
  return { id, authorities, totalWeight, thresholdWeight: thresholdWeight(totalWeight), base };
}

type Listener = (justification: Uint8Array, block: BlockRecord) => void;

/**
 * The finality gadget of the dev chain, standing in for a GRANDPA voter network in which the node holds every
 * authority's key. As a Substrate node it follows the authority set through the header digests of finalized blocks
 * (`Consensus(FRNK, ScheduledChange)` in block N with delay d: the set changes once N + d is finalized, which the old
 * set justifies; the set id then increments). Each finalized block has a justification in the real
 * `GrandpaJustification` format, made on demand and remembered: round = block number − the set's base block, a
 * commit on the block itself with a precommit of every authority of its set (all of them, not only the threshold),
 * no votes ancestries. Blocks at multiples of `justificationPeriod` and set-change blocks keep theirs
 * (`chain_getBlock`); every finalization round's justification is pushed to `onJustification` listeners.
 * `docs/dev-parentchain.md §4.2`.
 */
export class GrandpaFinality {
  readonly #keystore: GrandpaKeystore;
  readonly #period: number;
  readonly #log: Logger;
  readonly #decodeDigestItem: (bytes: Uint8Array) => EnumValue;
  readonly #sets: VoterSet[];
  #pending: { signalledAt: number; enactAt: number; next: Authority[] } | undefined;
  /** Highest finalized block number whose digest has been followed. */
  #done = 0;
  readonly #kept = new Map<number, Uint8Array>();
  readonly #recent = new Map<number, Uint8Array>();
  readonly #listeners = new Set<Listener>();

  constructor(options: GrandpaOptions, decodeDigestItem: (bytes: Uint8Array) => EnumValue, log: Logger) {
    if (!Number.isInteger(options.justificationPeriod) || options.justificationPeriod < 0) {
      throw new DevChainError('INVALID_ARGUMENT', 'justificationPeriod must be a non-negative integer');
    }
    if (!options.authorities.length) throw new DevChainError('INVALID_ARGUMENT', 'the GRANDPA authority set is empty');
    for (const a of options.authorities) {
      if (!options.keystore.has(a.id)) throw new DevChainError('INVALID_ARGUMENT', 'the node must hold the key of every genesis GRANDPA authority');
    }
    this.#keystore = options.keystore;
    this.#period = options.justificationPeriod;
    this.#decodeDigestItem = decodeDigestItem;
    this.#log = log;
    this.#sets = [voterSet(0n, options.authorities, 0)];
  }

  get justificationPeriod(): number {
    return this.#period;
  }

  /** The set that finalizes blocks after the last finalized one. */
  get currentSet(): VoterSet {
    return this.#sets[this.#sets.length - 1]!;
  }

  /** Every set so far, oldest first. */
  get sets(): readonly VoterSet[] {
    return this.#sets;
  }

  /** The voter set whose justification finalizes block `n` (the genesis set for block 0). */
  setOf(n: number): VoterSet {
    for (let i = this.#sets.length - 1; i > 0; i--) if (this.#sets[i]!.base < n) return this.#sets[i]!;
    return this.#sets[0]!;
  }

  onJustification(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Follows newly finalized canonical blocks (ascending, the first one right after the last followed). Returns the
   * blocks that end a finalization round: each set-change block in between (the old set's last round) and the last
   * block. Their justifications are made here, so that the cost falls on finalization and `emit` only sends.
   */
  finalize(blocks: readonly BlockRecord[]): BlockRecord[] {
    const rounds: BlockRecord[] = [];
    for (const block of blocks) {
      if (block.number !== this.#done + 1) throw new DevChainError('INVALID_ARGUMENT', `GRANDPA expected block #${this.#done + 1}, got #${block.number}`);
      for (const item of block.digest) this.#followDigest(block, item);
      this.#done = block.number;
      if (this.#pending?.enactAt === block.number) {
        const current = this.currentSet;
        current.last = block.number;
        this.#sets.push(voterSet(current.id + 1n, this.#pending.next, block.number));
        this.#pending = undefined;
        rounds.push(block);
        this.#log.log('info', 'GRANDPA authority set changed', { block: block.number, setId: String(current.id + 1n), authorities: this.currentSet.authorities.length });
      }
    }
    const last = blocks[blocks.length - 1];
    if (last && rounds[rounds.length - 1] !== last) rounds.push(last);
    for (const block of rounds) this.justification(block);
    return rounds;
  }

  #followDigest(block: BlockRecord, bytes: Uint8Array): void {
    const item = this.#decodeDigestItem(bytes);
    if (item.name !== 'Consensus') return;
    const [engine, payload] = item.value as [Uint8Array, Uint8Array];
    if (!u8aEq(engine, GRANDPA_ENGINE_ID)) return;
    const log = decodeConsensusLog(payload);
    if (log.kind !== 'ScheduledChange') {
      // Forced changes, pause and resume are never signalled by this runtime.
      this.#log.log('warn', 'ignoring GRANDPA consensus log', { block: block.number, kind: log.kind });
      return;
    }
    if (this.#pending) {
      this.#log.log('warn', 'ignoring GRANDPA change signalled while another is pending', { block: block.number, pendingAt: this.#pending.enactAt });
      return;
    }
    this.#pending = { signalledAt: block.number, enactAt: block.number + log.delay, next: log.next };
  }

  /** Sends the justifications of finalization rounds (what `finalize` returned) to the listeners. */
  emit(rounds: readonly BlockRecord[]): void {
    if (!this.#listeners.size) return;
    for (const block of rounds) {
      const j = this.justification(block);
      for (const l of this.#listeners) l(j, block);
    }
  }

  /** Whether a finalized block keeps its justification: a multiple of the period or the last block of a set. */
  isKept(n: number): boolean {
    if (n === 0 || n > this.#done) return false;
    if (this.#period > 0 && n % this.#period === 0) return true;
    return this.#sets.some((s) => s.last === n);
  }

  /** SCALE `GrandpaJustification` finalizing the (finalized, canonical) block. */
  justification(block: BlockRecord): Uint8Array {
    const n = block.number;
    if (n === 0 || n > this.#done) throw new DevChainError('INVALID_ARGUMENT', `block #${n} is not finalized by GRANDPA`);
    const found = this.#kept.get(n) ?? this.#recent.get(n);
    if (found) return found;
    const set = this.setOf(n);
    const round = BigInt(n - set.base);
    const hash = hexToU8a(block.hash);
    const payload = precommitPayload(hash, n, round, set.id);
    const justification = encodeJustification({
      round,
      targetHash: hash,
      targetNumber: n,
      precommits: set.authorities.map((a) => ({ targetHash: hash, targetNumber: n, signature: this.#keystore.sign(a.id, payload), id: a.id })),
      votesAncestries: [],
    });
    if (this.isKept(n)) this.#kept.set(n, justification);
    else remember(this.#recent, n, RECENT_JUSTIFICATIONS, justification);
    return justification;
  }

  /** The smallest block ≥ n that keeps its justification, if one is finalized. */
  #keptFrom(n: number): number | undefined {
    let found: number | undefined;
    if (this.#period > 0) {
      const next = Math.max(this.#period, Math.ceil(n / this.#period) * this.#period);
      if (next <= this.#done) found = next;
    }
    const last = this.#sets.find((s) => s.last !== undefined && s.last >= n)?.last;
    if (last !== undefined && (found === undefined || last < found)) found = last;
    return found;
  }

  /**
   * `grandpa_proveFinality(n)`: SCALE `FinalityProof` with the justification of the smallest block ≥ n that keeps
   * one (a period or set-change block), else of the last finalized block, and the headers after n up to that block
   * (`unknown_headers`, (n; target], as sc-consensus-grandpa). Null while nothing after genesis is finalized.
   */
  proveFinality(n: number, blockByNumber: (n: number) => BlockRecord | undefined): Uint8Array | null {
    if (n > this.#done) throw new DevChainError('NOT_FINALIZED', 'Block not yet finalized');
    const target = this.#keptFrom(n) ?? this.#done;
    if (target === 0) return null;
    const block = blockByNumber(target)!;
    const headers: Uint8Array[] = [];
    for (let i = n + 1; i <= target && headers.length < MAX_UNKNOWN_HEADERS; i++) headers.push(blockByNumber(i)!.encodedHeader);
    return encodeFinalityProof(hexToU8a(block.hash), this.justification(block), headers);
  }

  /** `grandpa_roundState`: the set's last completed round, which every authority voted in. */
  roundState(): unknown {
    const set = this.currentSet;
    const total = Number(set.totalWeight);
    const votes = { currentWeight: total, missing: [] as string[] };
    return {
      setId: Number(set.id),
      best: { round: Math.max(0, this.#done - set.base), totalWeight: total, thresholdWeight: Number(set.thresholdWeight), prevotes: votes, precommits: votes },
      background: [],
    };
  }
}
