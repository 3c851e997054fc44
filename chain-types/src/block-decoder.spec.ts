import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types';
import type { SignatureOptions } from '@polkadot/types/types';
import { bnToU8a, compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import polkadotMetadata from '@polkadot/types-support/metadata/static-polkadot';

import { BlockDecodeError, BlockDecoder } from './block-decoder.js';

describe('BlockDecoder (metadata-driven, against polkadot-js on the Polkadot metadata)', () => {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, polkadotMetadata);
  registry.setMetadata(metadata);
  const { tx } = expandMetadata(registry, metadata);
  const decoder = new BlockDecoder(registry);
  const genesisHash = registry.createType('Hash', `0x${'9a'.repeat(32)}`);
  const runtimeVersion = registry.createType('RuntimeVersion', { specVersion: 1_003_004, transactionVersion: 26 });

  const sign = (call: ReturnType<NonNullable<typeof tx.system>['remark']>, type: 'sr25519' | 'ed25519' | 'ecdsa', options: Partial<SignatureOptions>) => {
    const pair = new Keyring({ type }).addFromUri('//Alice');
    return registry.createType('Extrinsic', call).sign(pair, { nonce: 7, blockHash: genesisHash, genesisHash, runtimeVersion, signedExtensions: registry.signedExtensions, ...options } as SignatureOptions);
  };

  before(() => cryptoWaitReady());

  it('finds call, arguments, signer and hash of signed and unsigned extrinsics', () => {
    const dest = { Id: `0x${'11'.repeat(32)}` };
    const transfer = tx.balances!.transferKeepAlive!(dest, 10n ** 12n);
    const batch = tx.utility!.batchAll!([transfer, tx.system!.remark!('0x00ff')]);
    const extrinsics = [
      sign(transfer, 'sr25519', { era: registry.createType('ExtrinsicEra', new Uint8Array([0])) }),
      sign(batch, 'ed25519', { era: registry.createType('ExtrinsicEra', { current: 1_000, period: 64 }), tip: 123_456n }),
      sign(tx.system!.remark!(`0x${'ab'.repeat(400)}`), 'ecdsa', { nonce: 2 ** 31 }),
      registry.createType('Extrinsic', tx.timestamp!.set!(1_700_000_000_000n)),
    ];
    for (const expected of extrinsics) {
      const decoded = decoder.extrinsic(expected.toU8a());
      assert.equal(decoded.section, expected.method.section);
      assert.equal(decoded.method, expected.method.method);
      assert.equal(u8aToHex(decoded.args), u8aToHex(expected.method.toU8a().subarray(2)));
      assert.equal(decoded.hash(), expected.hash.toHex());
      assert.equal(decoded.signer && u8aToHex(decoded.signer), expected.isSigned ? expected.signer.toHex() : undefined);
      assert.deepEqual(Object.keys(decoded.call().args), expected.method.meta.fields.map((f) => f.name.unwrap().toString()));
    }
  });

  it('reads balances past 2^53 as bigints, while skipping and when asked for the arguments', () => {
    const dest = { Id: `0x${'22'.repeat(32)}` };
    for (const value of [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 9_008n * 10n ** 12n, 2n ** 64n - 1n, 2n ** 127n, 2n ** 128n - 1n]) {
      const transfer = sign(tx.balances!.transferKeepAlive!(dest, value), 'sr25519', { tip: value });
      const decoded = decoder.extrinsic(transfer.toU8a(), 5);
      assert.equal(decoded.method, 'transferKeepAlive');
      assert.equal(decoded.call().args.value, value);
    }
  });

  it('locates what does not decode: extrinsic index and type path', () => {
    const transfer = sign(tx.balances!.transferKeepAlive!({ Id: `0x${'22'.repeat(32)}` }, 2n ** 100n), 'sr25519', {}).toU8a();
    // Cut the compact balance short: the error names the extrinsic and the argument.
    const body = transfer.subarray(compactToU8a(transfer.length).length, transfer.length - 1);
    const cut = u8aConcat(compactToU8a(body.length), body);
    assert.throws(() => decoder.extrinsic(cut, 7), (error: unknown) => {
      assert.ok(error instanceof BlockDecodeError);
      assert.equal(error.code, 'BLOCK_UNDECODABLE');
      assert.equal(error.extrinsicIndex, 7);
      assert.match(error.path, /^\.call::Balances::transfer_keep_alive\.value/);
      return true;
    });
  });

  it('refuses malformed extrinsics with a BlockDecodeError', () => {
    const good = sign(tx.system!.remark!('0x0102'), 'sr25519', {}).toU8a();
    const body = good.subarray(compactToU8a(good.length - 1).length); // without its length prefix
    const withPrefix = (b: Uint8Array) => u8aConcat(compactToU8a(b.length), b);
    assert.equal(decoder.extrinsic(withPrefix(body)).method, 'remark');
    const cases: Array<[string, Uint8Array]> = [
      ['truncated', good.subarray(0, good.length - 1)],
      ['length prefix too short', u8aConcat(compactToU8a(body.length - 1), body)],
      ['trailing byte after the call', withPrefix(u8aConcat(body, [0]))],
      ['unsupported format 5', withPrefix(u8aConcat([0x05], body.subarray(1)))],
      ['unknown MultiAddress variant', withPrefix(u8aConcat([0x84, 9], body.subarray(2)))],
      ['unknown call', withPrefix(new Uint8Array([0x04, 0xfe, 0xfe]))],
      ['empty', new Uint8Array(0)],
    ];
    for (const [what, bytes] of cases) assert.throws(() => decoder.extrinsic(bytes), BlockDecodeError, what);
  });

  it('reads phases and names of event records and decodes fields on demand', () => {
    const indexOf = (pallet: string, event: string): number[] => {
      const p = registry.metadata.pallets.find((x) => x.name.toString() === pallet)!;
      const variants = registry.lookup.getSiType(p.events.unwrap().type).def.asVariant.variants;
      return [p.index.toNumber(), variants.find((v) => v.name.toString() === event)!.index.toNumber()];
    };
    const transferEvent = u8aConcat(indexOf('Balances', 'Transfer'), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), bnToU8a(5n, { bitLength: 128 }));
    const remarkedEvent = u8aConcat(indexOf('System', 'Remarked'), new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
    const records = u8aConcat(
      compactToU8a(2),
      [0x00], bnToU8a(3, { bitLength: 32 }), transferEvent, compactToU8a(0),
      [0x01], remarkedEvent, compactToU8a(1), new Uint8Array(32).fill(9),
    );
    const events = decoder.events(records);
    assert.deepEqual(events.map((e) => [e.applyExtrinsic, e.event.section, e.event.method]), [[3, 'balances', 'Transfer'], [undefined, 'system', 'Remarked']]);
    assert.deepEqual(events[0]!.event.fields, { from: new Uint8Array(32).fill(1), to: new Uint8Array(32).fill(2), amount: 5n });
    assert.deepEqual(events[1]!.event.fields, { sender: new Uint8Array(32).fill(3), hash: new Uint8Array(32).fill(4) });
    for (const bad of [records.subarray(0, records.length - 1), u8aConcat(records, [0]), u8aConcat(compactToU8a(1), [0x07], remarkedEvent, compactToU8a(0))]) {
      assert.throws(() => decoder.events(bad), BlockDecodeError);
    }
  });
});
