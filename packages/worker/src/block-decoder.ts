import type { Call } from '@polkadot/types/interfaces';
import type { GenericEvent } from '@polkadot/types';
import type { PortableRegistry } from '@polkadot/types/metadata';
import type { Registry } from '@polkadot/types/types';
import { compactFromU8a, stringCamelCase, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

/** Reads past one SCALE value starting at `at`; returns where the next one starts. Throws on truncation. */
type Skip = (bytes: Uint8Array, at: number) => number;

export class BlockDecodeError extends Error {
  override name = 'BlockDecodeError';
}

/** One extrinsic of a block: where its call is, who signed it; the rest is decoded only when asked for. */
export interface BlockExtrinsic {
  /** SCALE(UncheckedExtrinsic) with its length prefix. */
  readonly bytes: Uint8Array;
  /** SCALE of the signer's `Address`, or undefined for an unsigned extrinsic (an inherent). */
  readonly signer: Uint8Array | undefined;
  /** Pallet and call as polkadot-js names them (`enclaveBridge`, `invoke`). */
  readonly section: string;
  readonly method: string;
  /** SCALE of the call's arguments, exactly (checked against the metadata). */
  readonly args: Uint8Array;
  /** The call decoded by polkadot-js: for the rare call whose arguments are read field by field. */
  call(): Call;
  /** blake2-256 of `bytes`, as the chain reports it. */
  hash(): string;
}

/** One `EventRecord` of `System.Events`: its phase and names; the event's fields are decoded when asked for. */
export interface BlockEvent {
  /** Index of the extrinsic that emitted it; undefined in the Initialization and Finalization phases. */
  readonly applyExtrinsic: number | undefined;
  readonly event: { readonly section: string; readonly method: string; readonly data: GenericEvent['data'] };
}

interface CallName {
  section: string;
  method: string;
}

/**
 * Decodes blocks and events the way subxt does: it walks SCALE with the chain's own type registry (metadata
 * V14+) and only builds codec objects for the few values the worker reads. polkadot-js decodes every extrinsic
 * and every event of a block into objects — 0.6 ms per extrinsic of a full block, more than its decryption
 * leaves room for. Only extrinsic format 4 (what Substrate nodes and Integritee send) is accepted.
 */
export class BlockDecoder {
  readonly #registry: Registry;
  readonly #lookup: PortableRegistry;
  readonly #skips = new Map<number, Skip>();
  readonly #calls = new Map<number, CallName>();
  readonly #skipAddress: Skip;
  readonly #skipSignature: Skip;
  readonly #skipExtra: Skip[];
  readonly #skipCall: Skip;
  /** The parts of an event record, resolved once: phase names, skips and (pallet, event) → names. */
  readonly #records: { phaseNames: Map<number, string>; skipPhase: Skip; skipEvent: Skip; skipTopics: Skip; eventNames: Map<number, CallName> };

  constructor(registry: Registry) {
    this.#registry = registry;
    this.#lookup = registry.lookup as PortableRegistry;
    const { extrinsic, pallets } = registry.metadata;
    this.#skipAddress = this.#skipper(extrinsic.addressType.toNumber());
    this.#skipSignature = this.#skipper(extrinsic.signatureType.toNumber());
    this.#skipCall = this.#skipper(extrinsic.callType.toNumber());
    // The extensions polkadot-js signs with, in its order: the same list the ExtrinsicSigner encodes.
    this.#skipExtra = registry.signedExtensions.map((name) => {
      const extension = extrinsic.transactionExtensions.find((e) => e.identifier.toString() === name);
      if (!extension) throw new BlockDecodeError(`signed extension ${name} is not in the metadata`);
      return this.#skipper(extension.type.toNumber());
    });
    const events = pallets.find((p) => p.name.toString() === 'System')?.storage.unwrap().items.find((i) => i.name.toString() === 'Events');
    if (!events?.type.isPlain) throw new BlockDecodeError('the metadata has no System.Events storage');
    const def = this.#lookup.getSiType(events.type.asPlain).def;
    if (!def.isSequence) throw new BlockDecodeError('System.Events is not a sequence of event records');
    const recordType = def.asSequence.type.toNumber();
    const phaseType = this.#field(recordType, 'phase');
    this.#records = {
      phaseNames: variantNames(this.#lookup, phaseType),
      skipPhase: this.#skipper(phaseType),
      skipEvent: this.#skipper(this.#field(recordType, 'event')),
      skipTopics: this.#skipper(this.#field(recordType, 'topics')),
      eventNames: this.#eventNames(recordType),
    };
  }

  extrinsic(bytes: Uint8Array): BlockExtrinsic {
    const [prefix, length] = compactAt(bytes, 0);
    if (prefix + length !== bytes.length) throw new BlockDecodeError('extrinsic length prefix does not match its bytes');
    let at = prefix;
    const version = bytes[at++];
    if (version === undefined || (version & 0x7f) !== 4) throw new BlockDecodeError(`extrinsic format ${version} is not supported (expected 4)`);
    let signer: Uint8Array | undefined;
    if (version & 0x80) {
      const signerAt = at;
      at = this.#skipAddress(bytes, at);
      signer = bytes.subarray(signerAt, at);
      at = this.#skipSignature(bytes, at);
      for (const skip of this.#skipExtra) at = skip(bytes, at);
    }
    const callAt = at;
    if (this.#skipCall(bytes, callAt) !== bytes.length) throw new BlockDecodeError('extrinsic has bytes after its call');
    const { section, method } = this.#callName(bytes[callAt]!, bytes[callAt + 1]!);
    const registry = this.#registry;
    return {
      bytes,
      signer,
      section,
      method,
      args: bytes.subarray(callAt + 2),
      call: () => registry.createType('Call', bytes.subarray(callAt)),
      hash: () => u8aToHex(blake2AsU8a(bytes, 256)),
    };
  }

  /** SCALE(Vec<EventRecord>) as stored under `System.Events`. */
  events(bytes: Uint8Array): BlockEvent[] {
    const [prefix, count] = compactAt(bytes, 0);
    const records: BlockEvent[] = [];
    const { phaseNames, skipPhase, skipEvent, skipTopics, eventNames } = this.#records;
    const registry = this.#registry;
    let at = prefix;
    for (let i = 0; i < count; i++) {
      const phase = phaseNames.get(bytes[at] ?? -1);
      if (phase === undefined) throw new BlockDecodeError(`event record ${i} has an unknown phase`);
      const applyExtrinsic = phase === 'ApplyExtrinsic' ? readU32(bytes, at + 1) : undefined;
      const eventAt = skipPhase(bytes, at);
      const eventEnd = skipEvent(bytes, eventAt);
      at = skipTopics(bytes, eventEnd);
      const names = eventNames.get(((bytes[eventAt] ?? 0) << 8) | (bytes[eventAt + 1] ?? 0));
      if (!names) throw new BlockDecodeError(`event record ${i} is of an unknown event`);
      let data: GenericEvent['data'] | undefined;
      records.push({
        applyExtrinsic,
        event: {
          ...names,
          get data(): GenericEvent['data'] {
            data ??= registry.createType<GenericEvent>('Event', bytes.subarray(eventAt, eventEnd)).data;
            return data;
          },
        },
      });
    }
    if (at !== bytes.length) throw new BlockDecodeError('events have trailing bytes');
    return records;
  }

  #callName(pallet: number, call: number): CallName {
    const key = (pallet << 8) | call;
    let name = this.#calls.get(key);
    if (!name) {
      const meta = this.#registry.findMetaCall(new Uint8Array([pallet, call]));
      name = { section: meta.section, method: meta.method };
      this.#calls.set(key, name);
    }
    return name;
  }

  /** (pallet index, event index) → polkadot-js names, from the RuntimeEvent type. */
  #eventNames(recordType: number): Map<number, CallName> {
    const names = new Map<number, CallName>();
    const runtimeEvent = this.#lookup.getSiType(this.#field(recordType, 'event')).def;
    if (!runtimeEvent.isVariant) throw new BlockDecodeError('RuntimeEvent is not an enum');
    for (const pallet of runtimeEvent.asVariant.variants) {
      const palletEvent = pallet.fields[0];
      if (!palletEvent) continue;
      const section = stringCamelCase(pallet.name.toString());
      for (const [index, method] of variantNames(this.#lookup, palletEvent.type.toNumber())) {
        names.set((pallet.index.toNumber() << 8) | index, { section, method });
      }
    }
    return names;
  }

  #field(typeId: number, name: string): number {
    const def = this.#lookup.getSiType(typeId).def;
    const field = def.isComposite ? def.asComposite.fields.find((f) => f.name.unwrapOr('').toString() === name) : undefined;
    if (!field) throw new BlockDecodeError(`type ${typeId} has no field ${name}`);
    return field.type.toNumber();
  }

  /** A skip function per type id, built once; recursive types resolve through the map at call time. */
  #skipper(typeId: number): Skip {
    const known = this.#skips.get(typeId);
    if (known) return known;
    let skip: Skip | undefined;
    const lazy: Skip = (bytes, at) => skip!(bytes, at);
    this.#skips.set(typeId, lazy);
    skip = this.#buildSkipper(typeId);
    this.#skips.set(typeId, skip);
    return skip;
  }

  #buildSkipper(typeId: number): Skip {
    const def = this.#lookup.getSiType(typeId).def;
    const fixed = this.#fixedSize(typeId);
    if (fixed !== undefined) return (bytes, at) => within(bytes, at + fixed);
    if (def.isComposite) return sequence(def.asComposite.fields.map((f) => this.#skipper(f.type.toNumber())));
    if (def.isTuple) return sequence(def.asTuple.map((t) => this.#skipper(t.toNumber())));
    if (def.isArray) {
      const item = this.#skipper(def.asArray.type.toNumber());
      const len = def.asArray.len.toNumber();
      return (bytes, at) => {
        for (let i = 0; i < len; i++) at = item(bytes, at);
        return at;
      };
    }
    if (def.isSequence) {
      const itemType = def.asSequence.type.toNumber();
      const itemSize = this.#fixedSize(itemType);
      const item = this.#skipper(itemType);
      return (bytes, at) => {
        const [prefix, count] = compactAt(bytes, at);
        at += prefix;
        if (itemSize !== undefined) return within(bytes, at + count * itemSize);
        for (let i = 0; i < count; i++) at = item(bytes, at);
        return at;
      };
    }
    if (def.isVariant) {
      const variants = new Map(def.asVariant.variants.map((v) => [v.index.toNumber(), sequence(v.fields.map((f) => this.#skipper(f.type.toNumber())))]));
      return (bytes, at) => {
        const variant = variants.get(bytes[at] ?? -1);
        if (!variant) throw new BlockDecodeError(`unknown variant ${bytes[at]} of type ${typeId}`);
        return variant(bytes, at + 1);
      };
    }
    if (def.isCompact) return (bytes, at) => within(bytes, at + compactAt(bytes, at)[0]);
    if (def.isPrimitive && def.asPrimitive.isStr) {
      return (bytes, at) => {
        const [prefix, length] = compactAt(bytes, at);
        return within(bytes, at + prefix + length);
      };
    }
    if (def.isBitSequence) {
      const storeBytes = this.#fixedSize(def.asBitSequence.bitStoreType.toNumber()) ?? 1;
      return (bytes, at) => {
        const [prefix, bits] = compactAt(bytes, at);
        return within(bytes, at + prefix + Math.ceil(bits / (8 * storeBytes)) * storeBytes);
      };
    }
    throw new BlockDecodeError(`type ${typeId} (${def.type}) cannot be decoded`);
  }

  /** Encoded size of a type whose every value has the same size; undefined otherwise. */
  #fixedSize(typeId: number, depth = 0): number | undefined {
    if (depth > 32) return undefined;
    const def = this.#lookup.getSiType(typeId).def;
    const sum = (ids: number[]) => {
      let total = 0;
      for (const id of ids) {
        const size = this.#fixedSize(id, depth + 1);
        if (size === undefined) return undefined;
        total += size;
      }
      return total;
    };
    if (def.isPrimitive) return PRIMITIVE_SIZES[def.asPrimitive.type];
    if (def.isComposite) return sum(def.asComposite.fields.map((f) => f.type.toNumber()));
    if (def.isTuple) return sum(def.asTuple.map((t) => t.toNumber()));
    if (def.isArray) {
      const item = this.#fixedSize(def.asArray.type.toNumber(), depth + 1);
      return item === undefined ? undefined : item * def.asArray.len.toNumber();
    }
    return undefined;
  }
}

const PRIMITIVE_SIZES: Record<string, number | undefined> = {
  Bool: 1, Char: 4, U8: 1, I8: 1, U16: 2, I16: 2, U32: 4, I32: 4, U64: 8, I64: 8, U128: 16, I128: 16, U256: 32, I256: 32,
};

function variantNames(lookup: PortableRegistry, typeId: number): Map<number, string> {
  const def = lookup.getSiType(typeId).def;
  if (!def.isVariant) throw new BlockDecodeError(`type ${typeId} is not an enum`);
  return new Map(def.asVariant.variants.map((v) => [v.index.toNumber(), v.name.toString()]));
}

function sequence(skips: Skip[]): Skip {
  return (bytes, at) => {
    for (const skip of skips) at = skip(bytes, at);
    return at;
  };
}

function within(bytes: Uint8Array, end: number): number {
  if (end > bytes.length) throw new BlockDecodeError('value runs past the end of its bytes');
  return end;
}

/** SCALE compact at `at`: (its byte length, its value); values past 2^53 are refused as no length can be that large. */
function compactAt(bytes: Uint8Array, at: number): [number, number] {
  if (at >= bytes.length) throw new BlockDecodeError('value runs past the end of its bytes');
  const [prefix, value] = compactFromU8a(bytes.subarray(at));
  if (at + prefix > bytes.length) throw new BlockDecodeError('value runs past the end of its bytes');
  if (value.bitLength() > 53) throw new BlockDecodeError('compact value too large');
  return [prefix, value.toNumber()];
}

function readU32(bytes: Uint8Array, at: number): number {
  within(bytes, at + 4);
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 2 ** 24;
}
