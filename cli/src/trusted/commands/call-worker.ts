import { isHex, stringToU8a, u8aToHex } from '@polkadot/util';
import { toSs58 } from '../../accounts.js';
import { toBytes } from '../../bytes.js';
import { defineCommand } from '../../context.js';
import { CliError, CliErrorCode } from '../../errors.js';
import { resolveTrustedSigner } from '../accounts.js';
import { createTrustedCall, describeOutcome, sendTrustedCall } from '../submit.js';
import type { TrustedArgs } from '../target.js';
import { resolveTarget } from '../target.js';

export const trustedCallWorkerCommand = defineCommand<TrustedArgs & { workerId: string; input: string; from: string }>({
  command: 'call-worker <worker-id> <input>',
  describe: 'invoke a Smart Worker inside the enclave (TrustedCall smart_worker_call)',
  builder: (y) =>
    y
      .positional('worker-id', { type: 'string', describe: 'Smart Worker id (32 bytes, 0x-hex or base58)', demandOption: true })
      .positional('input', { type: 'string', describe: 'input bytes: 0x-hex, else the UTF-8 of the text (e.g. JSON)', demandOption: true })
      .option('from', { type: 'string', default: '//Alice', describe: 'incognito caller' }),
  async run(ctx, args) {
    const workerId = toBytes(args.workerId);
    if (workerId.length !== 32) throw new CliError(CliErrorCode.BAD_INPUT, `worker id must be 32 bytes, got ${workerId.length}`);
    const input = isHex(args.input) ? toBytes(args.input) : stringToU8a(args.input);
    const target = await resolveTarget(ctx, args);
    const from = await resolveTrustedSigner(ctx, target, args.from);
    const outcome = await sendTrustedCall(ctx, args, target, createTrustedCall({ smart_worker_call: [from.publicKey, workerId, input] }), from);
    return {
      human: [`smart worker ${u8aToHex(workerId)} called by ${toSs58(from.publicKey)}`, ...describeOutcome(outcome)],
      quiet: [outcome.topHash],
      json: { from: toSs58(from.publicKey), workerId: u8aToHex(workerId), input: u8aToHex(input), shard: target.shardBase58, ...outcome },
    };
  },
});
