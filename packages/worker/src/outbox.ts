import { encodeAddress } from '@polkadot/util-crypto';

import { bytesEqual } from '@sealbridge/chain-types';

import type { BlockExtrinsic } from './block-decoder.js';
import { ExtrinsicSigner, perRuntimeVersion, type SignedExtrinsic } from './extrinsic-signer.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { ParentchainClient } from './parentchain.js';
import type { OutboxEntry, WorkerStore } from './store.js';

/**
 * Entries sent ahead of the lowest unconfirmed nonce. A node only keeps a bounded queue of future nonces, so
 * during a long catch-up sending thousands at once would mostly be refused and resent.
 */
const SEND_WINDOW = 256;
/** A sent extrinsic not seen in a finalized block after this long is sent again (same bytes, same nonce). */
const RESEND_AFTER_MS = 6_000;
/** Finalized blocks to wait after a "stale nonce" answer before concluding the nonce went to another extrinsic. */
const STALE_GRACE_BLOCKS = 5;

export interface OutboxDeps {
  client: ParentchainClient;
  store: WorkerStore;
  /** The enclave account (ed25519 public key) and its signing ECALL: the private key never leaves the enclave. */
  account: Uint8Array;
  sign: (payload: Uint8Array) => Uint8Array;
  log: Logger;
  metrics: Metrics;
}

interface PendingEntry {
  entry: OutboxEntry;
  sentAt?: number;
  staleSinceBlock?: number;
}

/**
 * Enclave-signed parentchain extrinsics (block confirmations, unshield payouts, relayed direct calls) with a
 * locally managed nonce. Every entry is persisted with the block commit that produced it and resent, byte for
 * byte, until the worker sees it in an imported block — so a crash or a dropped transaction never loses a
 * confirmation, and reusing the nonce means a resend can never be included twice.
 */
export class Outbox {
  readonly #client: ParentchainClient;
  readonly #store: WorkerStore;
  readonly #account: Uint8Array;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #pending = new Map<string, PendingEntry>();
  #committedNonce = 0;
  #nextNonce = 0;
  #flushing: Promise<void> | undefined;
  /** Last imported block number, to date stale-nonce answers. */
  #lastBlockHint = 0;
  /** The signed extensions are encoded for one runtime version; a runtime upgrade needs them again. */
  readonly #signer: () => ExtrinsicSigner;

  constructor(deps: OutboxDeps) {
    this.#client = deps.client;
    this.#store = deps.store;
    this.#account = deps.account;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#signer = perRuntimeVersion(deps.client.api, () => new ExtrinsicSigner(deps.client.api, deps.account, deps.sign));
  }

  /** The enclave account in the chain's own SS58 format (system_properties), as the CLI prints it too. */
  get address(): string {
    return encodeAddress(this.#account, this.#client.api.registry.chainSS58);
  }

  get size(): number {
    return this.#pending.size;
  }

  get nextNonce(): number {
    return this.#nextNonce;
  }

  /** Loads unconfirmed entries and aligns the nonce with the chain (which wins if someone else used the account). */
  async init(): Promise<void> {
    for (const entry of await this.#store.outbox()) this.#pending.set(entry.hash, { entry });
    const chainNonce = await this.#client.accountNonce(this.#account);
    const stored = await this.#store.nextNonce();
    const highestPending = Math.max(-1, ...[...this.#pending.values()].map(({ entry }) => entry.nonce));
    this.#committedNonce = this.#nextNonce = Math.max(chainNonce, stored, highestPending + 1);
    this.#log.info('enclave account nonce', { account: this.address, chainNonce, stored, next: this.#nextNonce, pending: this.#pending.size });
  }

  /** Signs SCALE(call) with the next nonce. The entry only becomes real once `committed` is called with it. */
  sign(call: Uint8Array, kind: string, origin: number): OutboxEntry {
    const nonce = this.#nextNonce++;
    const { hex, hash } = this.signedExtrinsic(call, nonce);
    return { hash, nonce, kind, extrinsic: hex, origin };
  }

  /** Immortal era: the same (call, nonce) always gives the same bytes, so a resend can only be included once. */
  signedExtrinsic(call: Uint8Array, nonce: number): SignedExtrinsic {
    return this.#signer().sign(call, nonce);
  }

  /** Persists and queues an entry signed outside a block import (a relayed direct call). Call under the nonce lock. */
  async add(entry: OutboxEntry): Promise<void> {
    try {
      await this.#store.addOutboxEntry(entry, this.#nextNonce);
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.#committedNonce = this.#nextNonce;
    this.#pending.set(entry.hash, { entry });
  }

  /** Marks `nextNonce` as used by an extrinsic sent outside the outbox (the registration). Call under the nonce lock. */
  async consumeNonce(): Promise<void> {
    await this.#store.setNextNonce(++this.#nextNonce);
    this.#committedNonce = this.#nextNonce;
  }

  /** Forgets nonces handed out for a block whose commit failed, so the retry signs the same bytes again. */
  rollback(): void {
    this.#nextNonce = this.#committedNonce;
  }

  /** Hashes of pending entries among `extrinsics` (of a newly imported block); only the enclave account's are hashed. */
  includedIn(extrinsics: readonly BlockExtrinsic[]): string[] {
    const { address } = this.#signer();
    return extrinsics.filter((xt) => xt.signer && bytesEqual(xt.signer, address)).map((xt) => xt.hash()).filter((hash) => this.#pending.has(hash));
  }

  /** Applies a committed block: new entries become pending, included ones are done. */
  committed(added: OutboxEntry[], removed: string[], blockNumber: number): void {
    for (const hash of removed) this.#pending.delete(hash);
    for (const entry of added) this.#pending.set(entry.hash, { entry });
    this.#committedNonce = this.#nextNonce;
    this.#metrics.set('sealbridge_outbox_pending', this.#pending.size);
  }

  /**
   * Re-signs entries whose nonce the chain called stale and that still did not show up in a finalized block
   * after a grace period: their nonce went to another extrinsic of the enclave account. Call under the nonce lock.
   */
  async resignStale(blockNumber: number): Promise<void> {
    this.#lastBlockHint = blockNumber;
    for (const pending of [...this.#pending.values()]) {
      if (pending.staleSinceBlock !== undefined && blockNumber - pending.staleSinceBlock >= STALE_GRACE_BLOCKS) {
        await this.#resign(pending);
      }
    }
  }

  /** Sends every pending entry that was never sent or not seen for a while; errors are logged and retried later. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    if (!this.#client.isConnected) return;
    const now = Date.now();
    const due = [...this.#pending.values()]
      .sort((a, b) => a.entry.nonce - b.entry.nonce)
      .slice(0, SEND_WINDOW)
      .filter((p) => p.sentAt === undefined || now - p.sentAt > RESEND_AFTER_MS);
    // Submitted in nonce order over one connection; the node queues future nonces, so no round trip per entry.
    await Promise.all(due.map(async (pending) => {
      pending.sentAt = now;
      try {
        await this.#client.submit(pending.entry.extrinsic);
        this.#metrics.inc('sealbridge_extrinsics_sent_total', { kind: pending.entry.kind });
      } catch (error) {
        this.#onSubmitError(pending, error);
      }
    }));
  }

  #onSubmitError(pending: PendingEntry, error: unknown): void {
    const text = String((error as Error)?.message ?? error);
    if (/1012|1013|already imported|temporarily banned/i.test(text)) return;
    if (/outdated|stale/i.test(text)) {
      // Either it is in a block we have not imported yet, or the nonce went to another extrinsic.
      pending.staleSinceBlock ??= this.#lastBlockHint;
      return;
    }
    pending.sentAt = undefined;
    this.#log.warn('extrinsic submission failed, will retry', { kind: pending.entry.kind, nonce: pending.entry.nonce, error: text });
  }


  async #resign(pending: PendingEntry): Promise<void> {
    const chainNonce = await this.#client.accountNonce(this.#account);
    this.#nextNonce = this.#committedNonce = Math.max(this.#nextNonce, chainNonce);
    const call = this.#client.api.tx(pending.entry.extrinsic).method.toU8a();
    const replacement = this.sign(call, pending.entry.kind, pending.entry.origin);
    await this.#store.replaceOutboxEntry(pending.entry, replacement, this.#nextNonce);
    this.#committedNonce = this.#nextNonce;
    this.#pending.delete(pending.entry.hash);
    this.#pending.set(replacement.hash, { entry: replacement });
    this.#log.warn('nonce was taken by another extrinsic; re-signed', { kind: replacement.kind, old: pending.entry.nonce, nonce: replacement.nonce });
  }
}
