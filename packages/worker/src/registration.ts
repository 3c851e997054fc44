import { Keyring } from '@polkadot/keyring';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { u8aToHex } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';

import type { Logger } from './log.js';
import type { ParentchainClient } from './parentchain.js';

/** Dev chains only: below this the enclave account is topped up from //Alice so it can pay for confirmations. */
const DEV_FUNDING_THRESHOLD = 10n ** 12n;
const DEV_FUNDING_AMOUNT = 1_000n * 10n ** 12n;

export interface InclusionResult {
  blockHash: string;
}

/** Submits a signed extrinsic and resolves once it is in a finalized block and succeeded; rejects with the reason otherwise. */
export function submitAndWaitFinalized(client: ParentchainClient, tx: SubmittableExtrinsic<'promise'>, what: string): Promise<InclusionResult> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    tx.send((result) => {
      if (result.isError) {
        unsubscribe?.();
        reject(new Error(`${what}: transaction ${result.status.type}`));
        return;
      }
      if (!result.status.isFinalized) return;
      unsubscribe?.();
      if (result.dispatchError) {
        let reason = result.dispatchError.toString();
        if (result.dispatchError.isModule) {
          const meta = client.api.registry.findMetaError(result.dispatchError.asModule);
          reason = `${meta.section}.${meta.name}`;
        }
        reject(new Error(`${what} failed on chain: ${reason}`));
      } else {
        resolve({ blockHash: result.status.asFinalized.toHex() });
      }
    }).then((unsub) => {
      unsubscribe = unsub;
    }, reject);
  });
}

/**
 * On a development chain, funds the enclave account from //Alice when it cannot pay fees, as Integritee's
 * service does in dev setups. Production chains are never touched: there the operator funds the account.
 */
export async function fundEnclaveAccountOnDevChain(client: ParentchainClient, account: Uint8Array, log: Logger): Promise<void> {
  const chainType = await client.api.rpc.system.chainType();
  if (!chainType.isDevelopment && !chainType.isLocal) return;
  const { data } = (await client.api.query.system.account(account)) as unknown as { data: { free: { toBigInt(): bigint } } };
  if (data.free.toBigInt() >= DEV_FUNDING_THRESHOLD) return;
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  log.info('funding the enclave account from //Alice (development chain)', { account: encodeAddress(account, client.api.registry.chainSS58) });
  const tx = client.api.tx.balances.transferKeepAlive(u8aToHex(account), DEV_FUNDING_AMOUNT);
  await tx.signAsync(alice, { nonce: -1 });
  await submitAndWaitFinalized(client, tx, 'funding the enclave account');
}

export type AttestationChoice = { method: 'Simulated'; proof: Uint8Array } | { method: 'Skip'; proof: Uint8Array };

/**
 * Picks the attestation method for `Teerex.register_sgx_enclave`: the Sealbridge `Simulated` quote where the
 * chain's metadata knows that variant (the dev chain), otherwise `Skip` (chains with AllowSkippingAttestation).
 */
export function chooseAttestation(client: ParentchainClient, quote: () => Uint8Array, mrenclave: Uint8Array): AttestationChoice {
  const { registry } = client.api;
  const { def } = registry.lookup.getSiType(client.api.tx.teerex.registerSgxEnclave.meta.fields[2].type);
  const names = def.isVariant ? def.asVariant.variants.map((v) => v.name.toString()) : [];
  return names.includes('Simulated') ? { method: 'Simulated', proof: quote() } : { method: 'Skip', proof: mrenclave };
}
