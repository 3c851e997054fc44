import { AttestationError, verifyQuote } from '@sealbridge/chain-types';
import { u8aEq } from '@polkadot/util';

import type { DispatchContext, PalletDefinition } from '../runtime/pallet.js';
import type { EnumValue } from '@sealbridge/chain-types';

export const SGX_RA_PROOF_MAX_LEN = 5000;
export const MAX_URL_LEN = 256;
/** 48 h, as on Integritee chains. */
export const MAX_ATTESTATION_RENEWAL_PERIOD_MS = 172_800_000n;

export interface SgxEnclave {
  report_data: { d: Uint8Array };
  mr_enclave: Uint8Array;
  mr_signer: Uint8Array;
  timestamp: bigint;
  url: Uint8Array | null;
  build_mode: EnumValue;
  attestation_method: EnumValue;
  status: EnumValue;
}

/** `Teerex::get_sovereign_enclave`: the enclave registered for `account`, else `Teerex.EnclaveIsNotRegistered`. */
export function getSovereignEnclave(ctx: Pick<DispatchContext, 'storage' | 'fail'>, account: Uint8Array): SgxEnclave {
  const enclave = ctx.storage.get('Teerex', 'SovereignEnclaves', [account]) as EnumValue | undefined;
  if (!enclave) ctx.fail('Teerex', 'EnclaveIsNotRegistered');
  return enclave.value as SgxEnclave;
}

function reportDataFor(account: Uint8Array): Uint8Array {
  const d = new Uint8Array(64);
  d.set(account);
  return d;
}

function skipAttestation(ctx: DispatchContext, sender: Uint8Array, proof: Uint8Array, method: EnumValue): SgxEnclave {
  if (!ctx.storage.get('Teerex', 'AllowSkippingAttestation')) ctx.fail('Teerex', 'SkippingAttestationIsNotAllowed');
  return {
    report_data: { d: reportDataFor(sender) },
    // `<MrEnclave>::decode(proof).unwrap_or_default()`: the first 32 bytes when there are that many.
    mr_enclave: proof.length >= 32 ? proof.slice(0, 32) : new Uint8Array(32),
    mr_signer: new Uint8Array(32),
    timestamp: ctx.now,
    url: null,
    build_mode: { name: 'Production' },
    attestation_method: method,
    status: { name: 'Invalid' },
  };
}

/** Sealbridge extension: `proof` is a simulated quote signed by the (dev) attestation service. */
function simulatedAttestation(ctx: DispatchContext, sender: Uint8Array, proof: Uint8Array): SgxEnclave {
  let quote;
  try {
    quote = verifyQuote(proof, { servicePublicKey: ctx.params.attestationServicePublicKey, maxAgeMs: ctx.params.maxQuoteAgeMs, now: Number(ctx.now) });
  } catch (e) {
    if (e instanceof AttestationError && e.code === 'QUOTE_STALE') ctx.fail('Teerex', 'RemoteAttestationIsTooOld');
    if (e instanceof AttestationError) ctx.fail('Teerex', 'RemoteAttestationVerificationFailed');
    throw e;
  }
  if (!u8aEq(quote.reportData.subarray(0, 32), sender)) ctx.fail('Teerex', 'SenderIsNotAttestedEnclave');
  return {
    report_data: { d: quote.reportData },
    mr_enclave: quote.mrenclave,
    mr_signer: quote.mrsigner,
    timestamp: quote.timestamp,
    url: null,
    build_mode: { name: quote.buildMode },
    attestation_method: { name: 'Simulated' },
    status: { name: 'Ok' },
  };
}

export const TEEREX_PALLET: PalletDefinition = {
  name: 'Teerex',
  index: 50,
  crate: 'pallet_teerex',
  types: {
    SgxAttestationMethod: {
      path: 'teerex_primitives::SgxAttestationMethod',
      // Simulated (3) is the Sealbridge extension; 0..2 as in integritee pallets.
      variants: [['Skip', { proxied: 'bool' }], 'Ias', ['Dcap', { proxied: 'bool' }], 'Simulated'],
    },
    SgxStatus: { path: 'teerex_primitives::SgxStatus', variants: ['Invalid', 'Ok', 'GroupOutOfDate', 'GroupRevoked', 'ConfigurationNeeded'] },
    SgxBuildMode: { path: 'teerex_primitives::SgxBuildMode', variants: ['Debug', 'Production'] },
    SgxReportData: { path: 'teerex_primitives::SgxReportData', fields: { d: '[u8; 64]' } },
    SgxEnclave: {
      path: 'teerex_primitives::SgxEnclave',
      params: { Url: 'Vec<u8>' },
      fields: {
        report_data: 'SgxReportData',
        mr_enclave: '[u8; 32]',
        mr_signer: '[u8; 32]',
        timestamp: 'u64',
        url: 'Option<Vec<u8>>',
        build_mode: 'SgxBuildMode',
        attestation_method: 'SgxAttestationMethod',
        status: 'SgxStatus',
      },
    },
    MultiEnclave: { path: 'teerex_primitives::MultiEnclave', params: { Url: 'Vec<u8>' }, variants: [['Sgx', ['SgxEnclave']]] },
  },
  calls: [
    {
      name: 'register_sgx_enclave',
      index: 0,
      args: [
        ['proof', 'Vec<u8>'],
        ['worker_url', 'Option<Vec<u8>>'],
        ['attestation_method', 'SgxAttestationMethod'],
      ],
      origin: 'signed',
      weight: 500_000_000n,
      handler: (ctx, args) => {
        const sender = ctx.ensureSigned();
        const proof = args.proof as Uint8Array;
        const url = args.worker_url as Uint8Array | null;
        const method = args.attestation_method as EnumValue;
        if (proof.length > SGX_RA_PROOF_MAX_LEN) ctx.fail('Teerex', 'RaProofIsTooLong');
        if (url && url.length > MAX_URL_LEN) ctx.fail('Teerex', 'EnclaveUrlIsTooLong');
        let enclave: SgxEnclave;
        if (method.name === 'Skip') {
          if ((method.value as { proxied: boolean }).proxied) ctx.fail('Teerex', 'RemoteAttestationVerificationFailed'); // proxied enclaves: not supported here
          enclave = skipAttestation(ctx, sender, proof, method);
        } else if (method.name === 'Simulated') {
          enclave = simulatedAttestation(ctx, sender, proof);
        } else {
          enclave = ctx.fail('Teerex', 'RemoteAttestationVerificationFailed'); // IAS/DCAP collateral does not exist on a dev chain
        }
        if (enclave.build_mode.name === 'Debug' && !ctx.storage.get('Teerex', 'SgxAllowDebugMode')) ctx.fail('Teerex', 'SgxModeIsNotAllowed');
        enclave.url = url;
        ctx.storage.set('Teerex', 'SovereignEnclaves', [sender], { name: 'Sgx', value: enclave });
        ctx.deposit('Teerex', 'AddedSgxEnclave', { registered_by: sender, worker_url: url, tcb_status: enclave.status, attestation_method: enclave.attestation_method });
      },
    },
    {
      name: 'unregister_sovereign_enclave',
      index: 1,
      args: [['enclave_signer', 'AccountId']],
      origin: 'signed',
      weight: 200_000_000n,
      handler: (ctx, { enclave_signer }) => {
        const signer = enclave_signer as Uint8Array;
        const enclave = getSovereignEnclave(ctx, signer);
        if (enclave.timestamp >= ctx.now - MAX_ATTESTATION_RENEWAL_PERIOD_MS) ctx.fail('Teerex', 'UnregisterActiveEnclaveIsNotAllowed');
        ctx.storage.remove('Teerex', 'SovereignEnclaves', [signer]);
        ctx.deposit('Teerex', 'RemovedSovereignEnclave', signer);
      },
    },
    {
      name: 'set_security_flags',
      index: 5,
      args: [
        ['allow_skipping_attestation', 'bool'],
        ['sgx_allow_debug_mode', 'bool'],
      ],
      origin: 'root',
      weight: 50_000_000n,
      handler: (ctx, { allow_skipping_attestation, sgx_allow_debug_mode }) => {
        ctx.storage.set('Teerex', 'AllowSkippingAttestation', [], allow_skipping_attestation);
        ctx.storage.set('Teerex', 'SgxAllowDebugMode', [], sgx_allow_debug_mode);
        ctx.deposit('Teerex', 'UpdatedSecurityFlags', { allow_skipping_attestation, sgx_allow_debug_mode });
      },
    },
  ],
  events: [
    {
      name: 'AddedSgxEnclave',
      index: 0,
      fields: { registered_by: 'AccountId', worker_url: 'Option<Vec<u8>>', tcb_status: 'Option<SgxStatus>', attestation_method: 'SgxAttestationMethod' },
    },
    { name: 'RemovedSovereignEnclave', index: 1, fields: ['AccountId'] },
    { name: 'UpdatedSecurityFlags', index: 5, fields: { allow_skipping_attestation: 'bool', sgx_allow_debug_mode: 'bool' } },
  ],
  errors: [
    'EnclaveSignerDecodeError',
    'SenderIsNotAttestedEnclave',
    'RemoteAttestationVerificationFailed',
    'RemoteAttestationIsTooOld',
    'SgxModeIsNotAllowed',
    'EnclaveIsNotRegistered',
    'EnclaveUrlIsTooLong',
    'RaProofIsTooLong',
    'EmptyEnclaveRegistry',
    'CollateralIsInvalid',
    'UnregisterActiveEnclaveIsNotAllowed',
    'SkippingAttestationIsNotAllowed',
    'MissingTcbInfoForFmspc',
    'TcbInfoIsOutdated',
  ],
  storage: [
    { name: 'SovereignEnclaves', type: { hashers: ['Blake2_128Concat'], key: 'AccountId', value: 'MultiEnclave' }, modifier: 'Optional' },
    { name: 'SgxAllowDebugMode', type: 'bool', modifier: 'Default' },
    { name: 'AllowSkippingAttestation', type: 'bool', modifier: 'Default' },
  ],
  constants: [
    { name: 'MomentsPerDay', type: 'Moment', value: 86_400_000n },
    { name: 'MaxAttestationRenewalPeriod', type: 'Moment', value: MAX_ATTESTATION_RENEWAL_PERIOD_MS },
  ],
  genesis: ({ storage }) => {
    // Integritee's dev chain spec: `teerex: { allowSgxDebugMode: true, allowSkippingAttestation: true }`.
    storage.set('Teerex', 'AllowSkippingAttestation', [], true);
    storage.set('Teerex', 'SgxAllowDebugMode', [], true);
  },
};
