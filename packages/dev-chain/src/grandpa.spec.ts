import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Bytes, Struct, Vec } from '@polkadot/types';
import type { EventRecord, GrandpaJustification, Header, NextAuthority, SignedBlock } from '@polkadot/types/interfaces';
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { ed25519Verify } from '@polkadot/util-crypto';
import { verifyProof } from '@sealbridge/trie';
import WebSocket from 'ws';

import type { Harness } from './test/helpers.js';

import { startDevChain } from './start.js';
import { eventNames, harness } from './test/helpers.js';

/*
 * GRANDPA finality checked from the outside, with an implementation of its own: justifications and finality proofs are
 * decoded with polkadot-js types, the signed precommit message is built with polkadot-js' codec and signatures are
 * checked with @polkadot/util-crypto's ed25519Verify. Nothing of the dev chain's GRANDPA code is used here.
 */

const FRNK = '0x46524e4b';
const GRANDPA_AUTHORITIES_KEY = u8aToHex(new TextEncoder().encode(':grandpa_authorities'));

interface SpecAuthority {
  id: Uint8Array;
  weight: bigint;
}

interface ScheduledChange extends Struct {
  nextAuthorities: Vec<NextAuthority>;
  delay: { toNumber(): number };
}
interface FinalityProof extends Struct {
  block: { toHex(): string };
  justification: Bytes;
  unknownHeaders: Vec<Header>;
}

/** The spec's own type definitions of what polkadot-js has no type for (sp_consensus_grandpa / sc-consensus-grandpa). */
function registerTypes(api: ApiPromise): void {
  api.registry.register({
    SpecScheduledChange: { nextAuthorities: 'AuthorityList', delay: 'BlockNumber' },
    SpecConsensusLog: {
      _enum: { Unused: 'Null', ScheduledChange: 'SpecScheduledChange', ForcedChange: '(BlockNumber, SpecScheduledChange)', OnDisabled: 'u64', Pause: 'BlockNumber', Resume: 'BlockNumber' },
    },
    SpecFinalityProof: { block: 'H256', justification: 'Bytes', unknownHeaders: 'Vec<Header>' },
  });
}

const ed25519 = new Keyring({ type: 'ed25519' });
const authority = (uri: string, weight = 1n): SpecAuthority => ({ id: ed25519.addFromUri(uri).publicKey, weight });
const set = (...uris: string[]) => uris.map((u) => authority(u));

/**
 * Verifies a GRANDPA justification as finality-grandpa does: precommits by distinct members of the set, each
 * signature over `(Message::Precommit(precommit), round, set_id)`, every precommit on the commit target or on a
 * descendant reached through votes_ancestries (all of which must be used), weight ≥ total − ⌊(total − 1) / 3⌋.
 */
function verifyJustification(api: ApiPromise, bytes: Uint8Array, setId: bigint, authorities: SpecAuthority[]): GrandpaJustification {
  const j = api.registry.createType('GrandpaJustification', bytes) as GrandpaJustification;
  assert.equal(u8aToHex(j.toU8a()), u8aToHex(bytes), 'the justification re-encodes to its bytes (nothing trailing)');
  const targetHash = j.commit.targetHash.toHex();
  const targetNumber = j.commit.targetNumber.toNumber();
  const ancestry = new Map(j.votesAncestries.map((h) => [h.hash.toHex(), h]));
  const used = new Set<string>();
  const voted = new Set<string>();
  let weight = 0n;
  for (const signed of j.commit.precommits) {
    const id = u8aToHex(signed.id.toU8a());
    const member = authorities.find((a) => u8aToHex(a.id) === id);
    if (!member) throw new Error(`precommit by ${id}, who is not in set ${setId}`);
    if (voted.has(id)) throw new Error(`two precommits by ${id}`);
    voted.add(id);
    const message = api.registry.createType('(u8, GrandpaPrecommit, u64, u64)', [1, signed.precommit, j.round, setId]).toU8a();
    if (!ed25519Verify(message, signed.signature.toU8a(), signed.id.toU8a())) throw new Error(`bad signature by ${id} (round ${j.round}, set ${setId})`);
    let hash = signed.precommit.targetHash.toHex();
    let number = signed.precommit.targetNumber.toNumber();
    while (hash !== targetHash) {
      const header = ancestry.get(hash);
      if (!header || header.number.toNumber() !== number || number <= targetNumber) throw new Error(`precommit on ${hash} does not descend from the target`);
      used.add(hash);
      hash = header.parentHash.toHex();
      number -= 1;
    }
    weight += member.weight;
  }
  if (used.size !== ancestry.size) throw new Error('votes_ancestries holds headers no precommit needs');
  const total = authorities.reduce((s, a) => s + a.weight, 0n);
  if (weight < total - (total - 1n) / 3n) throw new Error(`precommit weight ${weight} of ${total} is below the threshold`);
  return j;
}

/** The GRANDPA justification of `chain_getBlock`, or undefined. */
function grandpaJustification(block: SignedBlock): Uint8Array | undefined {
  if (block.justifications.isNone) return undefined;
  const found = block.justifications.unwrap().find(([engine]) => engine.toHex() === FRNK);
  return found?.[1].toU8a(true);
}

async function blockAt(api: ApiPromise, n: number): Promise<{ hash: string; block: SignedBlock }> {
  const hash = (await api.rpc.chain.getBlockHash(n)).toHex();
  return { hash, block: await api.rpc.chain.getBlock(hash) };
}

async function proveFinality(api: ApiPromise, n: number): Promise<FinalityProof> {
  const raw = await api.rpc.grandpa.proveFinality(n);
  assert.ok(raw.isSome, `a finality proof for #${n}`);
  return api.registry.createType('SpecFinalityProof', raw.unwrap().toU8a(true)) as unknown as FinalityProof;
}

/** unknown_headers are the headers after `from` up to the justified block, each the child of the one before. */
function assertChain(proof: FinalityProof, fromHash: string, fromNumber: number): number {
  let parent = fromHash;
  let number = fromNumber;
  for (const header of proof.unknownHeaders) {
    assert.equal(header.parentHash.toHex(), parent);
    assert.equal(header.number.toNumber(), ++number);
    parent = header.hash.toHex();
  }
  assert.equal(parent, proof.block.toHex(), 'the headers end at the justified block');
  return number;
}

/**
 * grandpa_subscribeJustifications through polkadot-js. Its promise resolves with the first notification only (as
 * against a node, which sends none until the next finalization), so the subscription's start is awaited through a
 * later request on the same connection instead.
 */
async function collectJustifications(api: ApiPromise): Promise<{ received: Uint8Array[]; stop(): Promise<void> }> {
  const received: Uint8Array[] = [];
  const unsub = api.rpc.grandpa.subscribeJustifications((j) => void received.push(j.toU8a(true)));
  await api.rpc.system.health();
  return { received, stop: async () => (await unsub)() };
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rawCall(url: string, method: string, params: unknown[] = []): Promise<any> {
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const reply = await new Promise<any>((r) => {
    ws.once('message', (d) => r(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  });
  ws.close();
  return reply;
}

/** Sudo.sudo(Grandpa.schedule_change(..)) sealed into its own block; returns that block's number and hash. */
async function scheduleChange(h: Harness, sudo: KeyringPair, next: SpecAuthority[], delay: number): Promise<{ number: number; hash: string; events: EventRecord[] }> {
  const { api } = h;
  const call = api.tx.grandpa.scheduleChange(next.map((a) => [a.id, a.weight]), delay);
  await api.tx.sudo.sudo(call).signAndSend(sudo);
  const block = await h.dev.chain.createBlock({ createEmpty: false, finalize: true });
  const events = (await api.query.system.events.at(block.hash)) as unknown as EventRecord[];
  return { number: block.number, hash: block.hash, events };
}

function sudoResult(api: ApiPromise, events: EventRecord[]): string {
  const sudid = events.find((e) => api.events.sudo.Sudid.is(e.event))!;
  const result = sudid.event.data[0] as unknown as { isOk: boolean; asErr: { isModule: boolean; asModule: Parameters<ApiPromise['registry']['findMetaError']>[0] } };
  if (result.isOk) return 'Ok';
  const meta = api.registry.findMetaError(result.asErr.asModule);
  return `${meta.section}.${meta.name}`;
}

describe('dev-chain GRANDPA finality, verified independently with polkadot-js', () => {
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');

  describe('justifications of the genesis set (//Alice)', () => {
    let h: Harness;
    before(async () => {
      h = await harness({ blockTime: 'manual' });
      registerTypes(h.api);
      // 512 blocks sealed, then finalized in one round: only #512 is justified by a period.
      for (let i = 0; i < 515; i++) await h.dev.chain.createBlock();
      await h.dev.chain.finalize(h.dev.chain.blockByNumber(513)!.hash);
    });
    after(async () => h.close());

    it('lists the grandpa_* methods in rpc_methods', async () => {
      const { methods } = (await rawCall(h.dev.url, 'rpc_methods')).result;
      for (const m of ['grandpa_proveFinality', 'grandpa_subscribeJustifications', 'grandpa_unsubscribeJustifications', 'grandpa_roundState']) assert.ok(methods.includes(m), m);
    });

    it('chain_getBlock carries a FRNK justification at the justification period (512), none elsewhere', async () => {
      const { api } = h;
      const { hash, block } = await blockAt(api, 512);
      const bytes = grandpaJustification(block);
      assert.ok(bytes, 'block #512 has a justification');
      const j = verifyJustification(api, bytes, 0n, set('//Alice'));
      assert.equal(j.commit.targetHash.toHex(), hash);
      assert.equal(j.commit.targetNumber.toNumber(), 512);
      assert.equal(j.commit.precommits.length, 1);
      assert.equal(u8aToHex(j.commit.precommits[0]!.id.toU8a()), '0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee', 'ed25519 //Alice of the dev seed');
      // Controls: the same justification fails under another set id, another set, or with one byte of a signature changed.
      assert.throws(() => verifyJustification(api, bytes, 1n, set('//Alice')), /bad signature/);
      assert.throws(() => verifyJustification(api, bytes, 0n, set('//Bob')), /not in set/);
      const tampered = bytes.slice();
      tampered[8 + 32 + 4 + 1 + 36 + 10]! ^= 1;
      assert.throws(() => verifyJustification(api, tampered, 0n, set('//Alice')), /bad signature/);
      // As a node serializes it: [[engine id bytes, justification bytes]] as arrays of numbers.
      const raw = (await rawCall(h.dev.url, 'chain_getBlock', [hash])).result;
      assert.deepEqual(raw.justifications, [[[0x46, 0x52, 0x4e, 0x4b], Array.from(bytes)]]);
      for (const n of [1, 511, 513]) assert.equal(grandpaJustification((await blockAt(api, n)).block), undefined, `no justification kept for #${n}`);
      assert.equal(grandpaJustification((await blockAt(api, 514)).block), undefined, 'none for an unfinalized block');
    });

    it('grandpa_proveFinality: the smallest justified block at or after the requested one, with unknown_headers chaining to it', async () => {
      const { api } = h;
      const requested = await blockAt(api, 200);
      const proof = await proveFinality(api, 200);
      assert.equal(assertChain(proof, requested.hash, 200), 512);
      assert.equal(proof.unknownHeaders.length, 312);
      const j = verifyJustification(api, proof.justification.toU8a(true), 0n, set('//Alice'));
      assert.equal(j.commit.targetHash.toHex(), proof.block.toHex());
      // A justified block proves itself; after the last justified one, the latest finalized block's justification.
      assert.equal((await proveFinality(api, 512)).unknownHeaders.length, 0);
      const latest = await proveFinality(api, 513);
      assert.equal(latest.block.toHex(), (await blockAt(api, 513)).hash);
      verifyJustification(api, latest.justification.toU8a(true), 0n, set('//Alice'));
      assert.equal((await proveFinality(api, 0)).block.toHex(), (await blockAt(api, 512)).hash, 'genesis is proved by #512');
      const notYet = await rawCall(h.dev.url, 'grandpa_proveFinality', [514]);
      assert.equal(notYet.error.code, 4);
      assert.match(notYet.error.message, /not yet finalized/);
    });

    it('grandpa_subscribeJustifications pushes the justification of each finalization', async () => {
      const { api } = h;
      const { received, stop } = await collectJustifications(api);
      const target = h.dev.chain.blockByNumber(515)!;
      await h.dev.chain.finalize(target.hash);
      await until('a justification', () => received.length > 0);
      await stop();
      assert.equal(received.length, 1);
      const j = verifyJustification(api, received[0]!, 0n, set('//Alice'));
      assert.equal(j.commit.targetHash.toHex(), target.hash);
      assert.equal(j.commit.targetNumber.toNumber(), 515);
    });

    it('state_call GrandpaApi_grandpa_authorities equals :grandpa_authorities read-proved against the state root', async () => {
      const { api } = h;
      const hash = (await api.rpc.chain.getBlockHash(100)).toHex();
      const fromApi = await api.rpc.state.call('GrandpaApi_grandpa_authorities', '0x', hash);
      const header = await api.rpc.chain.getHeader(hash);
      const proof = await api.rpc.state.getReadProof([GRANDPA_AUTHORITIES_KEY], hash);
      const values = verifyProof(header.stateRoot.toU8a(), proof.proof.map((p) => p.toU8a(true)), [hexToU8a(GRANDPA_AUTHORITIES_KEY)]);
      const proved = values.get(GRANDPA_AUTHORITIES_KEY);
      assert.ok(proved, ':grandpa_authorities is in the state');
      assert.equal(u8aToHex(proved), u8aToHex(u8aConcat([1], fromApi.toU8a(true))), 'VersionedAuthorityList = 0x01 ‖ AuthorityList');
      const list = api.registry.createType('AuthorityList', fromApi.toU8a(true)) as Vec<NextAuthority>;
      assert.deepEqual(list.map(([id, w]) => [u8aToHex(id.toU8a()), w.toBigInt()]), [[u8aToHex(authority('//Alice').id), 1n]]);
      assert.equal((await api.call.grandpaApi.currentSetId()).toString(), '0');
      assert.equal(u8aToHex((await api.query.grandpa.authorities()).toU8a()), u8aToHex(fromApi.toU8a(true)));
    });
  });

  it('authority set changes: 1 → 3 authorities, then a rotation to 3 others, each enacted after its delay', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dev-chain-grandpa-'));
    const h = await harness({ blockTime: 'manual', db: dir });
    try {
      const { api } = h;
      registerTypes(api);
      const genesisSet = set('//Alice');
      const second = set('//Alice', '//Bob', '//Charlie');
      const third = set('//Dave', '//Eve', '//Ferdie');
      await h.dev.chain.createBlock({ finalize: true });

      // Refused: a key the node does not hold (it votes as every authority).
      const stranger = { id: new Keyring({ type: 'ed25519' }).addFromUri('//Mallory').publicKey, weight: 1n };
      assert.equal(sudoResult(api, (await scheduleChange(h, alice, [stranger], 1)).events), 'grandpa.UnknownAuthorityKey');

      // 1 → 3, delay 3: signalled in the digest of block N.
      const delay = 3;
      const signal = await scheduleChange(h, alice, second, delay);
      assert.equal(sudoResult(api, signal.events), 'Ok');
      const header = await api.rpc.chain.getHeader(signal.hash);
      assert.equal(header.hash.toHex(), signal.hash, 'polkadot-js hashes the header with its digest to the block hash');
      assert.equal(u8aToHex((await api.query.system.digest.at(signal.hash)).toU8a()), u8aToHex(header.digest.toU8a()), 'the header digest is System.Digest');
      const logs = header.digest.logs.filter((l) => l.isConsensus && l.asConsensus[0].toHex() === FRNK);
      assert.equal(logs.length, 1);
      const log = api.registry.createType('SpecConsensusLog', logs[0]!.asConsensus[1].toU8a(true)) as unknown as { isScheduledChange: boolean; asScheduledChange: ScheduledChange };
      assert.ok(log.isScheduledChange);
      assert.equal(log.asScheduledChange.delay.toNumber(), delay);
      assert.deepEqual(log.asScheduledChange.nextAuthorities.map(([id, w]) => [u8aToHex(id.toU8a()), w.toBigInt()]), second.map((a) => [u8aToHex(a.id), 1n]));
      const pending = await scheduleChange(h, alice, third, 1);
      assert.equal(sudoResult(api, pending.events), 'grandpa.ChangePending');

      const enact = signal.number + delay;
      while (h.dev.chain.bestNumber < enact + 1) await h.dev.chain.createBlock({ finalize: true });
      const before = (await blockAt(api, enact - 1)).hash;
      assert.equal((await api.query.grandpa.currentSetId.at(before)).toString(), '0');
      assert.equal(((await api.query.grandpa.authorities.at(before)) as unknown as Vec<NextAuthority>).length, 1);
      const enacting = await blockAt(api, enact);
      const events = (await api.query.system.events.at(enacting.hash)) as unknown as EventRecord[];
      assert.deepEqual(eventNames(events).filter((e) => e.startsWith('grandpa')), ['grandpa.NewAuthorities']);
      assert.equal((await api.query.grandpa.currentSetId.at(enacting.hash)).toString(), '1');
      const proofOfSet = await api.rpc.state.getReadProof([GRANDPA_AUTHORITIES_KEY], enacting.hash);
      const proved = verifyProof(enacting.block.block.header.stateRoot.toU8a(), proofOfSet.proof.map((p) => p.toU8a(true)), [hexToU8a(GRANDPA_AUTHORITIES_KEY)]);
      assert.equal(u8aToHex(proved.get(GRANDPA_AUTHORITIES_KEY)!), u8aToHex(u8aConcat([1], (await api.rpc.state.call('GrandpaApi_grandpa_authorities', '0x', enacting.hash)).toU8a(true))));
      assert.equal((api.registry.createType('AuthorityList', proved.get(GRANDPA_AUTHORITIES_KEY)!.subarray(1)) as Vec<NextAuthority>).length, 3);

      // The enacting block is justified by the old set (set id 0), the next one by the new set (set id 1, 3 precommits).
      const enactJ = grandpaJustification(enacting.block);
      assert.ok(enactJ, 'the set-change block keeps its justification');
      verifyJustification(api, enactJ, 0n, genesisSet);
      assert.throws(() => verifyJustification(api, enactJ, 1n, second));
      const after = await proveFinality(api, enact + 1);
      const afterJ = verifyJustification(api, after.justification.toU8a(true), 1n, second);
      assert.equal(afterJ.commit.precommits.length, 3);
      assert.equal(afterJ.commit.targetNumber.toNumber(), enact + 1);
      assert.throws(() => verifyJustification(api, after.justification.toU8a(true), 0n, genesisSet));
      // A block of the first set is proved by that set's last block.
      const early = await proveFinality(api, signal.number);
      assert.equal(assertChain(early, signal.hash, signal.number), enact);
      verifyJustification(api, early.justification.toU8a(true), 0n, genesisSet);

      // Rotation to three other authorities, delay 2, with blocks finalized in one go across the change: the
      // subscription gets the old set's justification of the enacting block, then the new set's of the last block.
      const { received, stop } = await collectJustifications(api);
      const rotate = await scheduleChange(h, alice, third, 2);
      assert.equal(sudoResult(api, rotate.events), 'Ok');
      const enact2 = rotate.number + 2;
      for (let i = 0; i < 3; i++) await h.dev.chain.createBlock();
      await h.dev.chain.finalize(h.dev.chain.best.hash);
      const last = h.dev.chain.bestNumber;
      await until('three justifications', () => received.length >= 3);
      await stop();
      const pushed = received.map((bytes) => api.registry.createType('GrandpaJustification', bytes) as GrandpaJustification);
      assert.deepEqual(pushed.map((j) => j.commit.targetNumber.toNumber()), [rotate.number, enact2, last]);
      verifyJustification(api, received[0]!, 1n, second);
      verifyJustification(api, received[1]!, 1n, second);
      const lastJ = verifyJustification(api, received[2]!, 2n, third);
      assert.equal(lastJ.commit.precommits.length, 3);
      assert.throws(() => verifyJustification(api, received[2]!, 2n, second));
      assert.equal((await api.query.grandpa.currentSetId()).toString(), '2');
      const enacting2 = await blockAt(api, enact2);
      verifyJustification(api, grandpaJustification(enacting2.block)!, 1n, second);
      assert.equal(((await api.call.grandpaApi.grandpaAuthorities()) as Vec<NextAuthority>).map(([id]) => u8aToHex(id.toU8a())).join(), third.map((a) => u8aToHex(a.id)).join());
      const third1 = await proveFinality(api, enact2 + 1);
      verifyJustification(api, third1.justification.toU8a(true), 2n, third);

      // A restart from the database follows the same sets from the digests and justifies identically.
      const kept = grandpaJustification(enacting.block)!;
      const lastHash = h.dev.chain.best.hash;
      await h.close();
      const again = await startDevChain({ port: 0, db: dir, blockTime: 'manual' });
      try {
        assert.equal(again.chain.best.hash, lastHash);
        assert.deepEqual(again.chain.grandpa.sets.map((s) => [s.id, s.last]), [[0n, enact], [1n, enact2], [2n, undefined]]);
        const raw = (await rawCall(again.url, 'chain_getBlock', [enacting.hash])).result;
        assert.deepEqual(raw.justifications, [[[0x46, 0x52, 0x4e, 0x4b], Array.from(kept)]]);
      } finally {
        await again.stop();
      }
    } finally {
      await h.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--grandpa-authorities 4: four precommits, all of them (the threshold would be 3)', async () => {
    const h = await harness({ blockTime: 'manual', grandpaAuthorities: 4, justificationPeriod: 2 });
    try {
      for (let i = 0; i < 2; i++) await h.dev.chain.createBlock({ finalize: true });
      const { block } = await blockAt(h.api, 2);
      const four = set('//Alice', '//Bob', '//Charlie', '//Dave');
      const j = verifyJustification(h.api, grandpaJustification(block)!, 0n, four);
      assert.equal(j.commit.precommits.length, 4);
      assert.equal(((await h.api.query.grandpa.authorities()) as unknown as Vec<NextAuthority>).length, 4);
      assert.equal(grandpaJustification((await blockAt(h.api, 1)).block), undefined);
    } finally {
      await h.close();
    }
  });
});
