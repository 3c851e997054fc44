import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { TrustedCall, TrustedOperationOutcome } from '@sealbridge/chain-types';
import { u8aEq, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { createSealbridgeType, decodeExact, sealbridgeRegistry, shieldEncrypt, signTrustedCall, topHash } from '@sealbridge/chain-types';
import { createKeyring } from '../accounts.js';
import { formatAmount } from '../amount.js';
import { toBytes } from '../bytes.js';
import type { ProcessedBlock } from '../confirmation.js';
import { eventField, shardLastActivity, waitForProcessedBlock } from '../confirmation.js';
import type { Context } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { signAndWait } from '../parentchain.js';
import { describeStall, stalledError, StallWatch } from '../worker-sync.js';
import type { TrustedArgs, TrustedTarget } from './target.js';

const FAILED_STATUSES = new Set(['Invalid', 'Usurped', 'Dropped']);
const OUTCOME_POLL_MS = 500;

/** How the STF failed a call (`TrustedOperationError`: an `StfErrorCode` and a message). */
export interface StfFailure {
  readonly code: string;
  readonly message: string;
}

export interface TrustedCallOptions {
  /** The error message when the STF failed the call, if the command has a better one than `<code>: <message> (…)`. */
  readonly failureMessage?: (failure: StfFailure) => string | undefined;
}

export interface TrustedCallOutcome {
  readonly topHash: string;
  /** blake2-256 of SCALE(TrustedCallSigned): the STF's call hash (key of a smart_worker_call result). */
  readonly callHash: string;
  readonly nonce: number;
  readonly mode: 'indirect' | 'direct';
  /** Indirect: the block holding `EnclaveBridge.invoke` and the worker's confirmation of it. */
  readonly invocation?: { readonly blockHash: string; readonly blockNumber: number; readonly extrinsicHash: string };
  readonly confirmation?: ProcessedBlock;
  /** Direct: every status reported by the worker, last one terminal. */
  readonly statuses?: string[];
  /** Parentchain block whose execution the STF recorded the call's (successful) outcome in. */
  readonly executedIn: number;
  /**
   * What the call cost, in the smallest unit: the STF fee (to the enclave account) and the parentchain fee of
   * EnclaveBridge.invoke paid by --xt-signer — 0 for direct calls, whose relay the worker pays.
   */
  readonly fees: { readonly stf: bigint; readonly parentchain: bigint };
}

/** L2 nonce = getter nonce + calls of the account still pending in the pool (integritee-cli `get_layer_two_nonce!`). */
export async function nextTrustedNonce(target: TrustedTarget, signer: KeyringPair): Promise<number> {
  const [nonce, pending] = await Promise.all([
    target.worker.getNonce(target.shard, signer),
    target.worker.pendingTrustedCallsFor(target.shard, signer.publicKey),
  ]);
  return nonce + pending.length;
}

/**
 * Signs `call` with `signer`, sends it indirectly (default) or directly (--direct), then reads what the STF made of
 * it (`operation_outcome`): a failed call is a `TRUSTED_CALL_FAILED` error with the STF's code; see README "trusted".
 */
export async function sendTrustedCall(
  ctx: Context,
  args: TrustedArgs,
  target: TrustedTarget,
  call: TrustedCall,
  signer: KeyringPair,
  options: TrustedCallOptions = {},
): Promise<TrustedCallOutcome> {
  const nonce = await nextTrustedNonce(target, signer);
  const signedBytes = signTrustedCall(signer, call, nonce, target.mrenclave, target.shard);
  const signed = decodeExact(sealbridgeRegistry, 'TrustedCallSigned', signedBytes);
  const callHash = blake2AsHex(signedBytes, 256);
  const mode = args.direct ? 'direct' : 'indirect';
  const top = createSealbridgeType(sealbridgeRegistry, 'TrustedOperation', { [mode === 'direct' ? 'direct_call' : 'indirect_call']: signed }).toU8a();
  const hash = u8aToHex(topHash(top));
  ctx.out.debug(`trusted operation ${hash}: ${call.type} nonce ${nonce} shard ${target.shardBase58}`);
  const sent = { topHash: hash, callHash, nonce };
  const delivered = await (mode === 'direct' ? sendDirect(ctx, target, signer, top, sent) : sendIndirect(ctx, args, target, signer, top, sent));
  const { outcome, parentchainFee, ...rest } = delivered;
  const stf = outcome.fee.toBigInt();
  if (outcome.result.isErr) {
    const failure = { code: outcome.result.asErr.code.toString(), message: outcome.result.asErr.message.toString() };
    const paid = stf > 0n ? `, STF fee ${formatAmount(stf)} paid` : '';
    throw new CliError(
      CliErrorCode.TRUSTED_CALL_FAILED,
      options.failureMessage?.(failure) ?? `${failure.code}: ${failure.message} (trusted call ${hash} in block #${outcome.block_number.toNumber()}${paid})`,
    );
  }
  return { ...rest, executedIn: outcome.block_number.toNumber(), fees: { stf, parentchain: parentchainFee } };
}

type Sent = Pick<TrustedCallOutcome, 'topHash' | 'callHash' | 'nonce'>;
type Delivered = Omit<TrustedCallOutcome, 'executedIn' | 'fees'> & { outcome: TrustedOperationOutcome; parentchainFee: bigint };

async function sendDirect(ctx: Context, target: TrustedTarget, signer: KeyringPair, top: Uint8Array, sent: Sent): Promise<Delivered> {
  const hash = sent.topHash;
  const statuses: string[] = [];
  const updates = target.worker.watch(target.shard, top);
  // The relayed call lands in a block the worker has yet to import: a stalled import would never report it.
  const stalls = new StallWatch(target.worker, undefined);
  // After its first answer the watch waits as long as the chain takes: --timeout bounds it, as for indirect calls.
  const timeoutMs = ctx.options.timeout * 1000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(stalls.stall
        ? stalledError(stalls.stall, undefined)
        : new CliError(CliErrorCode.TIMEOUT, `trusted call ${hash} has not reached a final status after ${timeoutMs / 1000} s (last: ${statuses.at(-1) ?? 'no status'})`));
    }, timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([updates.next(), stalls.failed, deadline]);
      if (next.done) break;
      statuses.push(next.value.status);
      ctx.out.line(`Trusted call ${hash} is ${next.value.status}`);
      if (next.value.final) break;
    }
  } finally {
    clearTimeout(timer);
    stalls.stop();
    void updates.return(undefined);
  }
  const last = statuses.at(-1);
  // The worker reports after committing the block: a call it executed has its outcome recorded by now.
  const outcome = last ? await target.worker.operationOutcome(target.shard, signer, hash) : null;
  if (!outcome) {
    throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `trusted call ${hash} ended as ${last ?? 'no status (connection closed)'}${
      last && !FAILED_STATUSES.has(last) ? ' but the worker recorded no outcome for it' : ''}`);
  }
  return { ...sent, mode: 'direct', statuses, outcome, parentchainFee: 0n };
}

async function sendIndirect(
  ctx: Context,
  args: TrustedArgs,
  target: TrustedTarget,
  signer: KeyringPair,
  top: Uint8Array,
  sent: Sent,
): Promise<Delivered> {
  const hash = sent.topHash;
  const [api, key] = await Promise.all([ctx.parentchain(), target.worker.getShieldingKey()]);
  const cyphertext = shieldEncrypt(key, top);
  const xtSigner = createKeyring().addFromUri(args.xtSigner);
  const timeoutMs = ctx.options.timeout * 1000;
  // Bytes arguments take hex (raw content); a Uint8Array would be read as already length-prefixed SCALE.
  const tx = api.tx.enclaveBridge.invoke({ shard: target.shard, cyphertext: u8aToHex(cyphertext) });
  const invocation = await signAndWait(api, tx, xtSigner, 'InBlock', timeoutMs);
  const waiting = `waiting for the worker to confirm block #${invocation.blockNumber}`;
  const spinner = ctx.out.spinner(waiting);
  try {
    const active = await shardLastActivity(api, target.shard).catch(() => undefined);
    if (active !== undefined) spinner.update(`${waiting} (last shard activity at #${active})`);
    const confirmation = await waitForProcessedBlock(api, {
      shard: target.shard,
      blockHash: invocation.blockHash,
      blockNumber: invocation.blockNumber,
      timeoutMs,
      worker: target.worker,
      onProgress: (latest) => spinner.update(`${waiting} (last confirmed #${latest.blockNumber})`),
      onStall: (stall) => spinner.update(`${waiting}: ${describeStall(stall)}`),
    });
    spinner.update(`reading the outcome of trusted call ${hash}`);
    const outcome = await readOutcome(target, signer, hash, invocation.blockNumber, timeoutMs);
    const { blockHash, blockNumber, extrinsicHash } = invocation;
    const parentchainFee = feePaidBy(api, invocation.events, xtSigner.publicKey);
    return { ...sent, mode: 'indirect', invocation: { blockHash, blockNumber, extrinsicHash }, confirmation, outcome, parentchainFee };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `trusted call ${hash}: ${messageOf(error)}`, { cause: error });
  } finally {
    spinner.stop();
  }
}

/**
 * The outcome the STF recorded for the call. The shard's confirmation may come from another of its workers: until
 * this one has imported the block, it may not know the call yet. Once it has, no outcome means the call never
 * reached the STF (undecryptable, badly signed, another shard).
 */
async function readOutcome(target: TrustedTarget, signer: KeyringPair, hash: string, block: number, timeoutMs: number): Promise<TrustedOperationOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await target.worker.operationOutcome(target.shard, signer, hash);
    if (outcome) return outcome;
    const { imported } = await target.worker.syncStatus();
    if (imported >= block) {
      throw new CliError(
        CliErrorCode.TRUSTED_CALL_FAILED,
        `block #${block} was executed without trusted call ${hash}: the worker dropped it before the STF (not decryptable or not validly signed; see its log)`,
      );
    }
    if (Date.now() >= deadline) throw new CliError(CliErrorCode.TIMEOUT, `the worker has not executed block #${block} after ${timeoutMs / 1000} s (imported up to #${imported})`);
    await new Promise((resolve) => setTimeout(resolve, OUTCOME_POLL_MS));
  }
}

/**
 * The parentchain fee `payer` paid for an extrinsic, from its events: `TransactionPayment.TransactionFeePaid`
 * (actual fee, tip included), else the fee's `Balances.Withdraw` (chains without that event, as the dev chain).
 */
function feePaidBy(api: ApiPromise, events: readonly EventRecord[], payer: Uint8Array): bigint {
  const amount = (section: string, method: string, field: string): bigint | undefined => {
    const record = events.find(({ event }) => api.events[section]?.[method]?.is(event) && u8aEq(toBytes(eventField(event, 'who')), payer));
    return record && BigInt(String(eventField(record.event, field)));
  };
  return amount('transactionPayment', 'TransactionFeePaid', 'actual_fee') ?? amount('balances', 'Withdraw', 'amount') ?? 0n;
}

/** Human lines describing an outcome (shared by all trusted call commands). */
export function describeOutcome(outcome: TrustedCallOutcome): string[] {
  const { stf, parentchain } = outcome.fees;
  const fees = outcome.mode === 'direct'
    ? `fees: STF ${formatAmount(stf)}; no parentchain fee (the worker pays the relay of direct calls)`
    : `fees: STF ${formatAmount(stf)}, parentchain ${formatAmount(parentchain)} (EnclaveBridge.invoke, paid by the --xt-signer)`;
  const executed = `executed in block #${outcome.executedIn}: ok`;
  if (outcome.mode === 'direct') return [`trusted call ${outcome.topHash} ${outcome.statuses?.at(-1)}`, executed, fees];
  const c = outcome.confirmation;
  return [
    `trusted call ${outcome.topHash} invoked in block #${outcome.invocation?.blockNumber} ${outcome.invocation?.blockHash}`,
    c ? `confirmed by ProcessedParentchainBlock #${c.blockNumber} (merkle root ${c.merkleRoot}) in block #${c.confirmedIn}` : 'not confirmed',
    executed,
    fees,
  ];
}

export function createTrustedCall(value: Record<string, unknown>): TrustedCall {
  return createSealbridgeType(sealbridgeRegistry, 'TrustedCall', value);
}
