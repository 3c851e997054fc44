import assert from 'node:assert/strict';

import { ALICE, BOB, HASH, SHARD, bytes, hex, toHex, u32, u64, u128, repeat } from './test/helpers.js';
import { SEALBRIDGE_VARIANT_INDEX_FIRST, createSealbridgeRegistry, decodeExact, sealbridgeRegistry, sealbridgeTypes } from './index.js';

const TRANSFER = hex('02', ALICE, BOB, u128(2_000_000_000_000n));
const SIG_SR = hex('01', repeat('aa', 64));
const TCS = hex(TRANSFER, u32(7), SIG_SR);
const TRUSTED_GETTER = hex('00', ALICE);
const TGS = hex(TRUSTED_GETTER, hex('00', repeat('bb', 64)));
const URL = Buffer.from('wss://127.0.0.1:2000').toString('hex');
const SGX_ENCLAVE = hex(repeat('66', 64), repeat('77', 32), repeat('88', 32), u64(1_700_000_000_000n), '01', '50', URL, '01', '0201', '01');

/** [type, createType value, expected bytes] — expected layouts written from docs/integritee-protocol.md Appendix A (§ numbers in this file refer to docs/integritee-protocol.md). */
const VECTORS: Array<[string, unknown, string]> = [
  ['ShardIdentifier', hex(SHARD), hex(SHARD)],
  ['AccountId', hex(ALICE), hex(ALICE)],
  ['Balance', 5n, hex(u128(5))],
  ['Request', { shard: hex(SHARD), cyphertext: '0xdeadbeef' }, hex(SHARD, '10', 'deadbeef')],
  ['Request', { shard: hex(SHARD), cyphertext: hex(repeat('ab', 384)) }, hex(SHARD, '0106', repeat('ab', 384))],
  ['DirectRequestStatus', 'Ok', '0x00'],
  ['DirectRequestStatus', { TrustedOperationStatus: 'Submitted' }, '0x0100'],
  ['DirectRequestStatus', 'Error', '0x02'],
  ['TrustedOperationStatus', 'Submitted', '0x00'],
  ['TrustedOperationStatus', 'Future', '0x01'],
  ['TrustedOperationStatus', 'Ready', '0x02'],
  ['TrustedOperationStatus', 'Broadcast', '0x03'],
  ['TrustedOperationStatus', { InSidechainBlock: hex(HASH) }, hex('04', HASH)],
  ['TrustedOperationStatus', 'Retracted', '0x05'],
  ['TrustedOperationStatus', 'FinalityTimeout', '0x06'],
  ['TrustedOperationStatus', 'Finalized', '0x07'],
  ['TrustedOperationStatus', 'Usurped', '0x08'],
  ['TrustedOperationStatus', 'Dropped', '0x09'],
  ['TrustedOperationStatus', 'Invalid', '0x0a'],
  ['RpcReturnValue', { value: '0x0102', do_watch: true, status: { TrustedOperationStatus: 'Ready' } }, '0x0801020101' + '02'],
  ['ParentchainId', 'Integritee', '0x00'],
  ['ParentchainId', 'TargetA', '0x01'],
  ['ParentchainId', 'TargetB', '0x02'],
  ['ShardVault', [hex(ALICE), 'TargetA'], hex(ALICE, '01')],
  ['GetterResult', null, '0x00'],
  ['GetterResult', hex(u128(5)), hex('01', '40', u128(5))],
  ['MultiSignature', { Ed25519: hex(repeat('aa', 64)) }, hex('00', repeat('aa', 64))],
  ['MultiSignature', { Sr25519: hex(repeat('aa', 64)) }, SIG_SR],
  ['MultiSignature', { Ecdsa: hex(repeat('aa', 65)) }, hex('02', repeat('aa', 65))],
  ['TrustedCall', { noop: hex(ALICE) }, hex('00', ALICE)],
  ['TrustedCall', { balance_set_balance: [hex(ALICE), hex(BOB), 1, 2] }, hex('01', ALICE, BOB, u128(1), u128(2))],
  ['TrustedCall', { balance_transfer: [hex(ALICE), hex(BOB), 2_000_000_000_000n] }, TRANSFER],
  ['TrustedCall', { balance_unshield: [hex(ALICE), hex(BOB), 3, hex(SHARD)] }, hex('03', ALICE, BOB, u128(3), SHARD)],
  ['TrustedCall', { balance_shield: [hex(ALICE), hex(BOB), 4, 'TargetA'] }, hex('04', ALICE, BOB, u128(4), '01')],
  ['TrustedCall', { timestamp_set: [hex(ALICE), 1_700_000_000_000n, 'Integritee'] }, hex('05', ALICE, u64(1_700_000_000_000n), '00')],
  ['TrustedCall', { smart_worker_call: [hex(ALICE), hex(HASH), '0x0102'] }, hex('96', ALICE, HASH, '08', '0102')],
  ['TrustedCallSigned', { call: { balance_transfer: [hex(ALICE), hex(BOB), 2_000_000_000_000n] }, nonce: 7, signature: { Sr25519: hex(repeat('aa', 64)) } }, TCS],
  ['TrustedGetter', { free_balance: hex(ALICE) }, TRUSTED_GETTER],
  ['TrustedGetter', { reserved_balance: hex(ALICE) }, hex('01', ALICE)],
  ['TrustedGetter', { nonce: hex(ALICE) }, hex('02', ALICE)],
  ['TrustedGetter', { smart_worker_result: [hex(ALICE), hex(HASH)] }, hex('96', ALICE, HASH)],
  ['TrustedGetter', { env_names: [hex(ALICE), hex(HASH)] }, hex('97', ALICE, HASH)],
  ['TrustedGetter', { operation_outcome: [hex(ALICE), hex(HASH)] }, hex('98', ALICE, HASH)],
  ['TrustedOperationOutcome', { block_number: 71, result: { Ok: null }, fee: 100_000_000n }, hex(u32(71), '00', u128(100_000_000n))],
  ['TrustedOperationOutcome', { block_number: 71, result: { Err: { code: 'MissingFunds', message: 'x' } }, fee: 0 }, hex(u32(71), '01', '30', Buffer.from('MissingFunds').toString('hex'), '04', '78', u128(0))],
  ['TrustedGetterSigned', { getter: { free_balance: hex(ALICE) }, signature: { Ed25519: hex(repeat('bb', 64)) } }, TGS],
  ['PublicGetter', 'some_value', '0x00'],
  ['Getter', { public: 'some_value' }, '0x0000'],
  ['Getter', { trusted: bytes(TGS) }, hex('01', TGS)],
  ['TrustedOperation', { indirect_call: bytes(TCS) }, hex('00', TCS)],
  ['TrustedOperation', { direct_call: bytes(TCS) }, hex('01', TCS)],
  ['TrustedOperation', { get: { trusted: bytes(TGS) } }, hex('02', '01', TGS)],
  ['IndirectCall', { ShieldFunds: { shard: hex(SHARD), account_encrypted: '0xc0ffee', amount: 6 } }, hex('00', SHARD, '0c', 'c0ffee', u128(6))],
  ['IndirectCall', { Invoke: { request: { shard: hex(SHARD), cyphertext: '0xdead' } } }, hex('01', SHARD, '08', 'dead')],
  ['IndirectCall', { TimestampSet: { now: 1 } }, '0x0204'],
  // 1_700_000_000_000 = 0x018bcfe56800 needs 6 bytes: compact big-integer mode, prefix ((6 − 4) << 2) | 3.
  ['IndirectCall', { TimestampSet: { now: 1_700_000_000_000n } }, hex('02', '0b', '0068e5cf8b01')],
  ['ConfirmProcessedParentchainBlockArgs', { shard: hex(SHARD), block_hash: hex(HASH), block_number: 9, trusted_calls_merkle_root: hex(repeat('99', 32)) }, hex(SHARD, HASH, u32(9), repeat('99', 32))],
  ['ProcessedParentchainBlockEvent', { shard: hex(SHARD), block_hash: hex(HASH), trusted_calls_merkle_root: hex(repeat('99', 32)), block_number: 9 }, hex(SHARD, HASH, repeat('99', 32), u32(9))],
  ['EnclaveBridgeCall', { invoke: { request: { shard: hex(SHARD), cyphertext: '0xdead' } } }, hex('00', SHARD, '08', 'dead')],
  ['EnclaveBridgeCall', { confirm_processed_parentchain_block: { shard: hex(SHARD), block_hash: hex(HASH), block_number: 9, trusted_calls_merkle_root: hex(repeat('99', 32)) } }, hex('01', SHARD, HASH, u32(9), repeat('99', 32))],
  ['EnclaveBridgeCall', { shield_funds: { shard: hex(SHARD), incognito_account_encrypted: '0xc0ffee', amount: 6 } }, hex('02', SHARD, '0c', 'c0ffee', u128(6))],
  ['EnclaveBridgeCall', { unshield_funds: { shard: hex(SHARD), beneficiary: hex(BOB), amount: 1, call_hash: hex(HASH) } }, hex('03', SHARD, BOB, u128(1), HASH)],
  ['EnclaveBridgeCall', { publish_hash: { hash: hex(HASH), extra_topics: [hex(SHARD)], data: '0x6869' } }, hex('04', HASH, '04', SHARD, '08', '6869')],
  ['EnclaveBridgeEvent', { IndirectInvocationRegistered: hex(SHARD) }, hex('00', SHARD)],
  ['EnclaveBridgeEvent', { ShieldFunds: { shard: hex(SHARD), encrypted_beneficiary: '0xc0ffee', amount: 6 } }, hex('01', SHARD, '0c', 'c0ffee', u128(6))],
  ['EnclaveBridgeEvent', { UnshieldedFunds: { shard: hex(SHARD), beneficiary: hex(BOB), amount: 1 } }, hex('02', SHARD, BOB, u128(1))],
  ['EnclaveBridgeEvent', { ProcessedParentchainBlock: { shard: hex(SHARD), block_hash: hex(HASH), trusted_calls_merkle_root: hex(repeat('99', 32)), block_number: 9 } }, hex('03', SHARD, HASH, repeat('99', 32), u32(9))],
  ['EnclaveBridgeEvent', { PublishedHash: { enclave_fingerprint: hex(repeat('77', 32)), hash: hex(HASH), data: '0x6869' } }, hex('04', repeat('77', 32), HASH, '08', '6869')],
  ['EnclaveBridgeCall', { update_shard_config: { shard: hex(SHARD), shard_config: { enclave_fingerprint: hex(HASH), max_instances: null, authorities: [hex(ALICE)], maintenance_mode: true }, enactment_delay: 5 } }, hex('05', SHARD, HASH, '00', '01', '04', ALICE, '01', u32(5))],
  ['EnclaveBridgeCall', { purge_enclave_from_shard_status: { shard: hex(SHARD), subject: hex(ALICE) } }, hex('06', SHARD, ALICE)],
  ['EnclaveBridgeEvent', { ShardConfigUpdated: hex(SHARD) }, hex('05', SHARD)],
  ['EnclaveBridgeEvent', { PurgedEnclaveFromShardConfig: { shard: hex(SHARD), subject: hex(ALICE) } }, hex('06', SHARD, ALICE)],
  ['UpgradableShardConfig', { active_config: { enclave_fingerprint: hex(HASH), max_instances: null, authorities: null, maintenance_mode: false }, pending_upgrade: null, upgrade_at: 7 }, hex(HASH, '00', '00', '00', '00', '01', u32(7))],
  ['ShardSignerStatus', { signer: hex(ALICE), fingerprint: hex(HASH), last_activity: 12 }, hex(ALICE, HASH, u32(12))],
  ['ShardConfig', { enclave_fingerprint: hex(HASH), max_instances: 3, authorities: null, maintenance_mode: false }, hex(HASH, '01', u32(3), '00', '00')],
  ['SgxReportData', { d: hex(repeat('66', 64)) }, hex(repeat('66', 64))],
  ['SgxBuildMode', 'Debug', '0x00'],
  ['SgxBuildMode', 'Production', '0x01'],
  ['SgxStatus', 'Invalid', '0x00'],
  ['SgxStatus', 'Ok', '0x01'],
  ['SgxStatus', 'GroupOutOfDate', '0x02'],
  ['SgxStatus', 'GroupRevoked', '0x03'],
  ['SgxStatus', 'ConfigurationNeeded', '0x04'],
  ['SgxAttestationMethod', { Skip: { proxied: false } }, '0x0000'],
  ['SgxAttestationMethod', 'Ias', '0x01'],
  ['SgxAttestationMethod', { Dcap: { proxied: true } }, '0x0201'],
  ['SgxAttestationMethod', 'Simulated', '0x03'],
  [
    'SgxEnclave',
    {
      report_data: { d: hex(repeat('66', 64)) },
      mr_enclave: hex(repeat('77', 32)),
      mr_signer: hex(repeat('88', 32)),
      timestamp: 1_700_000_000_000n,
      url: '0x' + URL,
      build_mode: 'Production',
      attestation_method: { Dcap: { proxied: true } },
      status: 'Ok',
    },
    SGX_ENCLAVE,
  ],
  ['MultiEnclave', { Sgx: bytes(SGX_ENCLAVE) }, hex('00', SGX_ENCLAVE)],
  ['RegisterSgxEnclaveArgs', { proof: hex(repeat('77', 32)), worker_url: '0x' + URL, attestation_method: { Skip: { proxied: false } } }, hex('80', repeat('77', 32), '01', '50', URL, '00', '00')],
  ['AddedSgxEnclaveEvent', { registered_by: hex(ALICE), worker_url: null, tcb_status: 'Ok', attestation_method: 'Simulated' }, hex(ALICE, '00', '01', '01', '03')],
];

describe('sealbridgeTypes registry', () => {
  it('encodes and strictly decodes every vector of the G2a layout', () => {
    for (const [type, value, expected] of VECTORS) {
      const encoded = sealbridgeRegistry.createType(type, value).toU8a();
      assert.equal(toHex(encoded), expected, `${type} ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      const decoded = decodeExact(sealbridgeRegistry, type, bytes(expected));
      assert.equal(toHex(decoded.toU8a()), expected, `${type} round trip`);
    }
  });

  it('gives typed access to decoded variants', () => {
    const tcs = decodeExact(sealbridgeRegistry, 'TrustedCallSigned', bytes(TCS));
    assert.ok(tcs.call.isBalanceTransfer);
    const [from, to, amount] = tcs.call.asBalanceTransfer;
    assert.equal(toHex(from.toU8a()), hex(ALICE));
    assert.equal(toHex(to.toU8a()), hex(BOB));
    assert.equal(amount.toBigInt(), 2_000_000_000_000n);
    assert.equal(tcs.nonce.toNumber(), 7);
    assert.ok(tcs.signature.isSr25519);

    const event = decodeExact(sealbridgeRegistry, 'EnclaveBridgeEvent', bytes(hex('03', SHARD, HASH, repeat('99', 32), u32(9))));
    assert.equal(event.asProcessedParentchainBlock.block_number.toNumber(), 9);
    assert.equal(event.asProcessedParentchainBlock.trusted_calls_merkle_root.toHex(), hex(repeat('99', 32)));

    const enclave = decodeExact(sealbridgeRegistry, 'MultiEnclave', bytes(hex('00', SGX_ENCLAVE)));
    assert.ok(enclave.asSgx.attestation_method.isDcap);
    assert.ok(enclave.asSgx.attestation_method.asDcap.proxied.isTrue);
    assert.equal(Buffer.from(enclave.asSgx.url.unwrap().toU8a(true)).toString(), 'wss://127.0.0.1:2000');
  });

  it('forms pallet calls as [pallet index, call index] ‖ args (Appendix A, EnclaveBridge = 54)', () => {
    const call = (value: unknown) => toHex(Uint8Array.of(54, ...sealbridgeRegistry.createType('EnclaveBridgeCall', value).toU8a()));
    const request = { shard: hex(SHARD), cyphertext: '0xdead' };
    assert.equal(call({ invoke: { request } }), hex('3600', SHARD, '08', 'dead'));
    assert.equal(call({ shield_funds: { shard: hex(SHARD), incognito_account_encrypted: '0xc0ffee', amount: 6 } }), hex('3602', SHARD, '0c', 'c0ffee', u128(6)));
    const confirm = { shard: hex(SHARD), block_hash: hex(HASH), block_number: 9, trusted_calls_merkle_root: hex(repeat('99', 32)) };
    assert.equal(call({ confirm_processed_parentchain_block: confirm }), hex('3601', SHARD, HASH, u32(9), repeat('99', 32)));
  });

  it('puts a direct_call(balance_transfer) TOP at 151 bytes, one RSA block (§3.3)', () => {
    assert.equal(bytes(hex('01', TCS)).length, 151);
  });

  it('reserves 150–199 for Sealbridge variants and keeps Integritee indices free', () => {
    assert.equal(SEALBRIDGE_VARIANT_INDEX_FIRST, 150);
    const integriteeIndices = [...Array(13).keys(), 20, 30, 42, 43, 44, 45, 46, 50, 90, 91, 92, 93, 255];
    for (const type of ['TrustedCall', 'TrustedGetter']) {
      const def = sealbridgeTypes[type] as { _enum: Record<string, string> };
      Object.keys(def._enum).forEach((name, index) => {
        if (name.startsWith('__Unused')) return;
        if (index >= 150) assert.ok(index <= 199 && !integriteeIndices.includes(index), `${type}.${name} at ${index}`);
        else assert.ok(index <= 5, `${type}.${name} at ${index} is an Integritee G2a index`);
      });
    }
  });

  it('creates independent registries', () => {
    const a = createSealbridgeRegistry();
    assert.notEqual(a, sealbridgeRegistry);
    assert.equal(a.createType('TrustedCall', { noop: hex(ALICE) }).toHex(), hex('00', ALICE));
  });
});
