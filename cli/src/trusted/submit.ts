import type { KeyringPair } from '@polkadot/keyring/types';
import type { TrustedCall } from '@sealbridge/chain-types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { createSealbridgeType, decodeExact, sealbridgeRegistry, shieldEncrypt, signTrustedCall, topHash } from '@sealbridge/chain-types';
import { createKeyring } from '../accounts.js';
import type { ProcessedBlock } from '../confirmation.js';
import { shardLastActivity, waitForProcessedBlock } from '../confirmation.js';
import type { Context } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { signAndWait } from '../parentchain.js';
import { describeStall, StallWatch } from '../worker-sync.js';
import type { TrustedArgs, TrustedTarget } from './target.js';

const FAILED_STATUSES = new Set(['Invalid', 'Usurped', 'Dropped']);

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
}

/** L2 nonce = getter nonce + calls of the account still pending in the pool (integritee-cli `get_layer_two_nonce!`). */
export async function nextTrustedNonce(target: TrustedTarget, signer: KeyringPair): Promise<number> {
  const [nonce, pending] = await Promise.all([
    target.worker.getNonce(target.shard, signer),
    target.worker.pendingTrustedCallsFor(target.shard, signer.publicKey),
  ]);
  return nonce + pending.length;
}

/** Signs `call` with `signer` and sends it indirectly (default) or directly (--direct); see README "trusted". */
export async function sendTrustedCall(
  ctx: Context,
  args: TrustedArgs,
  target: TrustedTarget,
  call: TrustedCall,
  signer: KeyringPair,
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
  return mode === 'direct' ? sendDirect(ctx, target, top, sent) : sendIndirect(ctx, args, target, top, sent);
}

type Sent = Pick<TrustedCallOutcome, 'topHash' | 'callHash' | 'nonce'>;

async function sendDirect(ctx: Context, target: TrustedTarget, top: Uint8Array, sent: Sent): Promise<TrustedCallOutcome> {
  const hash = sent.topHash;
  const statuses: string[] = [];
  const updates = target.worker.watch(target.shard, top);
  // The relayed call lands in a block the worker has yet to import: a stalled import would never report it.
  const stalls = new StallWatch(target.worker, undefined);
  try {
    for (;;) {
      const next = await Promise.race([updates.next(), stalls.failed]);
      if (next.done) break;
      statuses.push(next.value.status);
      ctx.out.line(`Trusted call ${hash} is ${next.value.status}`);
      if (next.value.final) break;
    }
  } finally {
    stalls.stop();
    void updates.return(undefined);
  }
  const last = statuses.at(-1);
  if (!last || FAILED_STATUSES.has(last)) {
    throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `trusted call ${hash} ended as ${last ?? 'no status (connection closed)'}`);
  }
  return { ...sent, mode: 'direct', statuses };
}

async function sendIndirect(
  ctx: Context,
  args: TrustedArgs,
  target: TrustedTarget,
  top: Uint8Array,
  sent: Sent,
): Promise<TrustedCallOutcome> {
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
    const { blockHash, blockNumber, extrinsicHash } = invocation;
    return { ...sent, mode: 'indirect', invocation: { blockHash, blockNumber, extrinsicHash }, confirmation };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(CliErrorCode.TRUSTED_CALL_FAILED, `trusted call ${hash}: ${messageOf(error)}`, { cause: error });
  } finally {
    spinner.stop();
  }
}

/** Human lines describing an outcome (shared by all trusted call commands). */
export function describeOutcome(outcome: TrustedCallOutcome): string[] {
  if (outcome.mode === 'direct') return [`trusted call ${outcome.topHash} ${outcome.statuses?.at(-1)}`];
  const c = outcome.confirmation;
  return [
    `trusted call ${outcome.topHash} invoked in block #${outcome.invocation?.blockNumber} ${outcome.invocation?.blockHash}`,
    c ? `confirmed by ProcessedParentchainBlock #${c.blockNumber} (merkle root ${c.merkleRoot}) in block #${c.confirmedIn}` : 'not confirmed',
  ];
}

export function createTrustedCall(value: Record<string, unknown>): TrustedCall {
  return createSealbridgeType(sealbridgeRegistry, 'TrustedCall', value);
}
