import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { xxhashAsU8a } from '@polkadot/util-crypto';

import type { CallDecl, EventDecl, PalletDefinition, StorageHasher } from '../runtime/pallet.js';
import type { FieldDef, NamedTypeDecl, TypeDefKind, TypeId, VariantDef } from '../types/table.js';

import { DevChainError } from '../errors.js';
import { PortableCodec } from '@sealbridge/chain-types';
import { TypeTable } from '../types/table.js';

/** Rust crate of the runtime; `*_runtime::RuntimeCall/RuntimeEvent` is what @polkadot/types aliases to Call/Event. */
export const RUNTIME_CRATE = 'sealbridge_dev_runtime';
const METADATA_MAGIC = 0x6174656d; // "meta" little-endian

/** Signed extensions in extrinsic order: [identifier, extra type, additionalSigned type]. */
const SIGNED_EXTENSIONS: [string, string, string][] = [
  ['CheckNonZeroSender', 'CheckNonZeroSender', '()'],
  ['CheckSpecVersion', 'CheckSpecVersion', 'u32'],
  ['CheckTxVersion', 'CheckTxVersion', 'u32'],
  ['CheckGenesis', 'CheckGenesis', 'H256'],
  ['CheckMortality', 'CheckMortality', 'H256'],
  ['CheckNonce', 'CheckNonce', '()'],
  ['CheckWeight', 'CheckWeight', '()'],
  ['ChargeTransactionPayment', 'ChargeTransactionPayment', '()'],
];

/** Types every runtime has, independent of the pallet list. */
const CORE_TYPES: Record<string, NamedTypeDecl> = {
  AccountId: { alias: 'AccountId32' },
  AccountId32: { path: 'sp_core::crypto::AccountId32', fields: ['[u8; 32]'] },
  H256: { path: 'primitive_types::H256', fields: ['[u8; 32]'] },
  Hash: { alias: 'H256' },
  Balance: { alias: 'u128' },
  BlockNumber: { alias: 'u32' },
  Moment: { alias: 'u64' },
  MultiAddress: {
    path: 'sp_runtime::multiaddress::MultiAddress',
    params: { AccountId: 'AccountId', AccountIndex: '()' },
    variants: [['Id', ['AccountId']], ['Index', ['Compact<u32>']], ['Raw', ['Vec<u8>']], ['Address32', ['[u8; 32]']], ['Address20', ['[u8; 20]']]],
  },
  MultiSignature: {
    path: 'sp_runtime::MultiSignature',
    variants: [['Ed25519', ['[u8; 64]']], ['Sr25519', ['[u8; 64]']], ['Ecdsa', ['[u8; 65]']]],
  },
  Era: {
    path: 'sp_runtime::generic::era::Era',
    variants: ['Immortal', ...Array.from({ length: 255 }, (_, i): [string, string[], number] => [`Mortal${i + 1}`, ['u8'], i + 1])],
  },
  CheckNonZeroSender: { path: 'frame_system::extensions::check_non_zero_sender::CheckNonZeroSender', params: { T: '()' }, fields: [] },
  CheckSpecVersion: { path: 'frame_system::extensions::check_spec_version::CheckSpecVersion', params: { T: '()' }, fields: [] },
  CheckTxVersion: { path: 'frame_system::extensions::check_tx_version::CheckTxVersion', params: { T: '()' }, fields: [] },
  CheckGenesis: { path: 'frame_system::extensions::check_genesis::CheckGenesis', params: { T: '()' }, fields: [] },
  CheckMortality: { path: 'frame_system::extensions::check_mortality::CheckMortality', params: { T: '()' }, fields: ['Era'] },
  CheckNonce: { path: 'frame_system::extensions::check_nonce::CheckNonce', params: { T: '()' }, fields: ['Compact<u32>'] },
  CheckWeight: { path: 'frame_system::extensions::check_weight::CheckWeight', params: { T: '()' }, fields: [] },
  ChargeTransactionPayment: {
    path: 'pallet_transaction_payment::ChargeTransactionPayment',
    params: { T: '()' },
    fields: ['Compact<u128>'],
  },
};

export interface ResolvedStorage {
  pallet: string;
  name: string;
  /** twox128(pallet) ‖ twox128(item) */
  prefix: Uint8Array;
  hashers: StorageHasher[];
  keyTypes: TypeId[];
  valueType: TypeId;
  modifier: 'Default' | 'Optional';
}

export interface ResolvedPallet {
  def: PalletDefinition;
  calls: Map<string, CallDecl>;
  events: Map<string, EventDecl>;
  errors: Map<string, number>;
  storage: Map<string, ResolvedStorage>;
}

export interface RuntimeMetadata {
  table: TypeTable;
  codec: PortableCodec;
  pallets: Map<string, ResolvedPallet>;
  types: {
    runtimeCall: TypeId;
    runtimeEvent: TypeId;
    eventRecord: TypeId;
    dispatchInfo: TypeId;
    dispatchError: TypeId;
    accountInfo: TypeId;
    /** `sp_runtime::generic::Digest` (System.Digest, the header's digest) and its items. */
    digest: TypeId;
    digestItem: TypeId;
  };
  /** Encoded metadata (magic ‖ version 14 ‖ V14), the `state_getMetadata` result. */
  bytes: Uint8Array;
}

const HASHER_INDEX: Record<StorageHasher, number> = {
  Blake2_128: 0,
  Blake2_256: 1,
  Blake2_128Concat: 2,
  Twox128: 3,
  Twox256: 4,
  Twox64Concat: 5,
  Identity: 6,
};

function fieldsOf(f: Record<string, string> | string[] | undefined, table: TypeTable): FieldDef[] {
  if (!f) return [];
  return Array.isArray(f)
    ? f.map((e) => ({ type: table.resolve(e), typeName: e }))
    : Object.entries(f).map(([name, e]) => ({ name, type: table.resolve(e), typeName: e }));
}

function storagePrefix(pallet: string, item: string): Uint8Array {
  return u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128));
}

/** Builds the V14 metadata (and the engine's resolved view of it) from a declarative pallet table. */
export function buildMetadata(pallets: PalletDefinition[]): RuntimeMetadata {
  const seenIndex = new Map<number, string>();
  for (const p of pallets) {
    const other = seenIndex.get(p.index);
    if (other) throw new DevChainError('METADATA', `pallets ${other} and ${p.name} share index ${p.index}`);
    seenIndex.set(p.index, p.name);
  }
  const sorted = [...pallets].sort((a, b) => a.index - b.index);
  const table = new TypeTable();
  table.declare(CORE_TYPES);
  for (const p of sorted) if (p.types) table.declare(p.types);
  const runtimeCall = table.reserve('RuntimeCall');
  const runtimeEvent = table.reserve('RuntimeEvent');

  const docs = (d?: string[]): string[] => d ?? [];
  const palletJson: unknown[] = [];
  const resolved = new Map<string, ResolvedPallet>();
  const callVariants: VariantDef[] = [];
  const eventVariants: VariantDef[] = [];
  const codec = new PortableCodec(table.types);

  for (const p of sorted) {
    const rp: ResolvedPallet = { def: p, calls: new Map(), events: new Map(), errors: new Map(), storage: new Map() };
    resolved.set(p.name, rp);
    const enumType = (kind: string, variants: VariantDef[]): TypeId =>
      table.add({ path: [p.crate, 'pallet', kind], params: [{ name: 'T' }], def: { kind: 'variant', variants }, docs: [] });

    let callType: TypeId | undefined;
    if (p.calls?.length) {
      callType = enumType(
        'Call',
        p.calls.map((c) => ({
          name: c.name,
          index: c.index,
          fields: c.args.map(([name, e]) => ({ name, type: table.resolve(e), typeName: e })),
          docs: docs(c.docs),
        })),
      );
      for (const c of p.calls) rp.calls.set(c.name, c);
      callVariants.push({ name: p.name, index: p.index, fields: [{ type: callType, typeName: `${p.crate}::Call<Runtime>` }] });
    }
    let eventType: TypeId | undefined;
    if (p.events?.length) {
      eventType = enumType(
        'Event',
        p.events.map((e) => ({ name: e.name, index: e.index, fields: fieldsOf(e.fields, table), docs: docs(e.docs) })),
      );
      for (const e of p.events) rp.events.set(e.name, e);
      eventVariants.push({ name: p.name, index: p.index, fields: [{ type: eventType, typeName: `${p.crate}::Event<Runtime>` }] });
    }
    let errorType: TypeId | undefined;
    if (p.errors?.length) {
      errorType = enumType(
        'Error',
        p.errors.map((name, index) => ({ name, index, fields: [] })),
      );
      p.errors.forEach((name, index) => rp.errors.set(name, index));
    }
    const items = (p.storage ?? []).map((s) => {
      const isPlain = typeof s.type === 'string';
      const valueExpr = typeof s.type === 'string' ? s.type : s.type.value;
      const valueType = table.resolve(valueExpr);
      const keyExprs = typeof s.type === 'string' ? [] : Array.isArray(s.type.key) ? s.type.key : [s.type.key];
      const keyTypes = keyExprs.map((e) => table.resolve(e));
      const hashers = typeof s.type === 'string' ? [] : s.type.hashers;
      if (hashers.length !== keyTypes.length) {
        throw new DevChainError('METADATA', `${p.name}.${s.name}: ${hashers.length} hashers for ${keyTypes.length} keys`);
      }
      rp.storage.set(s.name, { pallet: p.name, name: s.name, prefix: storagePrefix(p.name, s.name), hashers, keyTypes, valueType, modifier: s.modifier });
      const fallback = s.modifier === 'Default' ? codec.encode(valueType, codec.defaultValue(valueType)) : new Uint8Array([0]);
      const keyType = keyTypes.length === 1 ? keyTypes[0]! : table.add({ path: [], params: [], def: { kind: 'tuple', types: keyTypes }, docs: [] });
      return {
        name: s.name,
        modifier: s.modifier,
        type: isPlain ? { Plain: valueType } : { Map: { hashers: hashers.map((h) => HASHER_INDEX[h]), key: keyType, value: valueType } },
        fallback: u8aToHex(fallback),
        docs: docs(s.docs),
      };
    });
    const constants = (p.constants ?? []).map((c) => {
      const type = table.resolve(c.type);
      return { name: c.name, type, value: u8aToHex(codec.encode(type, c.value)), docs: docs(c.docs) };
    });
    palletJson.push({
      name: p.name,
      storage: items.length ? { prefix: p.name, items } : null,
      calls: callType === undefined ? null : { type: callType },
      events: eventType === undefined ? null : { type: eventType },
      constants,
      errors: errorType === undefined ? null : { type: errorType },
      index: p.index,
    });
  }

  table.define(runtimeCall, { path: [RUNTIME_CRATE, 'RuntimeCall'], params: [], def: { kind: 'variant', variants: callVariants }, docs: [] });
  table.define(runtimeEvent, { path: [RUNTIME_CRATE, 'RuntimeEvent'], params: [], def: { kind: 'variant', variants: eventVariants }, docs: [] });

  const extra = table.resolve(`(${SIGNED_EXTENSIONS.map(([, e]) => e).join(', ')})`);
  const address = table.resolve('MultiAddress');
  const signature = table.resolve('MultiSignature');
  const u8 = table.resolve('u8');
  const bytes = table.add({ path: [], params: [], def: { kind: 'sequence', type: u8 }, docs: [] });
  const unchecked = table.add({
    path: ['sp_runtime', 'generic', 'unchecked_extrinsic', 'UncheckedExtrinsic'],
    params: [
      { name: 'Address', type: address },
      { name: 'Call', type: runtimeCall },
      { name: 'Signature', type: signature },
      { name: 'Extra', type: extra },
    ],
    def: { kind: 'composite', fields: [{ type: bytes }] },
    docs: [],
  });
  const runtime = table.add({ path: [RUNTIME_CRATE, 'Runtime'], params: [], def: { kind: 'composite', fields: [] }, docs: [] });
  const signedExtensions = SIGNED_EXTENSIONS.map(([identifier, e, add]) => ({
    identifier,
    type: table.resolve(e),
    additionalSigned: table.resolve(add),
  }));

  const types = {
    runtimeCall,
    runtimeEvent,
    eventRecord: table.resolve('EventRecord'),
    dispatchInfo: table.resolve('DispatchInfo'),
    dispatchError: table.resolve('DispatchError'),
    accountInfo: table.resolve('AccountInfo'),
    digest: table.resolve('Digest'),
    digestItem: table.resolve('DigestItem'),
  };

  const v14 = {
    lookup: { types: table.types.map((t) => ({ id: t.id, type: { path: t.path, params: t.params.map((x) => ({ name: x.name, type: x.type ?? null })), def: defJson(t.def), docs: t.docs } })) },
    pallets: palletJson,
    extrinsic: { type: unchecked, version: 4, signedExtensions },
    type: runtime,
  };
  const metadata = new Metadata(new TypeRegistry(), { magicNumber: METADATA_MAGIC, metadata: { v14 } } as never);
  return { table, codec, pallets: resolved, types, bytes: metadata.toU8a() };
}


function defJson(d: TypeDefKind): unknown {
  const fields = (fs: FieldDef[]) => fs.map((f) => ({ name: f.name ?? null, type: f.type, typeName: f.typeName ?? null, docs: f.docs ?? [] }));
  switch (d.kind) {
    case 'primitive':
      return { Primitive: d.name[0]!.toUpperCase() + d.name.slice(1) };
    case 'composite':
      return { Composite: { fields: fields(d.fields) } };
    case 'variant':
      return { Variant: { variants: d.variants.map((v) => ({ name: v.name, fields: fields(v.fields), index: v.index, docs: v.docs ?? [] })) } };
    case 'sequence':
      return { Sequence: { type: d.type } };
    case 'array':
      return { Array: { len: d.len, type: d.type } };
    case 'tuple':
      return { Tuple: d.types };
    case 'compact':
      return { Compact: { type: d.type } };
    case 'bitSequence':
      return { BitSequence: { bitStoreType: d.storeType, bitOrderType: d.orderType } };
  }
}
