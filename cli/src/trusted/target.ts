import type { WorkerClient } from '@sealbridge/client';
import { u8aEq } from '@polkadot/util';
import { base58Encode } from '@polkadot/util-crypto';
import { parseShard, shardToBase58 } from '@sealbridge/chain-types';
import type { Context } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import type { Keystore } from '../keystore.js';

/** Options of `sealbridge trusted …` (integritee-cli `trusted [--mrenclave] [--shard] [--xt-signer] [--direct]`). */
export interface TrustedArgs {
  readonly mrenclave?: string;
  readonly shard?: string;
  readonly xtSigner: string;
  readonly direct: boolean;
}

export interface TrustedTarget {
  readonly worker: WorkerClient;
  readonly mrenclave: Uint8Array;
  readonly shard: Uint8Array;
  readonly shardBase58: string;
  /** Incognito accounts of this shard (<--trusted-keystore>/<shard b58>). */
  readonly keystore: Keystore;
}

function parseShardArg(text: string, flag: string): Uint8Array {
  try {
    return parseShard(text);
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `${flag}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * MRENCLAVE = --mrenclave, else the worker's `author_getFingerprint`; shard = --shard, else MRENCLAVE
 * (integritee-cli `read_shard`).
 */
export async function resolveTarget(ctx: Context, args: TrustedArgs): Promise<TrustedTarget> {
  const worker = await ctx.worker();
  const fingerprint = await worker.getFingerprint();
  const mrenclave = args.mrenclave ? parseShardArg(args.mrenclave, '--mrenclave') : fingerprint;
  // Calls are signed over the MRENCLAVE; a wrong one would be dropped silently by the worker, so fail here.
  if (!u8aEq(mrenclave, fingerprint)) {
    throw new CliError(
      CliErrorCode.MRENCLAVE_MISMATCH,
      `the worker at ${ctx.options.workerUrl} runs MRENCLAVE ${base58Encode(fingerprint)}, not ${base58Encode(mrenclave)}`,
    );
  }
  const shard = args.shard ? parseShardArg(args.shard, '--shard') : mrenclave;
  const shardBase58 = shardToBase58(shard);
  return { worker, mrenclave, shard, shardBase58, keystore: ctx.trustedKeystore(shardBase58) };
}

/** Keystore-only commands (new-account, list-accounts) need the shard but not a worker when --shard/--mrenclave is given. */
export async function resolveShardOnly(ctx: Context, args: TrustedArgs): Promise<{ shardBase58: string; keystore: Keystore }> {
  const given = args.shard ?? args.mrenclave;
  if (given) {
    const shardBase58 = shardToBase58(parseShardArg(given, args.shard ? '--shard' : '--mrenclave'));
    return { shardBase58, keystore: ctx.trustedKeystore(shardBase58) };
  }
  const { shardBase58, keystore } = await resolveTarget(ctx, args);
  return { shardBase58, keystore };
}
