export { MAX_DEPTH, MAX_ZERO_SIZED_ELEMENTS, ScaleReader, decodeUint } from './reader.js';
export { ScaleWriter, compactSize, encodeCompact, encodeStr, encodeUint, encodeVecOfEncoded, withCompactLength, writeCompactAt } from './writer.js';
export {
  PortableCodec,
  type BitSequenceValue,
  type EnumValue,
  type PortableField,
  type PortableType,
  type PortableTypeDef,
  type PortableVariant,
  type PrimitiveName,
  type ScaleValue,
} from './portable.js';
export { portableTypesOf } from './lookup.js';
