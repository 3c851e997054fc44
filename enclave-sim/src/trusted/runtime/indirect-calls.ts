import { u8aConcat, u8aToHex } from '@polkadot/util';

import { ScaleReader, decodeRequest, sealbridgeRegistry } from '@sealbridge/chain-types';

import type { BlockEvent, BlockExtrinsic } from '@sealbridge/chain-types';

import type { ParentchainBlock } from './block.js';

/** A parentchain call the worker must act on, found in a successful extrinsic of a finalized block. */
export type IndirectCall =
  | { kind: 'invoke'; extrinsicIndex: number; shard: Uint8Array; cyphertext: Uint8Array; leafPreimage: Uint8Array }
  | { kind: 'shield'; extrinsicIndex: number; shard: Uint8Array; accountEncrypted: Uint8Array; amount: bigint; leafPreimage: Uint8Array }
  | { kind: 'timestamp'; extrinsicIndex: number; now: bigint; leafPreimage: Uint8Array };

/** Per-extrinsic outcome from `System.ExtrinsicSuccess/ExtrinsicFailed`, keyed by extrinsic index. */
export function extrinsicOutcomes(events: readonly BlockEvent[]): Map<number, boolean> {
  const outcomes = new Map<number, boolean>();
  for (const { applyExtrinsic, event } of events) {
    if (applyExtrinsic === undefined || event.section !== 'system') continue;
    if (event.method === 'ExtrinsicSuccess') outcomes.set(applyExtrinsic, true);
    else if (event.method === 'ExtrinsicFailed') outcomes.set(applyExtrinsic, false);
  }
  return outcomes;
}

/**
 * Picks `EnclaveBridge.invoke`, `EnclaveBridge.shield_funds` and the `Timestamp.set` inherent out of a block, in
 * extrinsic order, skipping failed extrinsics. Calls are recognised by pallet and call name from the chain's
 * metadata (never by hard-coded indices), so this works against any chain that carries these pallets.
 * `leafPreimage` is SCALE(IndirectCall), whose blake2-256 is the call's leaf in `trusted_calls_merkle_root`.
 */
export function findIndirectCalls(block: ParentchainBlock, onMalformed: (extrinsicIndex: number, error: Error) => void): IndirectCall[] {
  const outcomes = extrinsicOutcomes(block.events);
  const calls: IndirectCall[] = [];
  block.extrinsics.forEach((extrinsic, extrinsicIndex) => {
    if (outcomes.get(extrinsicIndex) !== true) return;
    try {
      const call = toIndirectCall(extrinsic, extrinsicIndex);
      if (call) calls.push(call);
    } catch (error) {
      // A call the chain accepted but we cannot read must not stall the import: skip it, loudly.
      onMalformed(extrinsicIndex, error as Error);
    }
  });
  return calls;
}

/** IndirectCall variants whose fields are byte for byte the parentchain call's arguments (see registry.ts). */
const INDIRECT_INVOKE = 1;
const INDIRECT_TIMESTAMP_SET = 2;

function toIndirectCall(extrinsic: BlockExtrinsic, extrinsicIndex: number): IndirectCall | undefined {
  const { section, method, args } = extrinsic;
  if (section === 'enclaveBridge' && method === 'invoke') {
    // Request { shard: H256, cyphertext: Vec<u8> }, decoded exactly: the hot path of a full block.
    const { shard, cyphertext } = decodeRequest(args);
    return { kind: 'invoke', extrinsicIndex, shard, cyphertext, leafPreimage: u8aConcat([INDIRECT_INVOKE], args) };
  }
  if (section === 'enclaveBridge' && method === 'shieldFunds') {
    // shield_funds(shard, incognito_account_encrypted, amount), read by position: names differ between pallet versions.
    const [shard, accountEncrypted, amount] = Object.values(extrinsic.call().args) as [Uint8Array, Uint8Array, bigint];
    return {
      kind: 'shield', extrinsicIndex, shard, accountEncrypted, amount,
      leafPreimage: sealbridgeRegistry.createType('IndirectCall', { ShieldFunds: { shard, account_encrypted: u8aToHex(accountEncrypted), amount } }).toU8a(),
    };
  }
  if (section === 'timestamp' && method === 'set') {
    const reader = new ScaleReader(args, 'Timestamp.set(now: Compact<Moment>)');
    const now = reader.compact('now');
    reader.end();
    return { kind: 'timestamp', extrinsicIndex, now, leafPreimage: u8aConcat([INDIRECT_TIMESTAMP_SET], args) };
  }
  return undefined;
}
