// Contract between the STF and whatever runs Smart Workers. The STF only sees bytes in and bytes out, so the
// outcome must be a pure function of the invocation for two workers to agree on the state root.
import { compactAddLength, compactFromU8aLim, u8aConcat } from '@polkadot/util';
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
  const enc = new TextEncoder();
  return outcome.ok
    ? u8aConcat([0], compactAddLength(outcome.output))
    : u8aConcat([1], compactAddLength(enc.encode(outcome.error.code)), compactAddLength(enc.encode(outcome.error.message)));
}

export function decodeSmartWorkerResult(bytes: Uint8Array): SmartWorkerOutcome {
  let at = 1;
  const take = (): Uint8Array => {
    const [off, len] = compactFromU8aLim(bytes.subarray(at));
    const start = at + off;
    if (start + len > bytes.length) throw new StfError('MalformedState', 'smart worker result is truncated');
    at = start + len;
    return bytes.subarray(start, at);
  };
  const dec = new TextDecoder('utf-8', { fatal: true });
  let out: SmartWorkerOutcome;
  if (bytes[0] === 0) out = { ok: true, output: take().slice() };
  else if (bytes[0] === 1) out = { ok: false, error: { code: dec.decode(take()), message: dec.decode(take()) } };
  else throw new StfError('MalformedState', `unknown smart worker result tag ${bytes[0]}`);
  if (at !== bytes.length) throw new StfError('MalformedState', 'trailing bytes after smart worker result');
  return out;
}
