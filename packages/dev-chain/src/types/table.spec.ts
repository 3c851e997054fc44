import assert from 'node:assert/strict';

import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';

import { PortableCodec, ScaleDecodeError, ScaleEncodeError } from '@sealbridge/chain-types';

import { DevChainError } from '../errors.js';
import { buildMetadata } from '../metadata/build.js';
import { DEFAULT_PALLETS } from '../start.js';
import { TypeTable } from './table.js';

describe('dev-chain type table, encoded by the one SCALE codec', () => {
  const table = new TypeTable();
  table.declare({
    Pair: { path: 'demo::Pair', fields: { a: 'u32', b: 'Option<Vec<u8>>' } },
    Shape: { path: 'demo::Shape', variants: ['Empty', ['Circle', { r: 'u64' }], ['Many', ['u8', 'bool']]] },
  });
  const codec = new PortableCodec(table.types);

  it('encodes compact integers like parity-scale-codec', () => {
    const compact = table.resolve('Compact<u128>');
    const cases: [number | bigint, string][] = [
      [0, '0x00'],
      [63, '0xfc'],
      [64, '0x0101'],
      [16383, '0xfdff'],
      [16384, '0x02000100'],
      [1073741823, '0xfeffffff'],
      [1073741824, '0x0300000040'],
      [2n ** 64n - 1n, '0x13ffffffffffffffff'],
    ];
    for (const [v, hex] of cases) {
      assert.equal(u8aToHex(codec.encode(compact, v)), hex, String(v));
      assert.equal(BigInt(codec.decode(compact, codec.encode(compact, v)) as number), BigInt(v));
    }
  });

  it('round-trips structs, options, enums, tuples and fixed arrays', () => {
    const pair = table.resolve('Pair');
    const value = { a: 7, b: Uint8Array.of(1, 2) };
    assert.equal(u8aToHex(codec.encode(pair, value)), '0x0700000001080102');
    assert.deepEqual(codec.decode(pair, codec.encode(pair, value)), value);
    assert.deepEqual(codec.decode(pair, codec.encode(pair, { a: 1, b: null })), { a: 1, b: null });
    const shape = table.resolve('Shape');
    assert.equal(u8aToHex(codec.encode(shape, 'Empty')), '0x00');
    assert.deepEqual(codec.decode(shape, codec.encode(shape, { name: 'Circle', value: { r: 5n } })), { name: 'Circle', value: { r: 5n } });
    assert.deepEqual(codec.decode(shape, codec.encode(shape, { name: 'Many', value: [3, true] })), { name: 'Many', value: [3, true] });
    const tuple = table.resolve('(u16, [u8; 2], u128)');
    assert.equal(u8aToHex(codec.encode(tuple, [1, Uint8Array.of(9, 8), 2n])), '0x0100090802000000000000000000000000000000');
  });

  it('rejects bad values, bad bytes and unknown types with typed errors', () => {
    const u8 = table.resolve('u8');
    assert.throws(() => codec.encode(u8, 256), (e: unknown) => e instanceof ScaleEncodeError && e.code === 'SCALE_BAD_VALUE');
    assert.throws(() => codec.decode(table.resolve('bool'), Uint8Array.of(2)), (e: unknown) => e instanceof ScaleDecodeError && e.code === 'SCALE_NON_CANONICAL');
    assert.throws(() => codec.decode(table.resolve('u32'), Uint8Array.of(1, 2)), (e: unknown) => e instanceof ScaleDecodeError && e.code === 'SCALE_TRUNCATED');
    assert.throws(() => codec.decode(u8, Uint8Array.of(1, 2)), (e: unknown) => e instanceof ScaleDecodeError && e.code === 'SCALE_TRAILING_BYTES');
    assert.throws(() => table.resolve('Nope'), (e: unknown) => e instanceof DevChainError && e.code === 'METADATA');
    assert.throws(() => table.resolve('Vec<u8'), /expected >/);
  });

  it('dedups structurally identical types', () => {
    assert.equal(table.resolve('Vec<u8>'), table.resolve('Vec< u8 >'));
    assert.equal(table.resolve('Option<u32>'), table.resolve('Option<u32>'));
  });

  it('produces V14 metadata that @polkadot/types decodes with the declared pallets, calls and storage', () => {
    const meta = buildMetadata([...DEFAULT_PALLETS]);
    const decoded = new Metadata(new TypeRegistry(), meta.bytes);
    assert.equal(decoded.version, 14);
    const bridge = decoded.asLatest.pallets.find((p) => p.name.toString() === 'EnclaveBridge')!;
    assert.equal(bridge.index.toNumber(), 54);
    const calls = decoded.asLatest.lookup.getSiType(bridge.calls.unwrap().type).def.asVariant.variants.map((v) => [v.name.toString(), v.index.toNumber()]);
    assert.deepEqual(calls, [
      ['invoke', 0],
      ['confirm_processed_parentchain_block', 1],
      ['shield_funds', 2],
      ['unshield_funds', 3],
      ['publish_hash', 4],
    ]);
    assert.deepEqual(bridge.storage.unwrap().items.map((i) => i.name.toString()), ['ShardStatus', 'ExecutedUnshieldCalls']);
    assert.throws(() => buildMetadata([...DEFAULT_PALLETS, { ...DEFAULT_PALLETS[0]!, name: 'Clash' }]), /share index 0/);
  });
});
