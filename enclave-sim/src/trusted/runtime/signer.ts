import { hexToU8a } from '@polkadot/util';
import type { SignedExtrinsic } from '@sealbridge/enclave-api';

import type { ChainContext } from './chain.js';
import { ExtrinsicSigner } from './extrinsic-signer.js';

/**
 * Signs the extrinsics the enclave decided to send, with the enclave account's nonce, which it keeps itself. The
 * host only learns the signed bytes; it persists them in nonce order and resends them unchanged until included.
 */
export class EnclaveAccount {
  readonly publicKey: Uint8Array;
  readonly #sign: (payload: Uint8Array) => Uint8Array;
  #signer: { chain: ChainContext; signer: ExtrinsicSigner } | undefined;
  #nextNonce: number;
  #chain: ChainContext;

  constructor(chain: ChainContext, publicKey: Uint8Array, sign: (payload: Uint8Array) => Uint8Array, nextNonce: number) {
    this.#chain = chain;
    this.publicKey = publicKey;
    this.#sign = sign;
    this.#nextNonce = nextNonce;
  }

  get nextNonce(): number {
    return this.#nextNonce;
  }

  /** The host knows of a higher nonce (the chain's, or its outbox's): never sign below it. */
  advanceTo(nonce: number): void {
    this.#nextNonce = Math.max(this.#nextNonce, nonce);
  }

  /** After a runtime upgrade, extrinsics are built for the new runtime. */
  set chain(chain: ChainContext) {
    this.#chain = chain;
  }

  /** SCALE of the account's `Address`, as its extrinsics carry it. */
  get address(): Uint8Array {
    return this.#current().address;
  }

  /** Signs SCALE(RuntimeCall) with the next nonce (immortal era: a resend of the bytes can be included only once). */
  sign(call: Uint8Array, kind: string): SignedExtrinsic {
    const nonce = this.#nextNonce++;
    const { hex, hash } = this.#current().sign(call, nonce);
    return { hash: hexToU8a(hash), nonce, kind, bytes: hexToU8a(hex) };
  }

  #current(): ExtrinsicSigner {
    if (this.#signer?.chain !== this.#chain) this.#signer = { chain: this.#chain, signer: new ExtrinsicSigner(this.#chain, this.publicKey, this.#sign) };
    return this.#signer.signer;
  }
}
