import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';

import { Keyring } from '@polkadot/keyring';
import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types';
import type { SignatureOptions } from '@polkadot/types/types';
import { bnToU8a, compactToU8a, u8aConcat } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import kusamaMetadata from '@polkadot/types-support/metadata/static-kusama';
import polkadotMetadata from '@polkadot/types-support/metadata/static-polkadot';

import { BlockDecodeError, BlockDecoder } from '@sealbridge/chain-types';
import { parseHexParam, parseShardParam, decodeRequestParam, stringParams } from '../rpc/params.js';
import { RpcServerError, toRpcFailure } from '../rpc/errors.js';

/** Seeded xorshift32, so a failing input can be replayed with SEALBRIDGE_FUZZ_SEED. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const SEED = Number(process.env.SEALBRIDGE_FUZZ_SEED ?? randomInt(1, 2 ** 31));
const MUTATIONS_PER_INPUT = 1_500;

/** Bit flips, byte overwrites, truncation, insertion, deletion and length-prefix damage of a valid encoding. */
function mutate(rand: (n: number) => number, input: Uint8Array): Uint8Array {
  const bytes = input.slice();
  switch (rand(7)) {
    case 0:
      bytes[rand(bytes.length)]! ^= 1 << rand(8);
      return bytes;
    case 1:
      bytes[rand(bytes.length)] = rand(256);
      return bytes;
    case 2:
      return bytes.subarray(0, rand(bytes.length));
    case 3: {
      const at = rand(bytes.length + 1);
      return u8aConcat(bytes.subarray(0, at), Uint8Array.of(rand(256)), bytes.subarray(at));
    }
    case 4: {
      const at = rand(bytes.length);
      return u8aConcat(bytes.subarray(0, at), bytes.subarray(at + 1));
    }
    case 5:
      // A compact claiming up to 2^62 (mode 3): must be refused by the bytes left, never allocated.
      return u8aConcat(Uint8Array.of(0x13), bnToU8a(BigInt(rand(2 ** 31)) << 31n, { bitLength: 64 }), bytes);
    default:
      return Uint8Array.from({ length: rand(96) }, () => rand(256));
  }
}

/** Runs `decode` on every input; anything but success or one of `allowed` is a failure with the replay seed. */
function expectOnlyTyped(inputs: Iterable<Uint8Array>, decode: (bytes: Uint8Array) => unknown, allowed: (error: unknown) => boolean): number {
  let count = 0;
  for (const bytes of inputs) {
    count++;
    try {
      decode(bytes);
    } catch (error) {
      if (!allowed(error)) assert.fail(`seed ${SEED}: ${Buffer.from(bytes).toString('hex').slice(0, 200)} threw ${(error as Error).stack}`);
    }
  }
  return count;
}

describe('BlockDecoder and RPC params under random and mutated bytes (fuzz)', () => {
  before(() => {
    console.log(`      fuzz seed ${SEED} (replay with SEALBRIDGE_FUZZ_SEED=${SEED})`);
    return cryptoWaitReady();
  });

  for (const [chain, hex] of [['Polkadot', polkadotMetadata], ['Kusama', kusamaMetadata]] as const) {
    it(`extrinsics and event records of the ${chain} metadata: only BlockDecodeError`, () => {
      const registry = new TypeRegistry();
      const metadata = new Metadata(registry, hex);
      registry.setMetadata(metadata);
      const { tx } = expandMetadata(registry, metadata);
      const decoder = new BlockDecoder(registry);
      const rand = prng(SEED);
      const genesisHash = `0x${'9a'.repeat(32)}`;
      const runtimeVersion = registry.createType('RuntimeVersion', { specVersion: 1_000_000, transactionVersion: 26 });
      const pair = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const sign = (call: unknown) =>
        registry.createType('Extrinsic', call).sign(pair, { nonce: 3, blockHash: genesisHash, genesisHash, runtimeVersion, signedExtensions: registry.signedExtensions } as unknown as SignatureOptions).toU8a();
      const dest = { Id: `0x${'11'.repeat(32)}` };
      const seeds = [
        sign(tx.balances!.transferKeepAlive!(dest, 2n ** 127n)),
        sign(tx.utility!.batchAll!([tx.balances!.transferKeepAlive!(dest, 2n ** 53n + 1n), tx.system!.remark!(`0x${'ab'.repeat(300)}`)])),
        registry.createType('Extrinsic', tx.timestamp!.set!(1_700_000_000_000n)).toU8a(),
      ];
      for (const good of seeds) assert.ok(decoder.extrinsic(good));
      const extrinsics = function* () {
        for (const good of seeds) for (let i = 0; i < MUTATIONS_PER_INPUT; i++) yield mutate(rand, good);
      };
      const isTyped = (error: unknown) => error instanceof BlockDecodeError;
      const started = Date.now();
      let count = expectOnlyTyped(extrinsics(), (bytes) => decoder.extrinsic(bytes, 0), isTyped);

      const records = u8aConcat(compactToU8a(2), [0x00], bnToU8a(1, { bitLength: 32 }), eventBytes(registry, 'System', 'Remarked', 64), compactToU8a(0), [0x01], eventBytes(registry, 'System', 'Remarked', 64), compactToU8a(1), new Uint8Array(32));
      assert.equal(decoder.events(records).length, 2);
      count += expectOnlyTyped((function* () {
        for (let i = 0; i < MUTATIONS_PER_INPUT * 2; i++) yield mutate(rand, records);
      })(), (bytes) => decoder.events(bytes).forEach((e) => e.event.fields), isTyped);
      assert.ok(Date.now() - started < 20_000, `decoding ${count} inputs took ${Date.now() - started} ms`);
    });
  }

  it('RPC params: random and mutated strings are refused as bad params, never as internal errors', () => {
    const rand = prng(SEED ^ 0x5eed);
    const request = `0x${'00'.repeat(32)}${Buffer.from(compactToU8a(4)).toString('hex')}01020304`;
    const inputs = function* () {
      for (let i = 0; i < 2_000; i++) {
        const base = [request, `0x${'ab'.repeat(32)}`, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', '0x'][rand(4)]!;
        const chars = [...base];
        for (let m = rand(4); m >= 0; m--) chars[rand(chars.length)] = String.fromCharCode(rand(128));
        yield chars.join('').slice(0, rand(chars.length + 1));
      }
    };
    let count = 0;
    for (const value of inputs()) {
      for (const parse of [(v: string) => parseHexParam(v, 'p'), (v: string) => parseShardParam(v), (v: string) => decodeRequestParam(v)]) {
        count++;
        try {
          parse(value);
        } catch (error) {
          // The server's one error mapping: anything it would answer as -32603 "Internal error" is a bug.
          const failure = toRpcFailure(error, 'fuzz', () => assert.fail(`seed ${SEED}: ${JSON.stringify(value)} threw ${(error as Error).stack}`));
          assert.ok('result' in failure || failure.error.code === -32602, `seed ${SEED}: ${JSON.stringify(value)} → ${JSON.stringify(failure)}`);
        }
      }
    }
    for (const params of [null, 1, 'x', {}, [1], [null], [{}], Array(1000).fill('0x')]) {
      assert.throws(() => stringParams(params, 'm', { min: 1, max: 2 }), (e: unknown) => e instanceof RpcServerError && e.code === 'INVALID_PARAMS');
    }
    assert.ok(count >= 6_000);
  });
});

/** SCALE of `RuntimeEvent::<pallet>(<event> { … })` with every field zero-filled to `bytes` bytes of payload. */
function eventBytes(registry: TypeRegistry, pallet: string, event: string, bytes: number): Uint8Array {
  const p = registry.metadata.pallets.find((x) => x.name.toString() === pallet)!;
  const variants = registry.lookup.getSiType(p.events.unwrap().type).def.asVariant.variants;
  return u8aConcat([p.index.toNumber(), variants.find((v) => v.name.toString() === event)!.index.toNumber()], new Uint8Array(bytes).fill(7));
}
