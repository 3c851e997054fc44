// Spec support: test parentchains built with encoders independent of the light client's — headers, justifications,
// finality proofs and FRNK logs with polkadot-js types, signatures with @polkadot/util-crypto's ed25519, the
// precommit message with polkadot-js' codec; roots and read proofs with @sealbridge/trie. Not part of the enclave.

import { TypeRegistry } from '@polkadot/types';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';
import { PersistentTrie, orderedTrieRoot } from '@sealbridge/trie';

export const registry = new TypeRegistry();
registry.register({
  TestScheduledChange: { nextAuthorities: 'Vec<(AuthorityId, u64)>', delay: 'u32' },
  TestConsensusLog: {
    _enum: { Unused: 'Null', ScheduledChange: 'TestScheduledChange', ForcedChange: '(u32, TestScheduledChange)', OnDisabled: 'u64', Pause: 'u32', Resume: 'u32' },
  },
  TestFinalityProof: { block: 'H256', justification: 'Bytes', unknownHeaders: 'Vec<Header>' },
});

export const FRNK = Uint8Array.from(Buffer.from('FRNK'));
export const EVENTS_KEY = Uint8Array.from(Buffer.from('26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7', 'hex'));
export const AUTHORITIES_KEY = Uint8Array.from(Buffer.from(':grandpa_authorities'));

export interface Voter {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  weight: bigint;
}

export function voter(name: string, weight = 1n): Voter {
  const pair = ed25519PairFromSeed(blake2AsU8a(`light-client spec voter ${name}`, 256));
  return { ...pair, weight };
}

export type TestLog =
  | { ScheduledChange: { next: Voter[]; delay: number } }
  | { ForcedChange: { median: number; next: Voter[]; delay: number } }
  | { Pause: number }
  | { OnDisabled: number };

const authorityList = (next: Voter[]) => next.map((v) => [v.publicKey, v.weight]);

/** `Consensus(FRNK, ConsensusLog)` encoded by polkadot-js. */
export function frnkLog(log: TestLog): Uint8Array {
  let value: unknown;
  if ('ScheduledChange' in log) value = { ScheduledChange: { nextAuthorities: authorityList(log.ScheduledChange.next), delay: log.ScheduledChange.delay } };
  else if ('ForcedChange' in log) {
    const f = log.ForcedChange;
    value = { ForcedChange: [f.median, { nextAuthorities: authorityList(f.next), delay: f.delay }] };
  } else value = log;
  return registry.createType('TestConsensusLog', value).toU8a();
}

export interface TestBlock {
  number: number;
  hash: Uint8Array;
  parentHash: Uint8Array;
  header: Uint8Array;
  body: Uint8Array[];
  stateRoot: Uint8Array;
  state: PersistentTrie;
  events: Uint8Array;
}

export interface BlockOptions {
  /** Extrinsics' payloads (each gets its compact length prefix, as in `Vec<Extrinsic>`); default one 20-byte one. */
  extrinsics?: Uint8Array[];
  logs?: TestLog[];
  /** Extra digest items besides the FRNK logs (polkadot-js `DigestItem` JSON). */
  digest?: unknown[];
  /** New authority set to put under `:grandpa_authorities` in this block's state. */
  authorities?: Voter[];
  /** Builds on this block instead of the tip (a fork). */
  parent?: TestBlock;
  /** System.Events value bytes; default a small opaque blob per block. */
  events?: Uint8Array;
}

function headerBytes(fields: { parentHash: Uint8Array; number: number; stateRoot: Uint8Array; extrinsicsRoot: Uint8Array; logs: unknown[] }): { bytes: Uint8Array; hash: Uint8Array } {
  const h = registry.createType('Header', {
    parentHash: fields.parentHash,
    number: fields.number,
    stateRoot: fields.stateRoot,
    extrinsicsRoot: fields.extrinsicsRoot,
    digest: { logs: fields.logs },
  });
  return { bytes: h.toU8a(), hash: h.hash.toU8a() };
}

export function versionedAuthorities(list: Voter[]): Uint8Array {
  return u8aConcat(Uint8Array.of(1), registry.createType('Vec<(AuthorityId, u64)>', authorityList(list)).toU8a());
}

/** A chain: a genesis with `:grandpa_authorities`, then blocks as asked. Blocks are by number on the canonical chain. */
export class TestChain {
  readonly blocks: TestBlock[] = [];

  constructor(genesisAuthorities: Voter[]) {
    const state = PersistentTrie.empty(1).setMany([
      [AUTHORITIES_KEY, versionedAuthorities(genesisAuthorities)],
      [Uint8Array.from(Buffer.from(':code')), Uint8Array.from(Buffer.from('light client spec runtime'))],
    ]);
    const stateRoot = state.root();
    const { bytes, hash } = headerBytes({ parentHash: new Uint8Array(32), number: 0, stateRoot, extrinsicsRoot: orderedTrieRoot([], 0), logs: [] });
    this.blocks.push({ number: 0, hash, parentHash: new Uint8Array(32), header: bytes, body: [], stateRoot, state, events: Uint8Array.of(0) });
  }

  get genesis(): TestBlock {
    return this.blocks[0]!;
  }

  get tip(): TestBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Read proof of `:grandpa_authorities` at genesis. */
  genesisAuthoritiesProof(): Uint8Array[] {
    return this.genesis.state.proof([AUTHORITIES_KEY]);
  }

  /** A block on the tip (or on `options.parent`, then not appended). */
  block(options: BlockOptions = {}): TestBlock {
    const parent = options.parent ?? this.tip;
    const number = parent.number + 1;
    const payloads = options.extrinsics ?? [Uint8Array.from(Buffer.from(`extrinsic of #${number}${options.parent ? ' (fork)' : ''}`))];
    // Bytes from hex: a Uint8Array would be read as already length-prefixed.
    const body = payloads.map((p) => registry.createType('Bytes', u8aToHex(p)).toU8a());
    const events = options.events ?? registry.createType('Bytes', u8aToHex(Buffer.from(`events of #${number}`))).toU8a();
    const changes: [Uint8Array, Uint8Array][] = [[EVENTS_KEY, events]];
    if (options.authorities) changes.push([AUTHORITIES_KEY, versionedAuthorities(options.authorities)]);
    const state = parent.state.setMany(changes);
    const stateRoot = state.root();
    const logs = [
      { PreRuntime: [Uint8Array.from(Buffer.from('aura')), u8aToHex(registry.createType('u64', number).toU8a())] },
      ...(options.logs ?? []).map((log) => ({ Consensus: [FRNK, u8aToHex(frnkLog(log))] })),
      ...(options.digest ?? []),
      { Seal: [Uint8Array.from(Buffer.from('aura')), u8aToHex(new Uint8Array(64).fill(number & 0xff))] },
    ];
    const { bytes, hash } = headerBytes({ parentHash: parent.hash, number, stateRoot, extrinsicsRoot: orderedTrieRoot(body, 0), logs });
    const block: TestBlock = { number, hash, parentHash: parent.hash, header: bytes, body, stateRoot, state, events };
    if (!options.parent) this.blocks.push(block);
    return block;
  }

  /** `count` plain blocks on the tip. */
  extend(count: number): TestBlock[] {
    return Array.from({ length: count }, () => this.block());
  }

  /** Headers and bodies of blocks `from..=to`. */
  batch(from: number, to: number): { headers: Uint8Array[]; bodies: Uint8Array[][] } {
    const blocks = this.blocks.slice(from, to + 1);
    return { headers: blocks.map((b) => b.header), bodies: blocks.map((b) => b.body) };
  }
}

export interface PrecommitSpec {
  voter: Voter;
  /** The block voted for; default the target. */
  on?: TestBlock;
  /** Signs for this set id instead (default the justification's). */
  setId?: bigint;
  /** Replaces the signature. */
  signature?: Uint8Array;
  /** Claims this id instead of the signer's key. */
  id?: Uint8Array;
  /** Claims this target number instead of the block's. */
  number?: number;
}

/** The precommit message built with polkadot-js' codec: `(u8 1, GrandpaPrecommit, u64 round, u64 set id)`. */
export function precommitPayload(hash: Uint8Array, number: number, round: bigint, setId: bigint): Uint8Array {
  return registry.createType('(u8, GrandpaPrecommit, u64, u64)', [1, { targetHash: hash, targetNumber: number }, round, setId]).toU8a();
}

/** SCALE GrandpaJustification (polkadot-js) of `target` by `precommits` (voters or specs). */
export function justify(
  target: TestBlock,
  setId: bigint,
  precommits: (Voter | PrecommitSpec)[],
  options: { round?: bigint; ancestries?: TestBlock[]; targetHash?: Uint8Array; targetNumber?: number } = {},
): Uint8Array {
  const round = options.round ?? 7n;
  const signed = precommits.map((p) => {
    const spec: PrecommitSpec = 'voter' in p ? p : { voter: p };
    const on = spec.on ?? target;
    const number = spec.number ?? on.number;
    const message = precommitPayload(on.hash, number, round, spec.setId ?? setId);
    return {
      precommit: { targetHash: on.hash, targetNumber: number },
      signature: spec.signature ?? ed25519Sign(message, spec.voter),
      id: spec.id ?? spec.voter.publicKey,
    };
  });
  return registry.createType('GrandpaJustification', {
    round,
    commit: { targetHash: options.targetHash ?? target.hash, targetNumber: options.targetNumber ?? target.number, precommits: signed },
    votesAncestries: (options.ancestries ?? []).map((b) => registry.createType('Header', b.header)),
  }).toU8a();
}

/** SCALE FinalityProof (polkadot-js): `block` justified by `justification`, `unknown` the headers after the batch up to it. */
export function finalityProof(block: Uint8Array, justification: Uint8Array, unknown: TestBlock[]): Uint8Array {
  return registry.createType('TestFinalityProof', {
    block,
    justification: u8aToHex(justification),
    unknownHeaders: unknown.map((b) => registry.createType('Header', b.header)),
  }).toU8a();
}

export const hex = (b: Uint8Array): string => u8aToHex(b);
