import assert from 'node:assert/strict';

import { u8aToHex } from '@polkadot/util';

import { LightClientError } from './errors.js';
import { decodeGrandpaLog, decodeHeader, encodeGrandpaLog, encodeHeader, grandpaLogs } from './header.js';
import { FRNK, frnkLog, registry, voter } from './test-chain.js';

const code = (c: string) => (e: unknown) => e instanceof LightClientError && e.code === c;

describe('light client: headers', () => {
  const alice = voter('alice');
  const bob = voter('bob', 3n);

  function pjsHeader(number: number, logs: unknown[]) {
    return registry.createType('Header', {
      parentHash: new Uint8Array(32).fill(1),
      number,
      stateRoot: new Uint8Array(32).fill(2),
      extrinsicsRoot: new Uint8Array(32).fill(3),
      digest: { logs },
    });
  }

  it('decodes polkadot-js headers of every digest kind, hashes them alike and re-encodes them byte for byte', () => {
    const logs = [
      { PreRuntime: [Uint8Array.from(Buffer.from('BABE')), u8aToHex(new Uint8Array([1, 2, 3]))] },
      { Consensus: [FRNK, u8aToHex(frnkLog({ ScheduledChange: { next: [alice, bob], delay: 5 } }))] },
      { Other: '0x0909' },
      { RuntimeEnvironmentUpdated: null },
      { Seal: [Uint8Array.from(Buffer.from('BABE')), u8aToHex(new Uint8Array(64).fill(7))] },
    ];
    for (const number of [0, 1, 63, 64, 16383, 16384, 2 ** 30 - 1, 2 ** 30, 2 ** 32 - 1]) {
      const h = pjsHeader(number, logs);
      const bytes = h.toU8a();
      const d = decodeHeader(bytes);
      assert.equal(d.number, number);
      assert.equal(u8aToHex(d.hash), h.hash.toHex());
      assert.deepEqual(d.digest.map((i) => i.type), ['PreRuntime', 'Consensus', 'Other', 'RuntimeEnvironmentUpdated', 'Seal']);
      assert.equal(u8aToHex(encodeHeader(d)), u8aToHex(bytes));
    }
  });

  it('reads the FRNK logs of a digest (every ConsensusLog variant, as polkadot-js encodes them) and ignores other engines', () => {
    const logs = [
      { Consensus: [Uint8Array.from(Buffer.from('BABE')), '0x01'] },
      { Consensus: [FRNK, u8aToHex(frnkLog({ ScheduledChange: { next: [alice, bob], delay: 5 } }))] },
      { Consensus: [FRNK, u8aToHex(frnkLog({ ForcedChange: { median: 11, next: [bob], delay: 2 } }))] },
      { Consensus: [FRNK, u8aToHex(frnkLog({ OnDisabled: 4 }))] },
      { Consensus: [FRNK, u8aToHex(frnkLog({ Pause: 6 }))] },
      { PreRuntime: [FRNK, '0xff'] },
    ];
    const found = grandpaLogs(decodeHeader(pjsHeader(3, logs).toU8a()).digest);
    assert.deepEqual(found, [
      { kind: 'ScheduledChange', next: [{ key: alice.publicKey, weight: 1n }, { key: bob.publicKey, weight: 3n }], delay: 5 },
      { kind: 'ForcedChange', median: 11, next: [{ key: bob.publicKey, weight: 3n }], delay: 2 },
      { kind: 'OnDisabled', index: 4n },
      { kind: 'Pause', delay: 6 },
    ]);
    for (const log of found) assert.equal(u8aToHex(encodeGrandpaLog(log)), u8aToHex(registry.createType('TestConsensusLog', encodeGrandpaLog(log)).toU8a()));
  });

  it('refuses malformed headers and FRNK logs as MALFORMED', () => {
    const good = pjsHeader(5, [{ Other: '0x01' }]).toU8a();
    assert.throws(() => decodeHeader(good.subarray(0, good.length - 1)), code('MALFORMED'));
    assert.throws(() => decodeHeader(Uint8Array.from([...good, 0])), code('MALFORMED'));
    const unknownItem = Uint8Array.from(good);
    unknownItem[good.length - 3] = 7; // the Other item's variant byte → the removed ChangesTrieSignal
    assert.throws(() => decodeHeader(unknownItem), code('MALFORMED'));
    const overlong = Uint8Array.from([...good.subarray(0, 32), (5 << 2) | 0b01, 0, ...good.subarray(33)]); // #5 as a 2-byte compact
    assert.throws(() => decodeHeader(overlong), code('MALFORMED'));
    assert.throws(() => decodeGrandpaLog(Uint8Array.of(9)), code('MALFORMED'));
    assert.throws(() => decodeGrandpaLog(Uint8Array.of(1, 0, 0, 0, 0, 0)), code('MALFORMED'), 'an empty next set');
    assert.throws(() => decodeGrandpaLog(frnkLog({ ScheduledChange: { next: [alice, alice], delay: 1 } })), code('MALFORMED'), 'a key twice');
    assert.throws(() => decodeGrandpaLog(frnkLog({ ScheduledChange: { next: [voter('z', 0n)], delay: 1 } })), code('MALFORMED'), 'weight 0');
    const bad = pjsHeader(5, [{ Consensus: [FRNK, '0x0104'] }]).toU8a();
    assert.throws(() => grandpaLogs(decodeHeader(bad).digest), code('MALFORMED'));
  });
});
