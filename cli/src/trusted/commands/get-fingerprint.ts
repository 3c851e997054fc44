import { base58Encode } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { toBytes } from '../../bytes.js';
import { defineCommand } from '../../context.js';

export const trustedGetFingerprintCommand = defineCommand({
  command: 'get-fingerprint',
  describe: "the worker's MRENCLAVE (author_getFingerprint), base58 — unverified; see verify-worker",
  async run(ctx) {
    const mrenclave = toBytes(await (await ctx.worker()).getFingerprint());
    return { human: [base58Encode(mrenclave)], json: { mrenclave: base58Encode(mrenclave), mrenclaveHex: u8aToHex(mrenclave) } };
  },
});
