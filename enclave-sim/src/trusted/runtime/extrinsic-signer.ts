import type { Registry } from '@polkadot/types/types';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import { encodeCompact, withCompactLength } from '@sealbridge/chain-types';

/** What polkadot-js signs when the payload is longer than this: its blake2-256 (Substrate `SignedPayload`). */
const MAX_RAW_PAYLOAD = 256;
const SIGNED_BIT = 0x80;

/** What encoding and signing read of the chain (one runtime version's worth); a ChainContext, or an ApiPromise in specs. */
export interface ChainEncodingContext {
  registry: Registry;
  runtimeVersion: { specVersion: unknown; transactionVersion: unknown };
  genesisHash: unknown;
  extrinsicVersion: number;
}

export interface SignedExtrinsic {
  /** SCALE(UncheckedExtrinsic) with its length prefix, as `author_submitExtrinsic` takes it. */
  hex: string;
  /** blake2-256 of those bytes: the extrinsic hash the chain reports. */
  hash: string;
}

/**
 * Signs parentchain calls for one account with an immortal era and no tip — the enclave account's outbox
 * extrinsics. The same bytes as polkadot-js `tx.sign(pair, { era: immortal, nonce })` (checked by tests against
 * it), but the chain's signed extensions are encoded once from the metadata, so each extrinsic costs one
 * signature plus a few concatenations instead of a round of codec construction: during a catch-up every block
 * needs one.
 */
export class ExtrinsicSigner {
  readonly #sign: (payload: Uint8Array) => Uint8Array;
  /** Extension fields carried in the extrinsic before / after the nonce (era, tip, mode, …). */
  readonly #extraBeforeNonce: Uint8Array;
  readonly #extraAfterNonce: Uint8Array;
  /** Extension data only signed, never sent (spec and transaction version, genesis hash, …). */
  readonly #additional: Uint8Array;
  /** Version byte, signer address and the signature's type prefix. */
  readonly #header: Uint8Array;
  /** SCALE of the signer's `Address` as it appears in its extrinsics. */
  readonly address: Uint8Array;

  /**
   * `sign` returns a raw 64-byte ed25519 signature by `publicKey` (the enclave's ECALL). The era is immortal, so
   * the block hash in the payload is the genesis hash and a resend of (call, nonce) is byte-identical.
   */
  constructor(api: ChainEncodingContext, publicKey: Uint8Array, sign: (payload: Uint8Array) => Uint8Array) {
    const { registry } = api;
    this.#sign = sign;
    const values: Record<string, unknown> = {
      era: new Uint8Array([0]),
      specVersion: api.runtimeVersion.specVersion,
      transactionVersion: api.runtimeVersion.transactionVersion,
      genesisHash: api.genesisHash,
      blockHash: api.genesisHash,
    };
    // Unset fields take their type's default, as in polkadot-js's payload (tip 0, mode Disabled, no asset id).
    const encode = (fields: Record<string, string>) => Object.entries(fields).map(([name, type]) => registry.createTypeUnsafe(type, [values[name]]).toU8a());
    const extraTypes = registry.getSignedExtensionTypes();
    const nonceAt = Object.keys(extraTypes).indexOf('nonce');
    if (nonceAt < 0) throw new Error('the parentchain has no CheckNonce signed extension');
    const extra = encode(extraTypes);
    this.#extraBeforeNonce = u8aConcat(...extra.slice(0, nonceAt));
    this.#extraAfterNonce = u8aConcat(...extra.slice(nonceAt + 1));
    this.#additional = u8aConcat(...encode(registry.getSignedExtensionExtra()));
    // MultiSignature::Ed25519 is a one-byte prefix before the 64 signature bytes; a bare signature type has none.
    const signatureType = registry.createTypeUnsafe('ExtrinsicSignature', [u8aConcat([0], new Uint8Array(64))]).toU8a();
    this.address = registry.createTypeUnsafe('Address', [u8aToHex(publicKey)]).toU8a();
    this.#header = u8aConcat([SIGNED_BIT | api.extrinsicVersion], this.address, signatureType.subarray(0, signatureType.length - 64));
  }

  /** `call` is SCALE(RuntimeCall): pallet index, call index, arguments. */
  sign(call: Uint8Array, nonce: number): SignedExtrinsic {
    if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError(`nonce ${nonce} is not a valid account index`);
    const extra = u8aConcat(this.#extraBeforeNonce, encodeCompact(nonce), this.#extraAfterNonce);
    const payload = u8aConcat(call, extra, this.#additional);
    const signature = this.#sign(payload.length > MAX_RAW_PAYLOAD ? blake2AsU8a(payload, 256) : payload);
    const body = u8aConcat(this.#header, signature, extra, call);
    const bytes = withCompactLength(body);
    return { hex: u8aToHex(bytes), hash: u8aToHex(blake2AsU8a(bytes, 256)) };
  }
}

/** A metadata-decorated call constructor: `api.tx[section][method]`, or the same from `expandMetadata`. */
interface CallConstructor {
  callIndex: Uint8Array;
  meta: { fields: ReadonlyArray<{ type: { toNumber(): number } | unknown }> };
}

/**
 * Encodes `section.method(...args)` as SCALE(RuntimeCall) from the metadata's argument types — what
 * `api.tx[section][method](...args).method.toU8a()` gives, without building a SubmittableExtrinsic around it.
 */
export function callEncoder(chain: { registry: Registry; tx: Record<string, Record<string, unknown> | undefined> }, section: string, method: string): (...args: unknown[]) => Uint8Array {
  const fn = chain.tx[section]?.[method] as CallConstructor | undefined;
  if (!fn) throw new Error(`the parentchain has no ${section}.${method}`);
  const { registry } = chain;
  const types = fn.meta.fields.map((field) => registry.createLookupType((field as { type: never }).type));
  return (...args) => {
    if (args.length !== types.length) throw new RangeError(`${section}.${method} takes ${types.length} arguments, got ${args.length}`);
    return u8aConcat(fn.callIndex, ...types.map((type, i) => registry.createTypeUnsafe(type, [args[i]]).toU8a()));
  };
}
