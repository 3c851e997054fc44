import { u8aToHex } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';

import { bytesEqual, type BlockExtrinsic } from '@sealbridge/chain-types';
import type { SignedExtrinsic } from '@sealbridge/enclave-api';

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

export interface OutboxDeps {
  client: ParentchainClient;
  store: WorkerStore;
  /** The enclave account (ed25519 public key); only the enclave signs for it. */
  account: Uint8Array;
  log: Logger;
  metrics: Metrics;
}

interface PendingEntry {
  entry: OutboxEntry;
  sentAt?: number;
}

/**
 * Enclave-signed parentchain extrinsics (block confirmations, unshield payouts, relayed direct calls): the host
 * only carries them. Every entry is persisted with the block commit that produced it (or before the enclave hears
 * back, for one signed outside an import) and resent, byte for byte, until the worker sees it in an imported
 * block — so a crash or a dropped transaction never loses a confirmation, and the enclave's nonce in the bytes
 * means a resend can never be included twice.
 */
export class Outbox {
  readonly #client: ParentchainClient;
  readonly #store: WorkerStore;
  #account: Uint8Array;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #pending = new Map<string, PendingEntry>();
  #nextNonce = 0;
  /** Entries signed ahead of ones not yet persisted wait here: nonces are persisted in order, so a crash leaves no gap. */
  #waiting: Array<{ nonce: number; resolve: () => void; reject: (error: Error) => void }> = [];
  #flushing: Promise<void> | undefined;
  /** SCALE of the enclave account's `Address`: how its extrinsics are told apart without hashing every one. */
  #address: Uint8Array;

  constructor(deps: OutboxDeps) {
    this.#client = deps.client;
    this.#store = deps.store;
    this.#account = deps.account;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#address = deps.client.api.registry.createType('Address', u8aToHex(deps.account)).toU8a();
  }

  /** The enclave account in the chain's own SS58 format (system_properties), as the CLI prints it too. */
  get address(): string {
    return encodeAddress(this.#account, this.#client.api.registry.chainSS58);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** The nonce after the highest one persisted (or the chain's, if higher): what the enclave starts from. */
  get nextNonce(): number {
    return this.#nextNonce;
  }

  /** The enclave reported another account than the store remembered (its sealed keys are new): start over with it. */
  async setAccount(account: Uint8Array): Promise<void> {
    this.#account = account;
    this.#address = this.#client.api.registry.createType('Address', u8aToHex(account)).toU8a();
    this.#pending.clear();
    await this.init();
  }

  /** Loads unconfirmed entries and aligns the nonce with the chain (which wins if someone else used the account). */
  async init(): Promise<void> {
    for (const entry of await this.#store.outbox()) this.#pending.set(entry.hash, { entry });
    const chainNonce = await this.#client.accountNonce(this.#account);
    const stored = await this.#store.nextNonce();
    const highestPending = Math.max(-1, ...[...this.#pending.values()].map(({ entry }) => entry.nonce));
    this.#nextNonce = Math.max(chainNonce, stored, highestPending + 1);
    this.#log.info('enclave account nonce', { account: this.address, chainNonce, stored, next: this.#nextNonce, pending: this.#pending.size });
  }

  /** The outbox entry of an extrinsic the enclave signed while importing block `origin`. */
  entryOf(extrinsic: SignedExtrinsic, origin: number): OutboxEntry {
    return { hash: u8aToHex(extrinsic.hash), nonce: extrinsic.nonce, kind: extrinsic.kind, extrinsic: u8aToHex(extrinsic.bytes), origin };
  }

  /** The nonce after `entries`' (a block's, about to be committed), for the commit to record. */
  nonceAfter(entries: readonly OutboxEntry[]): number {
    return Math.max(this.#nextNonce, ...entries.map((entry) => entry.nonce + 1));
  }

  /** Persists and queues an entry signed outside a block import (a relayed direct call). Call under the nonce lock. */
  async add(entry: OutboxEntry): Promise<void> {
    await this.turn(entry.nonce);
    const next = Math.max(this.#nextNonce, entry.nonce + 1);
    await this.#store.addOutboxEntry(entry, next);
    this.#pending.set(entry.hash, { entry });
    this.#metrics.set('sealbridge_outbox_pending', this.#pending.size);
    this.#advance(next);
  }

  /**
   * Resolves once every lower nonce is persisted. The enclave signs in nonce order, but a block's result and an
   * extrinsic it signed right after (a relayed call) reach the host on different paths.
   */
  turn(nonce: number): Promise<void> {
    if (nonce <= this.#nextNonce) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiting.push({ nonce, resolve, reject }));
  }

  /** The enclave that signed the waiting entries is gone: they will never be persisted. */
  abandonWaiting(reason: Error): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(reason);
  }

  #advance(next: number): void {
    this.#nextNonce = Math.max(this.#nextNonce, next);
    const ready = this.#waiting.filter((w) => w.nonce <= this.#nextNonce);
    this.#waiting = this.#waiting.filter((w) => w.nonce > this.#nextNonce);
    for (const waiter of ready) waiter.resolve();
  }

  /** Marks `nonce` as used by an extrinsic sent outside the outbox (the registration). Call under the nonce lock. */
  async consumeNonce(nonce: number): Promise<void> {
    await this.#store.setNextNonce(Math.max(this.#nextNonce, nonce + 1));
    this.#advance(nonce + 1);
  }

  /** Hashes of pending entries among `extrinsics` (of a newly imported block); only the enclave account's are hashed. */
  includedIn(extrinsics: readonly BlockExtrinsic[]): string[] {
    const address = this.#address;
    return extrinsics.filter((xt) => xt.signer && bytesEqual(xt.signer, address)).map((xt) => xt.hash()).filter((hash) => this.#pending.has(hash));
  }

  /** Applies a committed block: new entries become pending, included ones are done. */
  committed(added: OutboxEntry[], removed: string[]): void {
    for (const hash of removed) this.#pending.delete(hash);
    for (const entry of added) this.#pending.set(entry.hash, { entry });
    this.#metrics.set('sealbridge_outbox_pending', this.#pending.size);
    this.#advance(this.nonceAfter(added));
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
    // Stale: it is in a block we have not imported yet (or its nonce went elsewhere, which only the enclave could do).
    if (/outdated|stale/i.test(text)) return;
    pending.sentAt = undefined;
    this.#log.warn('extrinsic submission failed, will retry', { kind: pending.entry.kind, nonce: pending.entry.nonce, error: text });
  }
}
