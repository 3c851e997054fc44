/**
 * Error classes shared by every Sealbridge package. Each error carries a stable machine-readable `code`;
 * packages subclass `SealbridgeError` (or one of the classes below) instead of throwing plain `Error`s.
 */
export class SealbridgeError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Keeps `instanceof` working for subclasses when compiled to older targets and names the code in stack traces.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = `${new.target.name} [${code}]`;
  }
}

/** Reasons a SCALE blob is rejected by `decodeExact`. */
export const SCALE_DECODE_ERROR_CODES = [
  'SCALE_TRUNCATED', // input ended before the value was complete
  'SCALE_UNKNOWN_VARIANT', // enum index not defined (or a reserved `__Unused` slot)
  'SCALE_LENGTH_OVERFLOW', // a compact length prefix claims more elements/bytes than the input holds
  'SCALE_TRAILING_BYTES', // the value was complete but input bytes were left over
  'SCALE_NON_CANONICAL', // a byte that no canonical encoder produces (bool 2, option 2, over-long compact, bad UTF-8)
  'SCALE_TOO_DEEP', // recursive types nested past the depth limit
  'SCALE_UNKNOWN_TYPE', // the requested type name or id is not registered (programming error)
] as const;
export type ScaleDecodeErrorCode = (typeof SCALE_DECODE_ERROR_CODES)[number];

export class ScaleDecodeError extends SealbridgeError<ScaleDecodeErrorCode> {
  /** Registered type name that was being decoded. */
  readonly typeName: string;
  /** Byte offset into the input where the problem was found. */
  readonly offset: number;

  /** Where in the value it failed, outermost first (fields, variants, elements), as far as the decoder tracked it. */
  readonly path: string[] = [];
  readonly #detail: string;

  constructor(code: ScaleDecodeErrorCode, typeName: string, offset: number, detail: string, options?: { cause?: unknown }) {
    super(code, `cannot decode ${typeName}: ${detail} (at byte ${offset})`, options);
    this.typeName = typeName;
    this.offset = offset;
    this.#detail = detail;
  }

  /** Records one more enclosing step of the type path (decoders call it as the error passes outwards). */
  within(step: string): this {
    this.path.unshift(step);
    this.message = `cannot decode ${this.typeName} at ${this.path.join('')}: ${this.#detail} (at byte ${this.offset})`;
    return this;
  }
}

/** A value that does not fit the type it is encoded as (a number out of range, a missing field, an unknown variant). */
export class ScaleEncodeError extends SealbridgeError<'SCALE_BAD_VALUE'> {
  constructor(typeName: string, detail: string) {
    super('SCALE_BAD_VALUE', `cannot encode ${typeName}: ${detail}`);
  }
}

export const SHIELDING_ERROR_CODES = [
  'SHIELDING_BAD_CIPHERTEXT_LENGTH', // empty, or longer than one block and not a multiple of 384 bytes
  'SHIELDING_DECRYPT_FAILED', // OAEP decoding failed: wrong key or tampered block
  'SHIELDING_EMPTY_PLAINTEXT', // nothing to encrypt
  'SHIELDING_BAD_KEY', // key is not RSA-3072 or has the wrong type (public/private)
  'SHIELDING_BAD_KEY_JSON', // shielding-key JSON does not have the serde `{"n":[384],"e":[4]}` shape
  'SHIELDING_BAD_KEY_VALUE', // RPC value is not a SCALE String holding the key JSON
] as const;
export type ShieldingErrorCode = (typeof SHIELDING_ERROR_CODES)[number];

export class ShieldingError extends SealbridgeError<ShieldingErrorCode> {}

/** Input that is not a valid shard, signature, key or similar value handed over by a caller. */
export const INPUT_ERROR_CODES = [
  'INVALID_SHARD', // not 32 bytes as base58 or 0x-hex
  'INVALID_SIGNATURE_INPUT', // malformed MultiSignature or signer bytes
  'INVALID_ARGUMENT', // other malformed argument (wrong byte length, unsupported key type)
  'CRYPTO_NOT_READY', // sr25519 used before `await cryptoReady()`
] as const;
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

export class InputError extends SealbridgeError<InputErrorCode> {}
