import type { KeyringPair } from '@polkadot/keyring/types';
import type { Result, Bytes, Text } from '@polkadot/types';
import type { ITuple } from '@polkadot/types/types';
import { isHex, isUtf8, stringToU8a, u8aToHex, u8aToString } from '@polkadot/util';
import { decodeExact, sealbridgeRegistry } from '@sealbridge/chain-types';
import { toSs58 } from '../../accounts.js';
import { toBytes } from '../../bytes.js';
import { defineCommand } from '../../context.js';
import { CliError, CliErrorCode } from '../../errors.js';
import { smartWorkerIdentity } from '../../runner-client.js';
import { resolveTrustedSigner } from '../accounts.js';
import { createTrustedCall, describeOutcome, sendTrustedCall } from '../submit.js';
import type { TrustedCallOutcome } from '../submit.js';
import type { TrustedArgs, TrustedTarget } from '../target.js';
import { resolveTarget } from '../target.js';

/** The STF stores `Ok(Vec<u8>) | Err { code: Text, message: Text }`; a struct encodes as the tuple of its fields. */
const RESULT_TYPE = 'Result<Bytes, (Text, Text)>';

/**
 * Reads the output with the `smart_worker_result(sender, callHash)` trusted getter. `sendTrustedCall` returns once
 * the STF recorded the call as successful, so the worker holds an `Ok` result by then.
 */
async function readOutput(target: TrustedTarget, from: KeyringPair, outcome: TrustedCallOutcome): Promise<Uint8Array> {
  const stored = await target.worker.trustedGetter({ shard: target.shard, getter: { smart_worker_result: [from.publicKey, outcome.callHash] }, signer: from });
  const result = stored && decodeExact<Result<Bytes, ITuple<[Text, Text]>>>(sealbridgeRegistry, RESULT_TYPE, stored);
  if (!result?.isOk) throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `the worker holds no output for call ${outcome.callHash}`);
  return result.asOk.toU8a(true);
}

export const trustedCallWorkerCommand = defineCommand<TrustedArgs & { workerId: string; input: string; from: string }>({
  command: 'call-worker <worker-id> <input>',
  describe: 'invoke a Smart Worker inside the enclave (TrustedCall smart_worker_call) and print its output',
  builder: (y) =>
    y
      .positional('worker-id', {
        type: 'string',
        describe: 'the Smart Worker\'s identity (32 bytes, 0x-hex or base58) or its id, both printed by `sealbridge worker deploy`',
        demandOption: true,
      })
      .positional('input', { type: 'string', describe: 'input bytes: 0x-hex, else the UTF-8 of the text (e.g. JSON)', demandOption: true })
      .option('from', { type: 'string', default: '//Alice', describe: 'incognito caller' }),
  async run(ctx, args) {
    const workerId = await smartWorkerIdentity(ctx, args.workerId);
    const input = isHex(args.input) ? toBytes(args.input) : stringToU8a(args.input);
    const target = await resolveTarget(ctx, args);
    const from = await resolveTrustedSigner(ctx, target, args.from);
    const outcome = await sendTrustedCall(ctx, args, target, createTrustedCall({ smart_worker_call: [from.publicKey, workerId, input] }), from, {
      // The STF's message of a SmartWorkerFailed is the worker's own `<code>: <message>`.
      failureMessage: (failure) => (failure.code === 'SmartWorkerFailed' ? `smart worker ${u8aToHex(workerId)} failed: ${failure.message}` : undefined),
    });
    const output = await readOutput(target, from, outcome);
    const text = isUtf8(output) ? u8aToString(output) : undefined;
    return {
      human: [`smart worker ${u8aToHex(workerId)} called by ${toSs58(from.publicKey)}`, ...describeOutcome(outcome), `output: ${text ?? u8aToHex(output)}`],
      quiet: [text ?? u8aToHex(output)],
      json: {
        from: toSs58(from.publicKey),
        workerId: u8aToHex(workerId),
        input: u8aToHex(input),
        shard: target.shardBase58,
        ...outcome,
        output: u8aToHex(output),
        ...(text === undefined ? {} : { outputText: text }),
      },
    };
  },
});
