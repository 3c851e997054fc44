import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types';
import type { SignatureOptions } from '@polkadot/types/types';
import { hexToU8a } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import polkadotMetadata from '@polkadot/types-support/metadata/static-polkadot';
import substrateMetadata from '@polkadot/types-support/metadata/static-substrate';

import { callEncoder, ExtrinsicSigner } from './extrinsic-signer.js';

/** The parts of an ApiPromise the signer reads, over a registry built from a static metadata blob. */
function offlineApi(metadataHex: `0x${string}`, specVersion: number, transactionVersion: number) {
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, metadataHex));
  return {
    registry,
    runtimeVersion: registry.createType('RuntimeVersion', { specVersion, transactionVersion }),
    genesisHash: registry.createType('Hash', `0x${'9a'.repeat(32)}`),
    extrinsicVersion: 4,
  };
}

describe('ExtrinsicSigner', () => {
  before(() => cryptoWaitReady());

  for (const [name, metadataHex] of [['polkadot', polkadotMetadata], ['substrate', substrateMetadata]] as const) {
    it(`produces polkadot-js's bytes for an immortal signed extrinsic (${name} extensions)`, () => {
      const api = offlineApi(metadataHex, 1_003_004, 26);
      const pair = new Keyring({ type: 'ed25519' }).addFromUri('//Enclave');
      const signer = new ExtrinsicSigner(api as never, pair.publicKey, (payload) => pair.sign(payload));
      const remark = api.registry.createType('Call', { callIndex: api.registry.findMetaCall(hexToU8a('0x0000')).callIndex, args: ['0x00'] });
      // A remark long enough to push the payload past 256 bytes makes polkadot-js sign its hash instead.
      const longRemark = api.registry.createType('Call', { callIndex: remark.callIndex, args: [`0x${'ab'.repeat(300)}`] });
      for (const call of [remark, longRemark]) {
        for (const nonce of [0, 1, 63, 64, 16_383, 16_384, 2 ** 30 + 5]) {
          const expected = api.registry.createType('Extrinsic', call).sign(pair, {
            nonce,
            era: api.registry.createType('ExtrinsicEra', new Uint8Array([0])),
            blockHash: api.genesisHash,
            genesisHash: api.genesisHash,
            runtimeVersion: api.runtimeVersion,
            signedExtensions: api.registry.signedExtensions,
          } as unknown as SignatureOptions);
          const signed = signer.sign(call.toU8a(), nonce);
          assert.equal(signed.hex, expected.toHex(), `nonce ${nonce}`);
          assert.equal(signed.hash, expected.hash.toHex());
        }
      }
    });
  }

  it('callEncoder gives the bytes of the decorated call, from the metadata argument types', () => {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, polkadotMetadata);
    registry.setMetadata(metadata);
    const { tx } = expandMetadata(registry, metadata);
    const dest = `0x${'11'.repeat(32)}`;
    const cases: Array<[string, string, unknown[]]> = [
      ['balances', 'transferKeepAlive', [{ Id: dest }, 12_345_678_901_234n]],
      ['system', 'remark', ['0x0102030405']],
      ['system', 'setHeapPages', [2n ** 40n]],
    ];
    for (const [section, method, args] of cases) {
      const expected = tx[section]![method]!(...args).toU8a();
      assert.deepEqual(callEncoder({ registry, tx } as never, section, method)(...args), expected, `${section}.${method}`);
    }
    assert.throws(() => callEncoder({ registry, tx } as never, 'system', 'remark')(), RangeError);
    assert.throws(() => callEncoder({ registry, tx } as never, 'enclaveBridge', 'invoke'), /no enclaveBridge.invoke/);
  });

  it('refuses a nonce that is not an account index', () => {
    const api = offlineApi(substrateMetadata, 1, 1);
    const signer = new ExtrinsicSigner(api as never, new Uint8Array(32), () => new Uint8Array(64));
    for (const nonce of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => signer.sign(new Uint8Array([0, 0, 0]), nonce), RangeError);
  });
});
