import { u8aEq } from '@polkadot/util';
import { decodeQuote } from '@sealbridge/chain-types';
import { toSs58 } from '../accounts.js';
import { toBytes } from '../bytes.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { listWorkers } from './list-workers.js';

export const verifyWorkerCommand = defineCommand({
  command: 'verify-worker',
  describe: "verify the worker's RA-TLS certificate and quote against the MRENCLAVE registered on chain for its account",
  async run(ctx) {
    const [api, worker] = await Promise.all([ctx.parentchain(), ctx.worker()]);
    // The quote's report data starts with the enclave's signing key = its account on the parentchain (docs/integritee-protocol.md §6.1).
    let account: Uint8Array;
    try {
      account = decodeQuote((await worker.getAttestation()).quote).reportData.slice(0, 32);
    } catch (error) {
      throw new CliError(CliErrorCode.ATTESTATION_FAILED, `the worker's attestation is malformed: ${messageOf(error)}`, { cause: error });
    }
    const registered = (await listWorkers(api)).find((w) => u8aEq(toBytes(w.accountHex), account));
    if (!registered) {
      throw new CliError(CliErrorCode.ATTESTATION_FAILED, `the worker's enclave account ${toSs58(account)} is not registered on chain (Teerex.SovereignEnclaves)`);
    }
    let verified;
    try {
      verified = await worker.verifyWorker({ expectedMrenclave: toBytes(registered.mrenclave) });
    } catch (error) {
      const mismatch = /mrenclave/i.test(`${(error as { code?: string }).code} ${messageOf(error)}`);
      throw new CliError(
        mismatch ? CliErrorCode.MRENCLAVE_MISMATCH : CliErrorCode.ATTESTATION_FAILED,
        `worker ${ctx.options.workerUrl} failed verification against MRENCLAVE ${registered.mrenclave} registered for ${registered.account}: ${messageOf(error)}`,
        { cause: error },
      );
    }
    if (!u8aEq(verified.signer, account)) {
      throw new CliError(CliErrorCode.ATTESTATION_FAILED, `the TLS certificate is bound to signer ${toSs58(verified.signer)}, not ${registered.account}`);
    }
    return {
      human: [`✔ worker ${ctx.options.workerUrl} verified`, `   account:   ${registered.account}`, `   MRENCLAVE: ${registered.mrenclave}`],
      json: { verified: true, workerUrl: ctx.options.workerUrl, account: registered.account, mrenclave: registered.mrenclave },
    };
  },
});
