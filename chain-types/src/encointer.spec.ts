import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TypeRegistry as TypeRegistry16 } from '@polkadot/types';

import { ALICE, BOB, HASH, SHARD, hex, repeat } from './test/helpers.js';
import { TRUSTED_OPERATION_STATUS_NAMES, decodeExact, sealbridgeRegistry } from './index.js';

interface AnyRegistry {
  register(types: Record<string, unknown>): void;
  createType(type: string, value: unknown): { toHex(): string };
}

/**
 * Cross-check against the type definitions that `@encointer/worker-api@0.14.2` (the G2a JS client) ships in
 * `@encointer/types@0.14.2`. They are registered twice: into the @polkadot/types 11.x copy nested under that package
 * (what the client really runs) and into our 16.5.6 TypeRegistry.
 */
async function encointerRegistries(): Promise<Array<[string, AnyRegistry]>> {
  const defs = (await import('@encointer/types/interfaces/definitions')) as unknown as Record<string, { types: Record<string, unknown> }>;
  const types = Object.values(defs).reduce<Record<string, unknown>>((all, d) => ({ ...all, ...d.types }), {});
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@encointer/types/package.json')).replace(/[/\\]cjs$/, '');
  const warn = console.warn;
  console.warn = () => {}; // polkadot-js warns about the second @polkadot/util copy, which is the point here
  let types11: { TypeRegistry: new () => AnyRegistry; packageInfo: { version: string } };
  try {
    types11 = await import(pathToFileURL(path.join(pkgDir, 'node_modules/@polkadot/types/index.js')).href);
  } finally {
    console.warn = warn;
  }
  assert.match(types11.packageInfo.version, /^11\./);
  const r11 = new types11.TypeRegistry();
  r11.register(types);
  const r16 = new TypeRegistry16();
  r16.register(types as never);
  return [[`@polkadot/types ${types11.packageInfo.version}`, r11], ['@polkadot/types 16.5.6', r16 as unknown as AnyRegistry]];
}

const SIG = { Sr25519: hex(repeat('aa', 64)) };
const TRANSFER = { balance_transfer: [hex(ALICE), hex(BOB), 2_000_000_000_000n] };
const TCS = { call: TRANSFER, nonce: 7, signature: SIG };
const TGS = { getter: { free_balance: hex(ALICE) }, signature: { Ed25519: hex(repeat('bb', 64)) } };

/** [our type, encointer type, value] — same JS value, must give the same bytes. */
const CASES: Array<[string, string, unknown]> = [
  ['ShardIdentifier', 'ShardIdentifier', hex(SHARD)],
  ['Request', 'Request', { shard: hex(SHARD), cyphertext: hex(repeat('ab', 384)) }],
  ['ParentchainId', 'ParentchainId', 'TargetB'],
  ['ShardVault', 'Vault', [hex(ALICE), 'TargetA']],
  ['TrustedCall', 'IntegriteeTrustedCall', { noop: hex(ALICE) }],
  ['TrustedCall', 'IntegriteeTrustedCall', { balance_set_balance: [hex(ALICE), hex(BOB), 1, 2] }],
  ['TrustedCall', 'IntegriteeTrustedCall', TRANSFER],
  ['TrustedCall', 'IntegriteeTrustedCall', { balance_unshield: [hex(ALICE), hex(BOB), 3, hex(SHARD)] }],
  ['TrustedCall', 'IntegriteeTrustedCall', { balance_shield: [hex(ALICE), hex(BOB), 4, 'TargetA'] }],
  ['TrustedCallSigned', 'IntegriteeTrustedCallSigned', TCS],
  ['TrustedCallSigned', 'IntegriteeTrustedCallSigned', { ...TCS, signature: { Ed25519: hex(repeat('cc', 64)) } }],
  ['TrustedCallSigned', 'IntegriteeTrustedCallSigned', { ...TCS, signature: { Ecdsa: hex(repeat('dd', 65)) } }],
  ['TrustedOperation', 'IntegriteeTrustedOperation', { indirect_call: TCS }],
  ['TrustedOperation', 'IntegriteeTrustedOperation', { direct_call: TCS }],
  ['TrustedOperation', 'IntegriteeTrustedOperation', { get: { trusted: TGS } }],
  ['TrustedGetter', 'IntegriteeTrustedGetter', { free_balance: hex(ALICE) }],
  ['TrustedGetter', 'IntegriteeTrustedGetter', { reserved_balance: hex(ALICE) }],
  ['TrustedGetter', 'IntegriteeTrustedGetter', { nonce: hex(ALICE) }],
  ['TrustedGetterSigned', 'IntegriteeTrustedGetterSigned', TGS],
  ['Getter', 'IntegriteeGetter', { trusted: TGS }],
  ['RpcReturnValue', 'RpcReturnValue', { value: hex(repeat('c3', 32)), do_watch: true, status: 'Ok' }],
  ['RpcReturnValue', 'RpcReturnValue', { value: '0x0102', do_watch: false, status: 'Error' }],
];

describe('cross-check with @encointer/types@0.14.2', function () {
  this.timeout(30_000);
  let registries: Array<[string, AnyRegistry]>;
  before(async () => {
    registries = await encointerRegistries();
  });

  it('encodes every shared G2a type to identical bytes', () => {
    for (const [ours, theirs, value] of CASES) {
      const expected = sealbridgeRegistry.createType(ours, value).toHex();
      for (const [label, registry] of registries) {
        assert.equal(registry.createType(theirs, value).toHex(), expected, `${theirs} under ${label}: ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      }
      decodeExact(sealbridgeRegistry, ours, Buffer.from(expected.slice(2), 'hex'));
    }
  });

  it('encodes every TrustedOperationStatus identically (encointer spells Broadcast "BroadCast")', () => {
    for (const name of TRUSTED_OPERATION_STATUS_NAMES) {
      const ourValue = name === 'InSidechainBlock' ? { InSidechainBlock: hex(HASH) } : name;
      const theirValue = name === 'Broadcast' ? 'BroadCast' : ourValue;
      const expected = sealbridgeRegistry.createType('DirectRequestStatus', { TrustedOperationStatus: ourValue }).toHex();
      for (const [label, registry] of registries) {
        assert.equal(registry.createType('DirectRequestStatus', { TrustedOperationStatus: theirValue }).toHex(), expected, `${name} under ${label}`);
      }
    }
  });

  it('documents the one known divergence: encointer declares timestamp_set as (AccountId, H160, BalanceType)', () => {
    const ours = sealbridgeRegistry.createType('TrustedCall', { timestamp_set: [hex(ALICE), 1, 'Integritee'] }).toU8a();
    assert.equal(ours.length, 1 + 32 + 8 + 1); // Rust worker v0.14.0: (AccountId, u64 Moment, ParentchainId)
    for (const [, registry] of registries) {
      const theirs = registry.createType('IntegriteeTrustedCall', { timestamp_set: [hex(ALICE), hex(repeat('00', 20)), 1] }).toHex();
      assert.equal((theirs.length - 2) / 2, 1 + 32 + 20 + 16);
    }
  });
});
