// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';
import { compactAddLength, u8aConcat, u8aToHex } from '@polkadot/util';

import { HASH, SHARD, bytes, hex, toHex, u128, repeat } from './test/helpers.js';
import {
  InputError,
  decodeExact,
  decodeGetterResult,
  encodeGetterResult,
  decodeRequest,
  decodeRpcReturnValue,
  encodeRequest,
  parseShard,
  rpcError,
  rpcOk,
  rpcTopStatus,
  sealbridgeRegistry,
  shardToBase58,
} from './index.js';

const TOP_HASH = repeat('c3', 32);

describe('worker RPC values (§2.3)', () => {
  it('encodes the getter example: balance 5·10¹² → 48 01 40 <u128> 00 00', () => {
    const balance = 5_000_000_000_000n;
    const getterResult = encodeGetterResult(bytes(u128(balance)));
    assert.deepEqual(getterResult, sealbridgeRegistry.createType('GetterResult', hex(u128(balance))).toU8a());
    const result = rpcOk(getterResult);
    assert.equal(toHex(result), hex('48', '01', '40', u128(balance), '00', '00'));

    const decoded = decodeRpcReturnValue(result);
    assert.deepEqual(decoded.status, { kind: 'Ok' });
    assert.equal(decoded.doWatch, false);
    assert.equal(decodeExact(sealbridgeRegistry, 'Balance', decodeGetterResult(decoded.value)!).toBigInt(), balance);
  });

  it('length-prefixes values in every compact mode like the registry codec', () => {
    for (const n of [0, 1, 63, 64, 16_383, 16_384, 70_000]) {
      const value = Uint8Array.from({ length: n }, (_, i) => i * 7);
      const codec = sealbridgeRegistry.createType('RpcReturnValue', { value: toHex(value), do_watch: false, status: 'Ok' });
      assert.equal(toHex(rpcOk(value)), codec.toHex(), `length ${n}`);
      assert.equal(toHex(encodeGetterResult(value)), u8aToHex(u8aConcat(Uint8Array.of(1), compactAddLength(value))), `length ${n}`);
    }
  });

  it('encodes a missing getter result as None', () => {
    assert.deepEqual(encodeGetterResult(undefined), Uint8Array.of(0));
    assert.equal(decodeGetterResult(Uint8Array.of(0)), undefined);
    assert.equal(toHex(rpcOk(encodeGetterResult(undefined))), '0x04000000');
  });

  it('encodes the submit example: 80 <TOP hash> 00 01 00, and 01 for submitAndWatch', () => {
    assert.equal(toHex(rpcTopStatus(bytes(TOP_HASH), 'Submitted', false)), hex('80', TOP_HASH, '00', '01', '00'));
    assert.equal(toHex(rpcTopStatus(bytes(TOP_HASH), 'Submitted', true)), hex('80', TOP_HASH, '01', '01', '00'));
    const watched = decodeRpcReturnValue(rpcTopStatus(bytes(TOP_HASH), 'Submitted', true));
    assert.deepEqual(watched, { value: bytes(TOP_HASH), doWatch: true, status: { kind: 'TrustedOperationStatus', status: 'Submitted' } });
  });

  it('carries the sidechain block hash of InSidechainBlock and every other status index', () => {
    const inBlock = rpcTopStatus(bytes(TOP_HASH), { InSidechainBlock: bytes(HASH) }, false);
    assert.equal(toHex(inBlock), hex('80', TOP_HASH, '00', '01', '04', HASH));
    assert.deepEqual(decodeRpcReturnValue(inBlock).status, { kind: 'TrustedOperationStatus', status: 'InSidechainBlock', blockHash: bytes(HASH) });
    assert.equal(toHex(rpcTopStatus(bytes(TOP_HASH), 'Invalid', false)), hex('80', TOP_HASH, '00', '01', '0a'));
    assert.equal(toHex(rpcTopStatus(bytes(TOP_HASH), 'Broadcast', false)), hex('80', TOP_HASH, '00', '01', '03'));
  });

  it('encodes errors as SCALE String values with status Error (§2.4)', () => {
    const message = 'Error { code: ServerError(1001), message: "Trusted operation could not be deciphered", data: None }';
    const utf8 = Buffer.from(message).toString('hex');
    const inner = hex((message.length << 2 | 1).toString(16).padStart(4, '0').replace(/(..)(..)/, '$2$1'), utf8);
    const innerLength = bytes(inner).length;
    const outer = (innerLength << 2 | 1).toString(16).padStart(4, '0').replace(/(..)(..)/, '$2$1');
    assert.equal(toHex(rpcError(message)), hex(outer, inner, '00', '02'));
    const decoded = decodeRpcReturnValue(rpcError(message));
    assert.deepEqual(decoded.status, { kind: 'Error' });
    assert.equal(decoded.errorMessage, message);
  });

  it('leaves errorMessage unset when an Error value is not a SCALE String', () => {
    const odd = bytes(hex('0c', '3078ff', '00', '02'));
    const decoded = decodeRpcReturnValue(odd);
    assert.deepEqual(decoded.status, { kind: 'Error' });
    assert.equal(decoded.errorMessage, undefined);
  });

  it('rejects a TOP hash that is not 32 bytes', () => {
    assert.throws(() => rpcTopStatus(new Uint8Array(31), 'Submitted', false), (e: unknown) => e instanceof InputError && e.code === 'INVALID_ARGUMENT');
  });
});

describe('Request', () => {
  it('is shard(32) ‖ compact(len) ‖ cyphertext and round-trips', () => {
    const cyphertext = bytes(repeat('ab', 384));
    const encoded = encodeRequest(bytes(SHARD), cyphertext);
    assert.equal(toHex(encoded), hex(SHARD, '0106', repeat('ab', 384)));
    const decoded = decodeRequest(encoded);
    assert.deepEqual(decoded, { shard: bytes(SHARD), cyphertext });
  });

  it('decodes into copies, so the input buffer may be reused (also a Buffer, whose slice is a view)', () => {
    const input = Buffer.from(encodeRequest(bytes(SHARD), Uint8Array.of(7, 8)));
    const decoded = decodeRequest(input);
    input.fill(0);
    assert.deepEqual(decoded, { shard: bytes(SHARD), cyphertext: Uint8Array.of(7, 8) });
  });

  it('accepts the shard as base58', () => {
    const b58 = shardToBase58(bytes(SHARD));
    assert.deepEqual(encodeRequest(b58, Uint8Array.of(1)), bytes(hex(SHARD, '04', '01')));
  });
});

describe('shard identifiers', () => {
  it('parses base58 and 0x-hex, and prints base58', () => {
    const shard = bytes(SHARD);
    const b58 = shardToBase58(shard);
    assert.deepEqual(parseShard(b58), shard);
    assert.deepEqual(parseShard(hex(SHARD)), shard);
    // base58 of 32 zero bytes is 32 '1' characters
    assert.equal(shardToBase58(new Uint8Array(32)), '1'.repeat(32));
  });

  it('rejects wrong lengths and garbage with INVALID_SHARD', () => {
    const isInvalidShard = (e: unknown) => e instanceof InputError && e.code === 'INVALID_SHARD' && /shard/.test(e.message);
    assert.throws(() => parseShard('0x1234'), isInvalidShard);
    assert.throws(() => parseShard('0xzz'), isInvalidShard);
    assert.throws(() => parseShard('0OIl'), isInvalidShard);
    assert.throws(() => parseShard(shardToBase58(bytes(SHARD)).slice(0, 20)), isInvalidShard);
    assert.throws(() => shardToBase58(new Uint8Array(31)), isInvalidShard);
  });
});
