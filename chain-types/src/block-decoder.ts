import type { PortableRegistry } from '@polkadot/types/metadata';
import type { Registry } from '@polkadot/types/types';
import { stringCamelCase } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import { bytesToHex } from './bytes.js';
import { PortableCodec, ScaleReader, portableTypesOf, type PortableType, type ScaleValue } from './codec/index.js';
import { ScaleDecodeError, SealbridgeError } from './errors.js';

/** Why a block's bytes could not be read; `where` locates it (extrinsic or event record, and the type path). */
export class BlockDecodeError extends SealbridgeError<'BLOCK_UNDECODABLE' | 'METADATA_UNSUPPORTED'> {
  readonly extrinsicIndex: number | undefined;
  readonly eventIndex: number | undefined;
  /** Type path inside the extrinsic or event (`.call::Balances::transfer.value`), empty if not known. */
  readonly path: string;

  constructor(
    code: 'BLOCK_UNDECODABLE' | 'METADATA_UNSUPPORTED',
    message: string,
    where: { extrinsicIndex?: number; eventIndex?: number; path?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: where.cause });
    this.extrinsicIndex = where.extrinsicIndex;
    this.eventIndex = where.eventIndex;
    this.path = where.path ?? '';
  }
}

/** A call's pallet and name (polkadot-js' camelCase section and method) and its arguments by name. */
export interface DecodedCall {
  readonly section: string;
  readonly method: string;
  readonly args: Readonly<Record<string, ScaleValue>>;
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
  /** The call's arguments decoded by the chain's metadata, for the rare call read field by field. */
  call(): DecodedCall;
  /** blake2-256 of `bytes`, as the chain reports it. */
  hash(): string;
}

/** One `EventRecord` of `System.Events`: its phase and names; the event's fields are decoded when asked for. */
export interface BlockEvent {
  /** Index of the extrinsic that emitted it; undefined in the Initialization and Finalization phases. */
  readonly applyExtrinsic: number | undefined;
  readonly event: {
    readonly section: string;
    readonly method: string;
    /** The event's fields by the metadata's names (positional fields by index), decoded on first use. */
    readonly fields: Readonly<Record<string, ScaleValue>>;
  };
}

interface CallName {
  section: string;
  method: string;
}

/**
 * Decodes blocks and events the way subxt does: it walks SCALE along the chain's own portable type registry
 * (metadata V14+) with chain-types' one codec, skipping by type what the worker does not act on and decoding the
 * few values it reads. Every type the metadata can describe is handled; integers past 2^53 stay bigints. Only
 * extrinsic format 4 (what Substrate nodes and Integritee send) is accepted.
 */
export class BlockDecoder {
  readonly #codec: PortableCodec;
  readonly #types: PortableType[];
  readonly #calls = new Map<number, CallName>();
  readonly #callType: number;
  readonly #addressType: number;
  readonly #signatureType: number;
  readonly #extraTypes: number[];
  readonly #record: { phaseType: number; eventType: number; topicsType: number; phaseNames: Map<number, string>; eventNames: Map<number, CallName> };

  constructor(registry: Registry) {
    this.#types = portableTypesOf(registry.lookup as PortableRegistry);
    this.#codec = new PortableCodec(this.#types);
    const { extrinsic, pallets } = registry.metadata;
    this.#addressType = extrinsic.addressType.toNumber();
    this.#signatureType = extrinsic.signatureType.toNumber();
    this.#callType = extrinsic.callType.toNumber();
    // The extensions polkadot-js signs with, in its order: the same list the ExtrinsicSigner encodes.
    this.#extraTypes = registry.signedExtensions.map((name) => {
      const extension = extrinsic.transactionExtensions.find((e) => e.identifier.toString() === name);
      if (!extension) throw new BlockDecodeError('METADATA_UNSUPPORTED', `signed extension ${name} is not in the metadata`);
      return extension.type.toNumber();
    });
    for (const id of [this.#addressType, this.#signatureType, this.#callType, ...this.#extraTypes]) this.#codec.skipper(id);
    const events = pallets.find((p) => p.name.toString() === 'System')?.storage.unwrap().items.find((i) => i.name.toString() === 'Events');
    if (!events?.type.isPlain) throw new BlockDecodeError('METADATA_UNSUPPORTED', 'the metadata has no System.Events storage');
    const def = this.#codec.type(events.type.asPlain.toNumber()).def;
    if (def.kind !== 'sequence') throw new BlockDecodeError('METADATA_UNSUPPORTED', 'System.Events is not a sequence of event records');
    const phaseType = this.#field(def.type, 'phase');
    const eventType = this.#field(def.type, 'event');
    this.#record = {
      phaseType,
      eventType,
      topicsType: this.#field(def.type, 'topics'),
      phaseNames: this.#variantNames(phaseType),
      eventNames: this.#eventNames(eventType),
    };
  }

  /** Decodes one extrinsic; `index` (its position in the block) goes into errors. */
  extrinsic(bytes: Uint8Array, index?: number): BlockExtrinsic {
    const r = new ScaleReader(bytes, 'UncheckedExtrinsic');
    try {
      const length = r.length('extrinsic', 1);
      if (length !== r.remaining) r.fail('SCALE_LENGTH_OVERFLOW', `length prefix ${length} does not match the ${r.remaining} bytes that follow`, 0);
      const version = r.byte('extrinsic version');
      if ((version & 0x7f) !== 4) {
        throw new BlockDecodeError('BLOCK_UNDECODABLE', `extrinsic format ${version & 0x7f} is not supported (expected 4)`, { extrinsicIndex: index });
      }
      let signer: Uint8Array | undefined;
      if (version & 0x80) {
        const signerAt = r.offset;
        this.#step(r, this.#addressType, '.address');
        signer = r.since(signerAt);
        this.#step(r, this.#signatureType, '.signature');
        for (const id of this.#extraTypes) this.#step(r, id, `.extra(${this.#codec.describe(id)})`);
      }
      const callAt = r.offset;
      this.#step(r, this.#callType, '.call');
      r.end();
      const { section, method } = this.#callName(bytes[callAt]!, bytes[callAt + 1]!);
      return {
        bytes,
        signer,
        section,
        method,
        args: bytes.subarray(callAt + 2),
        call: () => this.#decodeCall(bytes.subarray(callAt), section, method),
        hash: () => bytesToHex(blake2AsU8a(bytes, 256)),
      };
    } catch (error) {
      throw located(error, `extrinsic ${index ?? ''}`.trim(), { extrinsicIndex: index });
    }
  }

  /** SCALE(Vec<EventRecord>) as stored under `System.Events`. */
  events(bytes: Uint8Array): BlockEvent[] {
    const r = new ScaleReader(bytes, 'Vec<EventRecord>');
    const { phaseType, eventType, topicsType, phaseNames, eventNames } = this.#record;
    const decoder = this;
    const records: BlockEvent[] = [];
    let eventIndex = -1;
    try {
      const count = r.length('events', 1);
      for (eventIndex = 0; eventIndex < count; eventIndex++) {
        const phaseAt = r.offset;
        this.#step(r, phaseType, '.phase');
        const phase = phaseNames.get(bytes[phaseAt]!);
        const applyExtrinsic = phase === 'ApplyExtrinsic' ? new ScaleReader(bytes, 'Phase', phaseAt + 1).u32() : undefined;
        const eventAt = r.offset;
        this.#step(r, eventType, '.event');
        const eventEnd = r.offset;
        this.#step(r, topicsType, '.topics');
        const names = eventNames.get((bytes[eventAt]! << 8) | bytes[eventAt + 1]!);
        if (!names) throw new BlockDecodeError('BLOCK_UNDECODABLE', `pallet ${bytes[eventAt]} event ${bytes[eventAt + 1]} is not in the metadata`);
        let fields: Record<string, ScaleValue> | undefined;
        records.push({
          applyExtrinsic,
          event: {
            ...names,
            get fields(): Record<string, ScaleValue> {
              fields ??= decoder.#fields(eventType, bytes.subarray(eventAt, eventEnd));
              return fields;
            },
          },
        });
      }
      eventIndex = -1;
      r.end();
    } catch (error) {
      throw located(error, eventIndex >= 0 ? `event record ${eventIndex}` : 'events', { eventIndex: eventIndex >= 0 ? eventIndex : undefined });
    }
    return records;
  }

  #step(r: ScaleReader, typeId: number, step: string): void {
    try {
      this.#codec.skip(r, typeId);
    } catch (error) {
      throw error instanceof ScaleDecodeError ? error.within(step) : error;
    }
  }

  #decodeCall(bytes: Uint8Array, section: string, method: string): DecodedCall {
    return { section, method, args: this.#fields(this.#callType, bytes) };
  }

  /**
   * `Runtime{Call,Event}::Pallet(Pallet{Call,Event}::Variant { … })` → the variant's fields by the metadata's
   * names (positional ones by index), each decoded by its own type.
   */
  #fields(outerType: number, bytes: Uint8Array): Record<string, ScaleValue> {
    const r = new ScaleReader(bytes, this.#codec.describe(outerType));
    const pallet = this.#variant(outerType, r.byte('pallet index'));
    const variant = this.#variant(pallet.fields[0]!.type, r.byte('variant index'));
    const fields: Record<string, ScaleValue> = {};
    variant.fields.forEach((field, i) => {
      fields[field.name ?? String(i)] = this.#codec.decodeFrom(r, field.type);
    });
    r.end();
    return fields;
  }

  #callName(pallet: number, call: number): CallName {
    const key = (pallet << 8) | call;
    let name = this.#calls.get(key);
    if (!name) {
      const palletVariant = this.#variant(this.#callType, pallet);
      const callVariant = this.#variant(palletVariant.fields[0]!.type, call);
      name = { section: stringCamelCase(palletVariant.name), method: stringCamelCase(callVariant.name) };
      this.#calls.set(key, name);
    }
    return name;
  }

  /** (pallet index, event index) → polkadot-js names, from the RuntimeEvent type. */
  #eventNames(runtimeEvent: number): Map<number, CallName> {
    const names = new Map<number, CallName>();
    const def = this.#codec.type(runtimeEvent).def;
    if (def.kind !== 'variant') throw new BlockDecodeError('METADATA_UNSUPPORTED', 'RuntimeEvent is not an enum');
    for (const pallet of def.variants) {
      const palletEvent = pallet.fields[0];
      if (!palletEvent) continue;
      const section = stringCamelCase(pallet.name);
      for (const [index, method] of this.#variantNames(palletEvent.type)) names.set((pallet.index << 8) | index, { section, method });
    }
    return names;
  }

  #variant(typeId: number, index: number): { name: string; fields: { name?: string; type: number }[] } {
    const def = this.#codec.type(typeId).def;
    const variant = def.kind === 'variant' ? def.variants.find((v) => v.index === index) : undefined;
    if (!variant) throw new BlockDecodeError('BLOCK_UNDECODABLE', `${this.#codec.describe(typeId)} has no variant ${index}`);
    return variant;
  }

  #variantNames(typeId: number): Map<number, string> {
    const def = this.#codec.type(typeId).def;
    if (def.kind !== 'variant') throw new BlockDecodeError('METADATA_UNSUPPORTED', `${this.#codec.describe(typeId)} is not an enum`);
    return new Map(def.variants.map((v) => [v.index, v.name]));
  }

  #field(typeId: number, name: string): number {
    const def = this.#codec.type(typeId).def;
    const field = def.kind === 'composite' ? def.fields.find((f) => f.name === name) : undefined;
    if (!field) throw new BlockDecodeError('METADATA_UNSUPPORTED', `${this.#codec.describe(typeId)} has no field ${name}`);
    return field.type;
  }
}

function located(error: unknown, where: string, at: { extrinsicIndex?: number; eventIndex?: number }): BlockDecodeError {
  if (error instanceof BlockDecodeError) {
    if (error.extrinsicIndex !== undefined || error.eventIndex !== undefined) return error;
    return new BlockDecodeError(error.code, `${where}: ${error.message}`, { ...at, path: error.path, cause: error.cause });
  }
  if (error instanceof ScaleDecodeError) {
    return new BlockDecodeError('BLOCK_UNDECODABLE', `${where}: ${error.message}`, { ...at, path: error.path.join(''), cause: error });
  }
  throw error;
}
