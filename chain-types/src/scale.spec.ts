import assert from 'node:assert/strict';
import type { Vec } from '@polkadot/types-codec';
import type { Codec } from '@polkadot/types/types';

import { ALICE, BOB, bytes, hex, u32, u128, repeat } from './test/helpers.js';
import { InputError, ScaleDecodeError, SealbridgeError, createSealbridgeType, decodeExact, sealbridgeRegistry } from './index.js';

const TRANSFER = hex('02', ALICE, BOB, u128(1));
const TCS = hex(TRANSFER, u32(0), '01', repeat('aa', 64));

function rejects(type: string, input: string, code: string): ScaleDecodeError {
  let caught: unknown;
  try {
    decodeExact(sealbridgeRegistry, type, bytes(input));
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ScaleDecodeError, `${type} ${input} should throw ScaleDecodeError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

describe('decodeExact', () => {
  it('accepts exact canonical input', () => {
    assert.equal(decodeExact(sealbridgeRegistry, 'TrustedCallSigned', bytes(TCS)).nonce.toNumber(), 0);
  });

  it('rejects truncated input at every cut of a TrustedCallSigned', () => {
    for (let cut = 0; cut < bytes(TCS).length; cut++) rejects('TrustedCallSigned', TCS.slice(0, 2 + 2 * cut), 'SCALE_TRUNCATED');
    const err = rejects('TrustedCallSigned', TCS.slice(0, -2), 'SCALE_TRUNCATED');
    assert.equal(err.typeName, 'TrustedCallSigned');
    assert.equal(err.name, 'ScaleDecodeError [SCALE_TRUNCATED]');
    assert.ok(err instanceof SealbridgeError);
  });

  it('rejects unknown enum indices, including the padded __Unused slots', () => {
    rejects('TrustedCall', hex('06', ALICE), 'SCALE_UNKNOWN_VARIANT');
    rejects('TrustedCall', hex('64', ALICE), 'SCALE_UNKNOWN_VARIANT'); // 100: a polkadot-js __Unused100 slot
    rejects('TrustedCall', hex('c8', ALICE), 'SCALE_UNKNOWN_VARIANT'); // 200: past the Sealbridge range
    rejects('TrustedGetter', hex('03', ALICE), 'SCALE_UNKNOWN_VARIANT');
    rejects('TrustedOperation', hex('03', TCS), 'SCALE_UNKNOWN_VARIANT');
    rejects('DirectRequestStatus', '0x03', 'SCALE_UNKNOWN_VARIANT');
    rejects('TrustedOperationStatus', '0x0b', 'SCALE_UNKNOWN_VARIANT');
    rejects('SgxAttestationMethod', '0x04', 'SCALE_UNKNOWN_VARIANT');
    const err = rejects('TrustedOperation', hex('01', '07', ALICE), 'SCALE_UNKNOWN_VARIANT');
    assert.equal(err.offset, 1);
  });

  it('rejects compact lengths beyond the input', () => {
    rejects('Request', hex(repeat('33', 32), 'a10f', 'deadbeef'), 'SCALE_LENGTH_OVERFLOW'); // claims 1000 bytes
    rejects('Request', hex(repeat('33', 32), '03ffffffff', 'deadbeef'), 'SCALE_LENGTH_OVERFLOW'); // claims 2^32−1
    rejects('RpcReturnValue', hex('13ffffffffffffffff', '0000'), 'SCALE_LENGTH_OVERFLOW'); // 8-byte compact
    rejects('PublishHashArgs', hex(repeat('44', 32), 'fdff', '00'), 'SCALE_LENGTH_OVERFLOW'); // Vec<H256> of 16383
  });

  it('rejects trailing bytes that polkadot-js would silently ignore', () => {
    assert.equal(sealbridgeRegistry.createType('TrustedCall', bytes(hex(TRANSFER, '00'))).toHex(), TRANSFER);
    const err = rejects('TrustedCall', hex(TRANSFER, '00'), 'SCALE_TRAILING_BYTES');
    assert.equal(err.offset, bytes(TRANSFER).length);
    rejects('RpcReturnValue', '0x000000ff', 'SCALE_TRAILING_BYTES');
  });

  it('rejects non-canonical bytes instead of defaulting', () => {
    rejects('RpcReturnValue', '0x000200', 'SCALE_NON_CANONICAL'); // bool 2 (polkadot-js reads false)
    rejects('GetterResult', '0x02', 'SCALE_NON_CANONICAL'); // option tag 2
    rejects('Request', hex(repeat('33', 32), '0100'), 'SCALE_NON_CANONICAL'); // compact 0 in two bytes
    rejects('IndirectCall', hex('02', '070000000000'), 'SCALE_NON_CANONICAL'); // compact 0 in big-integer mode
    rejects('IndirectCall', hex('02', '17', 'ffffffffffffffffff'), 'SCALE_NON_CANONICAL'); // Compact<u64> of 9 bytes
    rejects('Text', '0x08c328', 'SCALE_NON_CANONICAL'); // invalid UTF-8
  });

  it('names unregistered types', () => {
    rejects('NoSuchType', '0x00', 'SCALE_UNKNOWN_TYPE');
  });
});

describe('SealbridgeError', () => {
  it('is subclassable with a typed code, cause and `Name [CODE]` name', () => {
    class WorkerError extends SealbridgeError<'WORKER_STOPPED'> {}
    const cause = new Error('root');
    const err = new WorkerError('WORKER_STOPPED', 'stopped', { cause });
    assert.ok(err instanceof WorkerError && err instanceof SealbridgeError && err instanceof Error);
    assert.equal(err.name, 'WorkerError [WORKER_STOPPED]');
    assert.equal(err.code, 'WORKER_STOPPED');
    assert.equal(err.cause, cause);
    assert.match(String(err.stack), /WorkerError \[WORKER_STOPPED\]: stopped/);
  });
});

describe('createSealbridgeType', () => {
  it('takes Uint8Arrays at Vec<u8> positions as raw content, where plain createType would misread them', () => {
    const input = Uint8Array.of(0xc0, 0xff, 0xee);
    const expected = hex('96', ALICE, BOB, '0c', 'c0ffee');
    const call = createSealbridgeType(sealbridgeRegistry, 'TrustedCall', { smart_worker_call: [bytes(ALICE), bytes(BOB), input] });
    assert.equal(call.toHex(), expected);
    assert.equal(call.asSmartWorkerCall[2].toHex(), '0xc0ffee');
    assert.throws(() => sealbridgeRegistry.createType('TrustedCall', { smart_worker_call: [bytes(ALICE), bytes(BOB), input] }));

    const shard = repeat('33', 32);
    const indirect = createSealbridgeType(sealbridgeRegistry, 'IndirectCall', { Invoke: { request: { shard: bytes(shard), cyphertext: input } } });
    assert.equal(indirect.toHex(), hex('01', shard, '0c', 'c0ffee'));
    const shield = createSealbridgeType(sealbridgeRegistry, 'IndirectCall', { ShieldFunds: { shard: bytes(shard), account_encrypted: input, amount: 1 } });
    assert.equal(shield.toHex(), hex('00', shard, '0c', 'c0ffee', u128(1)));
    const enclave = createSealbridgeType(sealbridgeRegistry, 'RegisterSgxEnclaveArgs', { proof: input, worker_url: Uint8Array.of(0x61), attestation_method: 'Simulated' });
    assert.equal(enclave.toHex(), hex('0c', 'c0ffee', '01', '04', '61', '03'));
    const rrv = createSealbridgeType(sealbridgeRegistry, 'RpcReturnValue', { value: input, doWatch: true, status: 'Ok' });
    assert.equal(rrv.toHex(), hex('0c', 'c0ffee', '01', '00'));
  });

  it('decodes byte input strictly and keeps codecs as they are', () => {
    assert.equal(createSealbridgeType(sealbridgeRegistry, 'TrustedCall', bytes(TRANSFER)).toHex(), TRANSFER);
    assert.throws(() => createSealbridgeType(sealbridgeRegistry, 'TrustedCall', bytes(hex(TRANSFER, '00'))), ScaleDecodeError);
    const codec = createSealbridgeType(sealbridgeRegistry, 'TrustedCall', bytes(TRANSFER));
    assert.equal(createSealbridgeType(sealbridgeRegistry, 'TrustedCallSigned', { call: codec, nonce: 0, signature: { Sr25519: bytes(repeat('aa', 64)) } }).toHex(), TCS);
  });
});

describe('createSealbridgeType value checks', () => {
  it('rejects unknown and missing struct fields instead of defaulting them', () => {
    const isArg = (e: unknown) => e instanceof InputError && e.code === 'INVALID_ARGUMENT';
    assert.throws(() => createSealbridgeType(sealbridgeRegistry, 'ShardSignerStatus', { signer: bytes(ALICE), fingerprint: bytes(BOB) }), isArg);
    assert.throws(() => createSealbridgeType(sealbridgeRegistry, 'ShardSignerStatus', { signer: bytes(ALICE), fingerprint: bytes(BOB), last_activity: 1, extra: 2 }), isArg);
    assert.throws(() => createSealbridgeType(sealbridgeRegistry, 'TrustedCall', { no_such_call: bytes(ALICE) }), isArg);
    // A missing Option field is None.
    const config = createSealbridgeType(sealbridgeRegistry, 'ShardConfig', { enclave_fingerprint: bytes(BOB), maintenance_mode: true });
    assert.equal(config.toHex(), hex(BOB, '00', '00', '01'));
  });
});

describe('decodeExact on type expressions', () => {
  it('walks Vec<…>, tuples and Option<…> given inline', () => {
    const two = hex('08', TCS, TCS);
    assert.equal(decodeExact<Vec<Codec>>(sealbridgeRegistry, 'Vec<TrustedCallSigned>', bytes(two)).length, 2);
    // A count no input of this size could hold is an overflow; one element short is a truncation.
    rejects('Vec<TrustedCallSigned>', hex('fdff', TCS, TCS), 'SCALE_LENGTH_OVERFLOW');
    rejects('Vec<TrustedCallSigned>', hex('0c', TCS, TCS), 'SCALE_TRUNCATED');
    rejects('Vec<TrustedCallSigned>', hex('08', TCS, TCS.slice(0, -2)), 'SCALE_TRUNCATED');
    assert.equal(decodeExact(sealbridgeRegistry, '(AccountId, ParentchainId)', bytes(hex(ALICE, '02'))).toHex(), hex(ALICE, '02'));
    rejects('(AccountId, ParentchainId)', hex(ALICE, '03'), 'SCALE_UNKNOWN_VARIANT');
    rejects('Option<Vec<u8>>', '0x0108', 'SCALE_LENGTH_OVERFLOW');
    rejects('Compact<Balance>', hex('37', repeat('ff', 17)), 'SCALE_NON_CANONICAL'); // 17-byte value > u128
    assert.equal(createSealbridgeType(sealbridgeRegistry, 'Vec<Request>', [{ shard: bytes(repeat('33', 32)), cyphertext: Uint8Array.of(1) }]).toHex(), hex('04', repeat('33', 32), '04', '01'));
  });
});
