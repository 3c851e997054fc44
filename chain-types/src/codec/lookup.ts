import type { PortableRegistry } from '@polkadot/types/metadata';
import type { Si1Field, Si1TypeDef } from '@polkadot/types/interfaces';

import { ScaleDecodeError } from '../errors.js';
import type { PortableField, PortableType, PortableTypeDef, PrimitiveName } from './portable.js';

/**
 * The portable types of a chain's metadata (polkadot-js' `registry.lookup`) in the plain form `PortableCodec`
 * walks: read once per runtime version, then no codec object is touched while blocks are decoded.
 */
export function portableTypesOf(lookup: PortableRegistry): PortableType[] {
  const out: PortableType[] = [];
  for (const entry of lookup.types) {
    const id = entry.id.toNumber();
    const { path, params, def, docs } = entry.type;
    out[id] = {
      id,
      path: path.map((p) => p.toString()),
      params: params.map((p) => ({ name: p.name.toString(), type: p.type.isSome ? p.type.unwrap().toNumber() : undefined })),
      def: convertDef(id, def),
      docs: docs.map((d) => d.toString()),
    };
  }
  return out;
}

function convertFields(fields: readonly Si1Field[]): PortableField[] {
  return fields.map((f) => ({
    name: f.name.isSome ? f.name.unwrap().toString() : undefined,
    type: f.type.toNumber(),
    typeName: f.typeName.isSome ? f.typeName.unwrap().toString() : undefined,
  }));
}

function convertDef(id: number, def: Si1TypeDef): PortableTypeDef {
  if (def.isComposite) return { kind: 'composite', fields: convertFields(def.asComposite.fields) };
  if (def.isVariant) {
    return {
      kind: 'variant',
      variants: def.asVariant.variants.map((v) => ({ name: v.name.toString(), index: v.index.toNumber(), fields: convertFields(v.fields) })),
    };
  }
  if (def.isSequence) return { kind: 'sequence', type: def.asSequence.type.toNumber() };
  if (def.isArray) return { kind: 'array', len: def.asArray.len.toNumber(), type: def.asArray.type.toNumber() };
  if (def.isTuple) return { kind: 'tuple', types: def.asTuple.map((t) => t.toNumber()) };
  if (def.isPrimitive) return { kind: 'primitive', name: def.asPrimitive.type.toLowerCase() as PrimitiveName };
  if (def.isCompact) return { kind: 'compact', type: def.asCompact.type.toNumber() };
  if (def.isBitSequence) {
    return { kind: 'bitSequence', storeType: def.asBitSequence.bitStoreType.toNumber(), orderType: def.asBitSequence.bitOrderType.toNumber() };
  }
  throw new ScaleDecodeError('SCALE_UNKNOWN_TYPE', `type #${id}`, 0, `type kind ${def.type} is not part of metadata V14+`);
}
