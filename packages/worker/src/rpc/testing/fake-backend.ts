import { constants, generateKeyPairSync, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';

import { u8aConcat, u8aEq, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519Verify, sr25519Verify } from '@polkadot/util-crypto';

import type { RpcBackend, ShardVault, TopWatcher } from '../backend.js';
import { RpcServerError } from '../errors.js';

const RSA_BLOCK = 384;
/** SGX SDK default exponent (§2.5): clients must read `e` from the JSON, not assume 65537. */
const SGX_RSA3072_DEFAULT_E = 0x01000001;

interface Account { free: bigint; reserved: bigint; nonce: number }

/** Length of a MultiSignature's bytes by variant (Ed25519, Sr25519, Ecdsa). */
const SIG_LEN = [64, 64, 65];

/** TrustedCall variants this double understands, with their argument length (G2a indices, §3.2). */
const CALL_ARG_LEN: Record<number, number> = { 0: 32, 2: 32 + 32 + 16 };

function verifyMultiSignature(payload: Uint8Array, sig: Uint8Array, signer: Uint8Array): boolean {
  const body = sig.subarray(1);
  if (sig[0] === 0) return ed25519Verify(payload, body, signer);
  if (sig[0] === 1) return sr25519Verify(payload, body, signer);
  return false; // ecdsa signers are not AccountId32-addressable here
}

function readSignature(bytes: Uint8Array, at: number): Uint8Array | undefined {
  const len = SIG_LEN[bytes[at]];
  return len !== undefined && bytes.length === at + 1 + len ? bytes.subarray(at, at + 1 + len) : undefined;
}

const u128Le = (v: bigint): Uint8Array => {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(0, v & 0xffff_ffff_ffff_ffffn, true);
  new DataView(out.buffer).setBigUint64(8, v >> 64n, true);
  return out;
};
const u32Le = (v: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true);
  return out;
};

export interface FakeBackendOptions {
  /** Keep submitted calls pending instead of executing them (for `author_pending*`). */
  holdPending?: boolean;
  /** Report Ready synchronously inside submitTrustedOperation, before it resolves (ordering test). */
  synchronousReady?: boolean;
  vault?: ShardVault | null;
  /** Reuse another double's RSA key (3072-bit generation takes a second or two). */
  shareKeyWith?: FakeBackend;
}

/**
 * RpcBackend double on real crypto: an RSA-3072 shielding key with the SGX exponent (node:crypto OAEP-SHA256),
 * sr25519/ed25519 signature checks over the Integritee payloads, a small balance table and a TOP "pool".
 */
export class FakeBackend implements RpcBackend {
  readonly mrenclaveBytes = new Uint8Array(randomBytes(32));
  readonly shard = this.mrenclaveBytes;
  readonly certPem: string;
  readonly quote = new Uint8Array(randomBytes(64));
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #accounts = new Map<string, Account>();
  readonly #pending: { top: Uint8Array; sender: Uint8Array }[] = [];
  readonly #options: FakeBackendOptions;
  /** Dispatch count per method, from the `onRequest` metrics hook. */
  readonly requestCounts = new Map<string, number>();
  /** Parentchain block hash reported in InSidechainBlock (the relay target in the offchain-worker flavour). */
  readonly blockHash = new Uint8Array(randomBytes(32));

  constructor(certPem: string, options: FakeBackendOptions = {}) {
    const keys = options.shareKeyWith ? options.shareKeyWith.#keys() : generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: SGX_RSA3072_DEFAULT_E });
    this.#privateKey = keys.privateKey;
    this.#publicKey = keys.publicKey;
    this.certPem = certPem;
    this.#options = options;
  }

  #keys(): { privateKey: KeyObject; publicKey: KeyObject } {
    return { privateKey: this.#privateKey, publicKey: this.#publicKey };
  }

  setAccount(account: Uint8Array, state: Partial<Account>): void {
    this.#accounts.set(u8aToHex(account), { free: 0n, reserved: 0n, nonce: 0, ...state });
  }

  account(account: Uint8Array): Account | undefined {
    return this.#accounts.get(u8aToHex(account));
  }

  mrenclave(): Uint8Array {
    return this.mrenclaveBytes;
  }

  shards(): Uint8Array[] {
    return [this.shard];
  }

  shieldingKeyJson(): string {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    const le = (b64: string, size: number): number[] => {
      const be = Buffer.from(b64, 'base64url');
      const out = new Array<number>(size).fill(0);
      for (let i = 0; i < be.length; i++) out[i] = be[be.length - 1 - i];
      return out;
    };
    // serde of Rsa3072PubKey: field order n, e; little-endian byte arrays.
    return JSON.stringify({ n: le(jwk.n as string, RSA_BLOCK), e: le(jwk.e as string, 4) });
  }

  /** SPKI PEM of the shielding key, for specs that encrypt with node:crypto directly. */
  shieldingPublicKey(): string {
    return this.#publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }

  async decryptRequest(cyphertext: Uint8Array): Promise<Uint8Array> {
    if (cyphertext.length === 0 || cyphertext.length % RSA_BLOCK !== 0) throw new Error('SGX_ERROR_INVALID_PARAMETER');
    const parts: Uint8Array[] = [];
    for (let at = 0; at < cyphertext.length; at += RSA_BLOCK) {
      const block = cyphertext.subarray(at, at + RSA_BLOCK);
      parts.push(privateDecrypt({ key: this.#privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, block));
    }
    return u8aConcat(...parts);
  }

  async executeGetter(_shard: Uint8Array, getter: Uint8Array): Promise<Uint8Array | null> {
    if (getter[0] === 0) {
      if (getter.length !== 2 || getter[1] !== 0) throw new RpcServerError('GETTER_DECODE', 'cannot decode PublicGetter');
      return u32Le(42); // some_value
    }
    const sig = getter[0] === 1 && getter[1] <= 2 ? readSignature(getter, 34) : undefined;
    if (sig === undefined) throw new RpcServerError('GETTER_DECODE', 'cannot decode Getter');
    const who = getter.subarray(2, 34);
    if (!verifyMultiSignature(getter.subarray(1, 34), sig, who)) throw new RpcServerError('GETTER_NOT_AUTHORIZED');
    const acc = this.account(who);
    if (acc === undefined) return null;
    return getter[1] === 0 ? u128Le(acc.free) : getter[1] === 1 ? u128Le(acc.reserved) : u32Le(acc.nonce);
  }

  async submitTrustedOperation(shard: Uint8Array, top: Uint8Array, watcher?: TopWatcher): Promise<Uint8Array> {
    const argLen = CALL_ARG_LEN[top[1]];
    const callEnd = argLen === undefined ? -1 : 2 + argLen;
    const sig = callEnd > 0 ? readSignature(top, callEnd + 4) : undefined;
    if (sig === undefined) throw new RpcServerError('TOP_BAD_FORMAT');
    const sender = top.subarray(2, 34);
    const hash = blake2AsU8a(top, 256);
    if (this.#pending.some((p) => u8aEq(p.top, top))) throw new RpcServerError('TOP_ALREADY_IMPORTED');
    this.#pending.push({ top, sender });
    if (this.#options.synchronousReady) watcher?.({ kind: 'Ready' });
    if (!this.#options.holdPending) {
      setImmediate(() => this.#execute(shard, top, sender, sig, watcher));
    }
    return hash;
  }

  #execute(shard: Uint8Array, top: Uint8Array, sender: Uint8Array, sig: Uint8Array, watcher?: TopWatcher): void {
    this.#pending.splice(this.#pending.findIndex((p) => p.top === top), 1);
    const call = top.subarray(1, 2 + CALL_ARG_LEN[top[1]]);
    const nonceBytes = top.subarray(call.length + 1, call.length + 5);
    const payload = u8aConcat(call, nonceBytes, this.mrenclaveBytes, shard);
    const acc = this.account(sender);
    const nonce = new DataView(nonceBytes.buffer, nonceBytes.byteOffset, 4).getUint32(0, true);
    if (!verifyMultiSignature(payload, sig, sender) || acc === undefined || acc.nonce !== nonce) {
      watcher?.({ kind: 'Invalid', reason: 'bad signature or nonce' });
      return;
    }
    if (!this.#options.synchronousReady) watcher?.({ kind: 'Ready' });
    acc.nonce++;
    if (call[0] === 2) {
      const amount = new DataView(call.buffer, call.byteOffset + 65, 16);
      const value = amount.getBigUint64(0, true) + (amount.getBigUint64(8, true) << 64n);
      const to = call.subarray(33, 65);
      if (acc.free >= value) {
        acc.free -= value;
        const dest = this.account(to) ?? { free: 0n, reserved: 0n, nonce: 0 };
        dest.free += value;
        this.#accounts.set(u8aToHex(to), dest);
      }
    }
    setImmediate(() => watcher?.({ kind: 'InSidechainBlock', blockHash: this.blockHash }));
  }

  pendingTrustedCallsFor(_shard: Uint8Array, account: Uint8Array): Uint8Array[] {
    return this.#pending.filter((p) => u8aEq(p.sender, account)).map((p) => p.top.subarray(1));
  }

  pendingOperations(_shard: Uint8Array): Uint8Array[] {
    return this.#pending.map((p) => p.top);
  }

  shardVault(_shard: Uint8Array): ShardVault | null {
    return this.#options.vault ?? null;
  }

  attestation(): { quote: Uint8Array; certPem: string } {
    return { quote: this.quote, certPem: this.certPem };
  }

  muRaUrl(): string {
    return 'wss://127.0.0.1:3443';
  }

  untrustedUrl(): string {
    return 'ws://127.0.0.1:2001';
  }

  metadata(): Uint8Array {
    return u8aConcat(new TextEncoder().encode('meta'), Uint8Array.of(14, 0));
  }

  onRequest(method: string): void {
    this.requestCounts.set(method, (this.requestCounts.get(method) ?? 0) + 1);
  }
}
