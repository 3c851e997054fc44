import { u8aEq } from '@polkadot/util';
import { base58Encode } from '@polkadot/util-crypto';
import { toBytes } from '../bytes.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { listWorkers } from './list-workers.js';

export const verifyWorkerCommand = defineCommand({
  command: 'verify-worker',
  describe: "verify the worker's RA-TLS certificate and quote against the MRENCLAVE registered on chain for its account",
  async run(ctx) {
    const [api, worker] = await Promise.all([ctx.parentchain(), ctx.worker()]);
    const attestation = await worker.getAttestation();
    const account = toBytes(attestation.signer);
    const registered = (await listWorkers(api)).find((w) => u8aEq(toBytes(w.accountHex), account));
    if (!registered) {
      throw new CliError(CliErrorCode.ATTESTATION_FAILED, `the worker's enclave account ${base58Encode(account)} is not registered on chain (Teerex.SovereignEnclaves)`);
    }
    let verified;
    try {
      verified = await worker.verifyWorker({ expectedMrenclave: toBytes(registered.mrenclave) });
    } catch (error) {
      const mismatch = /mrenclave/i.test(messageOf(error));
      throw new CliError(mismatch ? CliErrorCode.MRENCLAVE_MISMATCH : CliErrorCode.ATTESTATION_FAILED, `worker verification failed: ${messageOf(error)}`, { cause: error });
    }
    return {
      human: [`✔ worker ${ctx.options.workerUrl} verified`, `   account:   ${registered.account}`, `   MRENCLAVE: ${registered.mrenclave}`],
      json: { verified: true, workerUrl: ctx.options.workerUrl, account: registered.account, mrenclave: registered.mrenclave, details: verified },
    };
  },
});
