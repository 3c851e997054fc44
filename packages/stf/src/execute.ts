// The trusted state transition: applies decoded trusted operations in block order, as Integritee worker
// v0.14.0 `TrustedCallSigned::execute` does. Pure: no I/O, no clock, no randomness (Smart Workers aside,
// which must be deterministic themselves).
import type { Codec } from '@polkadot/types/types';
import type { Bytes, Call, SignedCall } from './codec.js';
import type { StfErrorCode } from './errors.js';
import type { BlockContext, SmartWorkerDispatcher, SmartWorkerInvocation, SmartWorkerOutcome } from './smart-worker.js';
import type { ShardState, StateTransaction } from './state.js';

import { u8aEq } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { cryptoReady, encodeUint, topHash as computeTopHash } from '@sealbridge/chain-types';

import { decodeOperation, verifyCall } from './codec.js';
import { ACCOUNT_ID_BYTES, HASH_BYTES, MAX_U128, MAX_U32, SHIELD_PUBLISH_DATA, STF_TX_FEE, STF_UNSHIELD_FEE } from './constants.js';
import { StfError } from './errors.js';
import { OutcomeRecorder } from './outcomes.js';
import { encodeSmartWorkerResult } from './smart-worker.js';
import { smartWorkerResultKey, timestampKey } from './state.js';

export interface ExecutionEnv {
  /** MRENCLAVE of this enclave; part of every signed payload. */
  mrenclave: Bytes;
  /** Shard being executed; part of every signed payload. */
  shard: Bytes;
  /** The enclave's ed25519 account: receives fees, signs balance_shield / timestamp_set. */
  enclaveAccount: Bytes;
  /** STF sudo key (`root` of balance_set_balance); dev: //Alice sr25519 public key. Absent = no root. */
  sudoAccount?: Bytes;
  /** Runs smart_worker_call; its outcome must depend on the invocation only, or workers diverge. */
  smartWorkers?: SmartWorkerDispatcher;
}

export interface OperationError {
  code: StfErrorCode;
  message: string;
}

export interface OperationResult {
  /** blake2-256 of SCALE(TrustedOperation) (of the raw bytes when they do not decode). */
  topHash: Bytes;
  ok: boolean;
  /** True when the sender's nonce was consumed (the call was dispatched, successfully or not). */
  executed: boolean;
  /** Signer account and nonce of the call, once it decoded (the pool's `provides` tag). */
  sender?: Bytes;
  nonce?: number;
  error?: OperationError;
  /** STF fee the sender paid: STF_TX_FEE / STF_UNSHIELD_FEE, 0 for calls without one or when it could not be paid. */
  fee: bigint;
}

export type ParentchainCall =
  | { kind: 'unshield_funds'; shard: Bytes; beneficiary: Bytes; amount: bigint; callHash: Bytes }
  | { kind: 'publish_hash'; hash: Bytes; extraTopics: Bytes[]; data: Bytes };

export interface ExecutionOutcome {
  /** The next state; `state.changes` lists exactly what this batch changed. */
  state: ShardState;
  results: OperationResult[];
  /** Calls the enclave account must send to the parentchain, in execution order. */
  parentchainCalls: ParentchainCall[];
}

/**
 * blake2-256 of SCALE(TrustedCallSigned): the `call_hash` of unshield_funds / publish_hash and the key of a
 * smart_worker_call result. Deviation from v0.14.0 (which hashes SCALE(call) only): including nonce and
 * signature gives two identical unshields distinct hashes, so EnclaveBridge.ExecutedUnshieldCalls pays both.
 */
export function trustedCallHash(signedCallBytes: Bytes): Bytes {
  return blake2AsU8a(signedCallBytes, 256);
}

/**
 * SCALE(TrustedOperation) whose call signature the enclave has already checked: on its decryption threads
 * (`callSignatureValid`), or because the enclave signed the call itself. Executed exactly like its bytes, minus
 * a second signature check — the signature covers only the operation's own bytes, never the state.
 */
export interface PreverifiedOperation {
  top: Bytes;
  signatureVerified: true;
}

/** Anything `Codec`-like from @sealbridge/chain-types (`toU8a()`), its raw SCALE bytes, or a preverified operation. */
export type OperationInput = Bytes | Pick<Codec, 'toU8a'> | PreverifiedOperation;

const isPreverified = (input: OperationInput): input is PreverifiedOperation =>
  !(input instanceof Uint8Array) && (input as PreverifiedOperation).signatureVerified === true && (input as PreverifiedOperation).top instanceof Uint8Array;

/**
 * Executes `ops` in order on top of `state`. Never throws for a bad operation: each one gets a result, and the
 * outcome of each operation with a valid signature is recorded in the state for its sender (see outcomes.ts).
 * Rejects only for a malformed `env`/`ctx` (a programming error of the caller).
 */
export async function executeTrustedOperations(
  state: ShardState,
  ops: readonly OperationInput[],
  ctx: BlockContext,
  env: ExecutionEnv,
): Promise<ExecutionOutcome> {
  checkEnv(env, ctx);
  await cryptoReady();
  const tx = state.transaction();
  const outcomes = new OutcomeRecorder(tx, ctx.blockNumber, env.enclaveAccount);
  const results: OperationResult[] = [];
  const parentchainCalls: ParentchainCall[] = [];
  for (const op of ops) {
    results.push(await executeOne(tx, op, ctx, env, parentchainCalls, outcomes));
  }
  outcomes.finish();
  return { state: tx.commit(), results, parentchainCalls };
}

function checkEnv(env: ExecutionEnv, ctx: BlockContext): void {
  const exact = (v: unknown, n: number, what: string) => {
    if (!(v instanceof Uint8Array) || v.length !== n) throw new StfError('InvalidEnvironment', `${what} must be ${n} bytes`);
  };
  exact(env.mrenclave, HASH_BYTES, 'env.mrenclave');
  exact(env.shard, HASH_BYTES, 'env.shard');
  exact(env.enclaveAccount, ACCOUNT_ID_BYTES, 'env.enclaveAccount');
  if (env.sudoAccount !== undefined) exact(env.sudoAccount, ACCOUNT_ID_BYTES, 'env.sudoAccount');
  exact(ctx.blockHash, HASH_BYTES, 'ctx.blockHash');
  if (!Number.isInteger(ctx.blockNumber) || ctx.blockNumber < 0 || ctx.blockNumber > MAX_U32) {
    throw new StfError('InvalidEnvironment', 'ctx.blockNumber must be a u32 (a parentchain BlockNumber)');
  }
}

const fail = (topHash: Bytes, executed: boolean, e: unknown): OperationResult => {
  const err = e instanceof StfError ? e : new StfError('InternalError', `unexpected: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  return { topHash, ok: false, executed, error: { code: err.code, message: err.message }, fee: 0n };
};

async function executeOne(
  tx: StateTransaction,
  input: OperationInput,
  ctx: BlockContext,
  env: ExecutionEnv,
  parentchainCalls: ParentchainCall[],
  outcomes: OutcomeRecorder,
): Promise<OperationResult> {
  let bytes: Bytes;
  const preverified = isPreverified(input);
  try {
    bytes = input instanceof Uint8Array ? input : preverified ? input.top : (input as Pick<Codec, 'toU8a'>).toU8a();
  } catch (e) {
    return fail(new Uint8Array(HASH_BYTES), false, new StfError('MalformedOperation', `operation does not encode: ${String(e)}`));
  }
  const topHash = computeTopHash(bytes);
  let signed: SignedCall | undefined;
  try {
    signed = decodeCall(bytes);
    authenticate(signed, env, preverified);
  } catch (e) {
    return { ...fail(topHash, false, e), ...(signed && identify(signed)) };
  }
  // The sender is proven from here on: whatever happens is recorded for it to read.
  const result = await apply(tx, topHash, signed, ctx, env, parentchainCalls);
  outcomes.record(result);
  return result;
}

async function apply(
  tx: StateTransaction,
  topHash: Bytes,
  signed: SignedCall,
  ctx: BlockContext,
  env: ExecutionEnv,
  parentchainCalls: ParentchainCall[],
): Promise<OperationResult> {
  try {
    admit(tx, signed);
  } catch (e) {
    return { ...fail(topHash, false, e), ...identify(signed) };
  }
  const emitted: ParentchainCall[] = [];
  const paid = { fee: 0n };
  try {
    await dispatch(tx, signed, ctx, env, emitted, paid);
  } catch (e) {
    return { ...fail(topHash, true, e), ...identify(signed), fee: paid.fee };
  }
  parentchainCalls.push(...emitted);
  return { topHash, ok: true, executed: true, ...identify(signed), fee: paid.fee };
}

const identify = (signed: SignedCall) => ({ sender: senderOf(signed.call).slice(), nonce: signed.nonce });

function decodeCall(bytes: Bytes): SignedCall {
  const op = decodeOperation(bytes);
  if (op.kind === 'get') throw new StfError('UnsupportedOperation', 'getters are not executed as calls');
  return op.signed;
}

function authenticate(signed: SignedCall, env: ExecutionEnv, signatureVerified: boolean): void {
  if (!signatureVerified && !verifyCall(signed, env.mrenclave, env.shard)) {
    throw new StfError('BadSignature', 'signature does not match call, nonce, mrenclave and shard');
  }
}

/**
 * Nonce check. Its only write is the nonce increment: Integritee bumps the nonce before dispatch and never rolls
 * it back (the call entered the pool, so it counts).
 */
function admit(tx: StateTransaction, signed: SignedCall): void {
  const sender = senderOf(signed.call);
  const account = tx.account(sender);
  if (signed.nonce !== account.nonce) throw new StfError('InvalidNonce', `nonce ${signed.nonce}, expected ${account.nonce}`);
  tx.putAccount(sender, { ...account, nonce: account.nonce + 1 });
}

/** The account that must sign `call`: its first AccountId, as `sender_account()` in Integritee. */
export function senderOf(call: Call): Bytes {
  switch (call.kind) {
    case 'noop':
      return call.who;
    case 'balance_set_balance':
      return call.root;
    case 'balance_transfer':
    case 'balance_unshield':
      return call.from;
    case 'balance_shield':
    case 'timestamp_set':
      return call.enclave;
    case 'smart_worker_call':
      return call.sender;
  }
}

/** Moves `amount` of free balance; checks before writing, so a failed transfer leaves no trace. */
function transfer(tx: StateTransaction, from: Bytes, to: Bytes, amount: bigint): void {
  const src = tx.account(from);
  if (src.free < amount) throw new StfError('MissingFunds', `free balance ${src.free} below ${amount}`);
  if (u8aEq(from, to)) return;
  const dst = tx.account(to);
  if (dst.free + amount > MAX_U128) throw new StfError('Overflow', 'recipient balance would overflow u128');
  tx.putAccount(from, { ...src, free: src.free - amount });
  tx.putAccount(to, { ...dst, free: dst.free + amount });
}

function mint(tx: StateTransaction, who: Bytes, amount: bigint): void {
  const a = tx.account(who);
  if (a.free + amount > MAX_U128) throw new StfError('Overflow', 'balance would overflow u128');
  tx.putAccount(who, { ...a, free: a.free + amount });
}

function burn(tx: StateTransaction, who: Bytes, amount: bigint): void {
  const a = tx.account(who);
  if (a.free < amount) throw new StfError('MissingFunds', `free balance ${a.free} below ${amount}`);
  tx.putAccount(who, { ...a, free: a.free - amount });
}

/** Fee first, as in v0.14.0: paid to the enclave account before dispatch, it persists when the call then fails. */
function payFee(tx: StateTransaction, from: Bytes, fee: bigint, env: ExecutionEnv, paid: { fee: bigint }): void {
  transfer(tx, from, env.enclaveAccount, fee);
  paid.fee = fee;
}

function ensureEnclave(who: Bytes, env: ExecutionEnv): void {
  if (!u8aEq(who, env.enclaveAccount)) throw new StfError('RequireEnclaveSignerAccount', 'only the enclave account may send this call');
}

async function dispatch(
  tx: StateTransaction,
  signed: SignedCall,
  ctx: BlockContext,
  env: ExecutionEnv,
  emitted: ParentchainCall[],
  paid: { fee: bigint },
): Promise<void> {
  const call = signed.call;
  const callHash = trustedCallHash(signed.encoded);
  switch (call.kind) {
    case 'noop':
      return;
    case 'balance_set_balance': {
      if (!env.sudoAccount || !u8aEq(call.root, env.sudoAccount)) {
        throw new StfError('MissingPrivileges', 'balance_set_balance requires the sudo account');
      }
      const a = tx.account(call.who);
      tx.putAccount(call.who, { ...a, free: call.free, reserved: call.reserved });
      return;
    }
    case 'balance_transfer':
      payFee(tx, call.from, STF_TX_FEE, env, paid);
      transfer(tx, call.from, call.to, call.amount);
      return;
    case 'balance_unshield':
      if (!u8aEq(call.shard, env.shard)) throw new StfError('ShardMismatch', 'balance_unshield names another shard');
      payFee(tx, call.from, STF_UNSHIELD_FEE, env, paid);
      burn(tx, call.from, call.amount);
      emitted.push({ kind: 'unshield_funds', shard: call.shard, beneficiary: call.beneficiary, amount: call.amount, callHash });
      return;
    case 'balance_shield':
      ensureEnclave(call.enclave, env);
      mint(tx, call.who, call.amount);
      emitted.push({ kind: 'publish_hash', hash: callHash, extraTopics: [], data: SHIELD_PUBLISH_DATA.slice() });
      return;
    case 'timestamp_set':
      ensureEnclave(call.enclave, env);
      tx.put(timestampKey(), encodeUint(call.now, 8));
      return;
    case 'smart_worker_call': {
      // Copies: whatever the dispatcher does with its arguments cannot move the stored result.
      const outcome = await invokeSmartWorker(env.smartWorkers, {
        worker: call.worker.slice(),
        input: call.input.slice(),
        sender: call.sender.slice(),
        callHash: callHash.slice(),
        shard: env.shard.slice(),
        ctx: Object.freeze({ ...ctx, blockHash: ctx.blockHash.slice() }),
      });
      tx.put(smartWorkerResultKey(call.sender, callHash), encodeSmartWorkerResult(outcome));
      if (!outcome.ok) throw new StfError('SmartWorkerFailed', `${outcome.error.code}: ${outcome.error.message}`);
      return;
    }
  }
}

async function invokeSmartWorker(
  dispatcher: SmartWorkerDispatcher | undefined,
  invocation: SmartWorkerInvocation,
): Promise<SmartWorkerOutcome> {
  if (!dispatcher) return { ok: false, error: { code: 'NoSmartWorkerRuntime', message: 'no smart worker dispatcher configured' } };
  try {
    const r = await dispatcher.invoke(invocation);
    if (r instanceof Uint8Array) return { ok: true, output: r };
    if (r?.ok === true && r.output instanceof Uint8Array) return r;
    if (r?.ok === false && typeof r.error?.code === 'string') return { ok: false, error: { code: r.error.code, message: String(r.error.message) } };
    return { ok: false, error: { code: 'InvalidSmartWorkerOutcome', message: 'dispatcher returned neither bytes nor an outcome' } };
  } catch (e) {
    const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'SmartWorkerError';
    return { ok: false, error: { code, message: (e as Error)?.message ?? String(e) } };
  }
}
