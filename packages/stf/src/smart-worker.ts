// Contract between the STF and whatever runs Smart Workers. The STF only sees bytes in and bytes out, so the
// outcome must be a pure function of the invocation for two workers to agree on the state root.
import { ScaleReader, ScaleWriter } from '@sealbridge/chain-types';

import { StfError } from './errors.js';

/** Deterministic block context handed to every call. */
export interface BlockContext {
  blockNumber: number;
  blockHash: Uint8Array;
  /** Parentchain time in ms (Timestamp.set of the block), when known. */
  timestamp?: bigint;
}

export interface SmartWorkerInvocation {
  /** H256 id of the Smart Worker. */
  worker: Uint8Array;
  input: Uint8Array;
  /** 32-byte account that signed the smart_worker_call. */
  sender: Uint8Array;
  /** blake2-256 of the encoded TrustedCallSigned; the key under which the result is stored. */
  callHash: Uint8Array;
  shard: Uint8Array;
  ctx: Readonly<BlockContext>;
}

export type SmartWorkerOutcome =
  | { ok: true; output: Uint8Array }
  | { ok: false; error: { code: string; message: string } };

/**
 * Runs Smart Workers for the executor. `invoke` may reject (treated like `{ok:false}`); it owns its own timeout
 * (the executor has no clock) and should reject with a code such as `SmartWorkerTimeout`.
 */
export interface SmartWorkerDispatcher {
  invoke(invocation: SmartWorkerInvocation): Promise<SmartWorkerOutcome | Uint8Array>;
}

/** Stored result: SCALE enum { Ok(Vec<u8>) = 0, Err { code: Text, message: Text } = 1 }. */
export function encodeSmartWorkerResult(outcome: SmartWorkerOutcome): Uint8Array {
  const w = new ScaleWriter();
  if (outcome.ok) w.byte(0).bytesWithLength(outcome.output);
  else w.byte(1).str(outcome.error.code).str(outcome.error.message);
  return w.finish();
}

export function decodeSmartWorkerResult(bytes: Uint8Array): SmartWorkerOutcome {
  try {
    const r = new ScaleReader(bytes, 'SmartWorkerResult');
    const tag = r.byte('variant index');
    let out: SmartWorkerOutcome;
    if (tag === 0) out = { ok: true, output: r.bytesWithLength('output').slice() };
    else if (tag === 1) out = { ok: false, error: { code: r.str('code'), message: r.str('message') } };
    else return r.fail('SCALE_UNKNOWN_VARIANT', `no variant with index ${tag}`, 0);
    r.end();
    return out;
  } catch (cause) {
    throw new StfError('MalformedState', `smart worker result does not decode: ${(cause as Error).message}`, { cause });
  }
}
