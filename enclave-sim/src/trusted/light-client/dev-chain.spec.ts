import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';
import { cryptoReady } from '@sealbridge/chain-types';
import { RUNTIME_VERSION, startDevChain, type BlockRecord, type DevChain } from '@sealbridge/dev-chain';

import { ChainContext } from '../runtime/chain.js';
import { ExtrinsicSigner } from '../runtime/extrinsic-signer.js';
import { LightClientError } from './errors.js';
import { LightClient, type Batch } from './light-client.js';
import { GRANDPA_AUTHORITIES_KEY, SYSTEM_EVENTS_KEY, authoritiesFromProof, eventsFromProof } from './proofs.js';

/*
 * The light client against the dev parentchain (packages/dev-chain, whose GRANDPA side is its own implementation):
 * its genesis, headers, bodies (extrinsics root layout of system_version 1), justifications and finality proofs
 * (`grandpa_proveFinality`), a scheduled authority set change by Sudo, and read proofs of its state.
 */
describe('light client: against the dev chain', function () {
  this.timeout(60_000);
  let dev: DevChain | undefined;
  const sudo = ed25519PairFromSeed(blake2AsU8a('light-client dev-chain spec sudo', 256));
  const ed25519 = new Keyring({ type: 'ed25519' });
  const next = ['//Bob', '//Charlie', '//Dave'].map((uri) => ed25519.addFromUri(uri).publicKey);

  before(async () => {
    await cryptoReady();
    dev = await startDevChain({
      port: 0,
      blockTime: 'manual',
      verifierThreads: 0,
      grandpaAuthorities: 1,
      sudoKey: sudo.publicKey,
      endowed: [{ account: sudo.publicKey, free: 10n ** 20n }],
    });
  });
  after(async () => {
    await dev?.stop();
  });

  const batchOf = (blocks: BlockRecord[], finality: Uint8Array): Batch => ({
    headers: blocks.map((b) => b.encodedHeader),
    bodies: blocks.map((b) => b.extrinsics),
    finality: { finalityProof: finality },
    genesisHash: hexToU8a(dev!.chain.genesisHash),
  });

  it('follows its finalized chain through a scheduled change of //Alice to //Bob, //Charlie, //Dave', async () => {
    const chain = dev!.chain;
    const genesis = chain.blockByNumber(0)!;
    const client = LightClient.fromGenesis(genesis.encodedHeader, genesis.state.proof([GRANDPA_AUTHORITIES_KEY]), {
      systemVersion: RUNTIME_VERSION.stateVersion,
      expectedGenesisHash: hexToU8a(chain.genesisHash),
    });
    assert.deepEqual(client.set.authorities.map((a) => u8aToHex(a.key)), [u8aToHex(ed25519.addFromUri('//Alice').publicKey)]);

    await chain.createBlock({ createEmpty: true, finalize: true }); // #1
    const ctx = new ChainContext(hexToU8a(chain.genesisHash), { metadata: chain.runtime.meta.bytes, ...RUNTIME_VERSION }, 42);
    const signer = new ExtrinsicSigner(ctx, sudo.publicKey, (payload) => ed25519Sign(payload, sudo));
    const call = ctx.tx.sudo!.sudo!(ctx.tx.grandpa!.scheduleChange!(next.map((id) => [id, 1]), 2));
    await chain.submit(hexToU8a(signer.sign(call.toU8a(), 0).hex));
    const signal = await chain.createBlock({ finalize: true }); // #2: enacts at #4
    assert.equal(signal.extrinsics.length, 2);
    for (let i = 0; i < 4; i++) await chain.createBlock({ createEmpty: true, finalize: true }); // #3 … #6
    const blocks = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => chain.blockByNumber(from + i)!);

    // grandpa_proveFinality(3) gives the justification of the set-change block #4: the batch must end there.
    assert.throws(() => client.verifyBatch(batchOf(blocks(1, 3), chain.proveFinality(3)!)), (e: unknown) => e instanceof LightClientError && e.code === 'SPLIT_BATCH' && e.at === 4);
    const r1 = client.verifyBatch(batchOf(blocks(1, 4), chain.proveFinality(4)!));
    assert.deepEqual(r1.headers.map((h) => u8aToHex(h.hash)), blocks(1, 4).map((b) => b.hash));
    assert.equal(r1.justification.setId, 0n);
    assert.deepEqual(r1.setChange && { at: r1.setChange.at, id: r1.setChange.id, keys: r1.setChange.authorities.map((a) => u8aToHex(a.key)) }, { at: 4, id: 1n, keys: next.map((k) => u8aToHex(k)) });

    const r2 = client.verifyBatch(batchOf(blocks(5, 6), chain.proveFinality(5)!));
    assert.equal(r2.justification.setId, 1n);
    assert.equal(r2.justification.voters, 3);
    assert.deepEqual(client.last, { number: 6, hash: hexToU8a(chain.blockByNumber(6)!.hash) });

    // The verified state roots hold what the dev chain stored: the new set at #4, the Sudo events at #2.
    const s4 = r1.headers[3]!.stateRoot;
    assert.deepEqual(authoritiesFromProof(s4, blocks(4, 4)[0]!.state.proof([GRANDPA_AUTHORITIES_KEY])).map((a) => u8aToHex(a.key)), next.map((k) => u8aToHex(k)));
    const s2 = r1.headers[1]!.stateRoot;
    const events = eventsFromProof(s2, signal.state.proof([SYSTEM_EVENTS_KEY]));
    assert.deepEqual(events, signal.state.get(SYSTEM_EVENTS_KEY));
    assert.ok(events.length > 1);
  });
});
