import type { EventRecord } from '@polkadot/types/interfaces/system';
import type { GenericExtrinsic } from '@polkadot/types';

import { u8aToHex } from '@polkadot/util';

import { sealbridgeRegistry } from '@sealbridge/chain-types';

import type { ParentchainBlock } from './parentchain.js';

/** A parentchain call the worker must act on, found in a successful extrinsic of a finalized block. */
export type IndirectCall =
  | { kind: 'invoke'; extrinsicIndex: number; shard: Uint8Array; cyphertext: Uint8Array; leafPreimage: Uint8Array }
  | { kind: 'shield'; extrinsicIndex: number; shard: Uint8Array; accountEncrypted: Uint8Array; amount: bigint; leafPreimage: Uint8Array }
  | { kind: 'timestamp'; extrinsicIndex: number; now: bigint; leafPreimage: Uint8Array };

/** SCALE(IndirectCall). `Vec<u8>` fields must be given as hex: polkadot-js reads a Uint8Array as length-prefixed. */
function encodeIndirectCall(value: Record<string, unknown>): Uint8Array {
  return sealbridgeRegistry.createType('IndirectCall', value).toU8a();
}

/** Per-extrinsic outcome from `System.ExtrinsicSuccess/ExtrinsicFailed`, keyed by extrinsic index. */
export function extrinsicOutcomes(events: EventRecord[]): Map<number, boolean> {
  const outcomes = new Map<number, boolean>();
  for (const { phase, event } of events) {
    if (!phase.isApplyExtrinsic || event.section !== 'system') continue;
    if (event.method === 'ExtrinsicSuccess') outcomes.set(phase.asApplyExtrinsic.toNumber(), true);
    else if (event.method === 'ExtrinsicFailed') outcomes.set(phase.asApplyExtrinsic.toNumber(), false);
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
  block.extrinsics.forEach((extrinsic: GenericExtrinsic, extrinsicIndex) => {
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

function toIndirectCall(extrinsic: GenericExtrinsic, extrinsicIndex: number): IndirectCall | undefined {
  const { section, method, args } = extrinsic.method;
  if (section === 'enclaveBridge' && method === 'invoke') {
    const request = args[0] as unknown as { shard: { toU8a(): Uint8Array }; cyphertext: { toU8a(bare: boolean): Uint8Array } };
    const shard = request.shard.toU8a();
    const cyphertext = request.cyphertext.toU8a(true);
    return { kind: 'invoke', extrinsicIndex, shard, cyphertext, leafPreimage: encodeIndirectCall({ Invoke: { request: { shard, cyphertext: u8aToHex(cyphertext) } } }) };
  }
  if (section === 'enclaveBridge' && method === 'shieldFunds') {
    const shard = args[0].toU8a();
    const accountEncrypted = (args[1] as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true);
    const amount = BigInt(args[2].toString());
    return {
      kind: 'shield', extrinsicIndex, shard, accountEncrypted, amount,
      leafPreimage: encodeIndirectCall({ ShieldFunds: { shard, account_encrypted: u8aToHex(accountEncrypted), amount } }),
    };
  }
  if (section === 'timestamp' && method === 'set') {
    const now = BigInt(args[0].toString());
    return { kind: 'timestamp', extrinsicIndex, now, leafPreimage: encodeIndirectCall({ TimestampSet: { now } }) };
  }
  return undefined;
}
