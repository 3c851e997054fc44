import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

import type { Bytes, Text, Tuple, Vec, u32, u128 } from '@polkadot/types';

import { hexToU8a, isHex, u8aEq, u8aToHex, u8aToString } from '@polkadot/util';
import {
  ScaleDecodeError,
  ScaleReader,
  createSealbridgeRegistry,
  decodeExact,
  decodeRpcReturnValue,
  decodeShieldingKeyValue,
  encodeRequest,
  sealbridgeRegistry,
  shardToBase58,
  shieldEncrypt,
  shieldingKeyFromJson,
  signTrustedGetter,
  toShardBytes,
  verifyQuote,
  verifyRaTlsCertificate,
  type DecodedRpcReturnValue,
  type SigningPair,
  type TrustedCallSigned,
  type TrustedOperationOutcome,
  type TrustedOperationStatusName,
  type VerifyQuoteOptions,
} from '@sealbridge/chain-types';
import WebSocket from 'ws';

import { WorkerApplicationError, WorkerConnectionError, WorkerRpcError } from './errors.js';

export const DEFAULT_WORKER_URL = 'wss://127.0.0.1:2000';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ID = 0xffff_ffff; // Integritee ids are u32

/**
 * How to treat the worker's TLS certificate. `'insecure'` accepts any certificate, as the Integritee CLI and JS
 * client do (docs/integritee-protocol.md §6.3); `pinnedCertPem` requires exactly that certificate; `expectedMrenclave` requires an RA-TLS
 * certificate whose quote verifies and names that MRENCLAVE.
 */
export type WorkerTlsMode =
  | 'insecure'
  | { pinnedCertPem: string }
  | ({ expectedMrenclave: Uint8Array } & Omit<VerifyQuoteOptions, 'expectedMrenclave'>);

export interface ConnectWorkerOptions {
  tls?: WorkerTlsMode;
  /** Per-request timeout (first answer of a watch included). */
  timeoutMs?: number;
}

/** A signer that also knows its AccountId (a polkadot-js `KeyringPair` fits). */
export interface WorkerSigner extends SigningPair {
  readonly publicKey: Uint8Array;
}

/** A TrustedGetter as a createType value (`{ free_balance: accountId }`) or as SCALE bytes. */
export type TrustedGetterInput = Uint8Array | Record<string, unknown>;

export interface TopStatusUpdate {
  topHash: Uint8Array;
  status: TrustedOperationStatusName;
  /** For InSidechainBlock: the block the operation landed in (the parentchain block in Sealbridge). */
  blockHash?: Uint8Array;
  /** True for the last update of a watch (the server sets do_watch=false). */
  final: boolean;
}

/** `sealbridge_syncStatus`: how far the worker's parentchain import is. */
export interface WorkerSyncStatus {
  /** Last imported (and confirmed) parentchain block. */
  imported: number;
  /** Latest finalized parentchain block the worker saw. */
  finalized: number;
  lag: number;
  /** Set while the import fails at `block` with no progress: since (unix seconds) its first failure, and why. */
  stalled: { since: number; block: number; reason: string } | null;
}

export interface WorkerAttestation {
  quote: Uint8Array;
  certPem: string;
}

export interface VerifiedWorker {
  mrenclave: Uint8Array;
  /** Enclave signer public key bound by the quote. */
  signer: Uint8Array;
  certPem: string;
  /**
   * Whether the reported quote's report data binds sha256 of the served shielding-key JSON (Sealbridge workers'
   * convention: `signer ‖ sha256(shielding key JSON)`), i.e. the key clients encrypt to is attested too.
   */
  shieldingKeyAttested: boolean;
}

interface JsonRpcFrame {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

interface Pending {
  method: string;
  /** Returns true when this id expects no further frames. */
  onFrame(frame: JsonRpcFrame): boolean;
  fail(err: Error): void;
  timer?: NodeJS.Timeout;
}

/** chain-types' registry plus the two result shapes only this client decodes. */
const registry = createSealbridgeRegistry();
registry.register({
  PendingTrustedCalls: 'Vec<TrustedCallSigned>',
  /** `sealbridge_attestation` value: (quote, RA-TLS certificate PEM). */
  SealbridgeAttestation: '(Bytes, Text)',
});

const derToPem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

/** Opens a TLS WebSocket to a worker and applies the certificate policy before any request is sent. */
export async function connectWorker(url: string = DEFAULT_WORKER_URL, options: ConnectWorkerOptions = {}): Promise<WorkerClient> {
  const tls = options.tls ?? 'insecure';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Verification is done by us below (pinning or RA-TLS), never by a CA chain: enclave certificates are self-signed.
  const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false, handshakeTimeout: timeoutMs });
  let peerDer: Uint8Array | undefined;
  ws.once('upgrade', (res: IncomingMessage) => {
    const raw = (res.socket as TLSSocket).getPeerCertificate?.(true)?.raw;
    peerDer = raw ? new Uint8Array(raw) : undefined;
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error & { code?: string }): void => {
      const unreachable = new WorkerConnectionError('WORKER_UNREACHABLE', `worker not reachable at ${url} (${err.code ?? err.message})`, { cause: err });
      // A TLS server resets a plain HTTP upgrade: tell the user to use wss:// rather than show a bare ECONNRESET.
      if (!url.startsWith('ws://') || (err.code !== 'ECONNRESET' && !/socket hang up/.test(err.message))) return reject(unreachable);
      void speaksTls(url, timeoutMs).then((tls) => reject(tls
        ? new WorkerConnectionError('WORKER_TLS_REQUIRED', `the worker at ${url} speaks TLS on that port: use ${url.replace(/^ws:/, 'wss:')}`, { cause: err })
        : unreachable));
    };
    ws.once('error', onError);
    ws.once('open', () => {
      ws.off('error', onError);
      resolve();
    });
  });
  try {
    checkCertificate(tls, peerDer);
  } catch (err) {
    ws.terminate();
    throw err;
  }
  return new WorkerClient(ws, url, peerDer, timeoutMs);
}

/** Whether the host and port of a ws:// URL complete a TLS handshake. */
function speaksTls(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port: Number(port || 80), rejectUnauthorized: false, servername: isIP(host) ? undefined : host });
    const done = (tls: boolean): void => {
      socket.destroy();
      resolve(tls);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(timeoutMs, () => done(false));
  });
}

function checkCertificate(tls: WorkerTlsMode, peerDer: Uint8Array | undefined): void {
  if (tls === 'insecure') return;
  if (peerDer === undefined) throw new WorkerConnectionError('WORKER_CERT_MISMATCH', 'the worker presented no TLS certificate');
  if ('pinnedCertPem' in tls) {
    if (!u8aEq(new X509Certificate(tls.pinnedCertPem).raw, peerDer)) {
      throw new WorkerConnectionError('WORKER_CERT_MISMATCH', 'the worker certificate is not the pinned one');
    }
    return;
  }
  verifyRaTlsCertificate(derToPem(peerDer), tls);
}

/** Typed client of the worker's trusted JSON-RPC (Integritee G2a wire format plus `sealbridge_attestation` and `sealbridge_syncStatus`). */
export class WorkerClient {
  readonly url: string;
  readonly #ws: WebSocket;
  readonly #peerDer: Uint8Array | undefined;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #shieldingKey?: Promise<KeyObject>;
  #closedError?: Error;

  /** Use {@link connectWorker}. */
  constructor(ws: WebSocket, url: string, peerDer: Uint8Array | undefined, timeoutMs: number) {
    this.#ws = ws;
    this.url = url;
    this.#peerDer = peerDer;
    this.#timeoutMs = timeoutMs;
    ws.on('message', (data) => this.#onMessage(data.toString()));
    ws.on('error', () => {}); // 'close' follows and fails what is pending
    ws.on('close', (code) => {
      this.#closedError = new WorkerConnectionError('WORKER_CONNECTION_CLOSED', `connection to ${url} closed (${code})`);
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.fail(this.#closedError);
      }
      this.#pending.clear();
    });
  }

  /** PEM of the certificate the worker presented in the TLS handshake. */
  get peerCertificatePem(): string | undefined {
    return this.#peerDer && derToPem(this.#peerDer);
  }

  /** Raw JSON-RPC call: resolves with `result` as sent (hex RpcReturnValue or a plain string). */
  request(method: string, params: string[] = []): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#send(method, params, {
        method,
        onFrame: (frame) => {
          if (frame.error !== undefined) reject(rpcError(method, frame));
          else resolve(frame.result);
          return true;
        },
        fail: reject,
      });
    });
  }

  /** Calls a method answering an RpcReturnValue and returns its `value`; status Error → WorkerApplicationError. */
  async requestValue(method: string, params: string[] = []): Promise<Uint8Array> {
    return decodeResult(method, await this.request(method, params)).value;
  }

  /** serde-JSON of the RSA-3072 shielding key (the double SCALE wrapping of docs/integritee-protocol.md §2.5 removed). */
  async getShieldingKeyJson(): Promise<string> {
    return decodeShieldingKeyValue(await this.requestValue('author_getShieldingKey'));
  }

  /** The shielding key as a node KeyObject (fetched once per client). */
  getShieldingKey(): Promise<KeyObject> {
    this.#shieldingKey ??= this.getShieldingKeyJson().then(shieldingKeyFromJson);
    this.#shieldingKey.catch(() => (this.#shieldingKey = undefined));
    return this.#shieldingKey;
  }

  /** MRENCLAVE the worker reports about itself (not a proof: use {@link verifyWorker}). */
  async getFingerprint(): Promise<Uint8Array> {
    return decodeExact(sealbridgeRegistry, 'H256', await this.requestValue('author_getFingerprint')).toU8a();
  }

  async getShard(): Promise<Uint8Array> {
    return decodeExact(sealbridgeRegistry, 'H256', await this.requestValue('author_getShard')).toU8a();
  }

  async getShardVault(): Promise<{ account: Uint8Array; parentchainId: 'Integritee' | 'TargetA' | 'TargetB' }> {
    const [account, parentchainId] = decodeExact(sealbridgeRegistry, 'ShardVault', await this.requestValue('author_getShardVault'));
    return { account: account.toU8a(), parentchainId: parentchainId.type };
  }

  async getMuRaUrl(): Promise<string> {
    return decodeExact(sealbridgeRegistry, 'Text', await this.requestValue('author_getMuRaUrl')).toString();
  }

  async getUntrustedUrl(): Promise<string> {
    return decodeExact(sealbridgeRegistry, 'Text', await this.requestValue('author_getUntrustedUrl')).toString();
  }

  /** Sends SCALE(Getter) in clear (TLS only, as Integritee) and returns the SCALE value, or null for None. */
  async executeGetter(shard: Uint8Array | string, getter: Uint8Array): Promise<Uint8Array | null> {
    const value = await this.requestValue('state_executeGetter', [u8aToHex(encodeRequest(shard, getter))]);
    const option = decodeExact(sealbridgeRegistry, 'GetterResult', value);
    return option.isSome ? option.unwrap().toU8a(true) : null;
  }

  /** Signs a TrustedGetter with `signer` (payload = SCALE(getter), docs/integritee-protocol.md §3.4) and executes it. */
  trustedGetter(args: { shard: Uint8Array | string; getter: TrustedGetterInput; signer: SigningPair }): Promise<Uint8Array | null> {
    const signed = signTrustedGetter(args.signer, args.getter);
    return this.executeGetter(args.shard, sealbridgeRegistry.createType('Getter', { trusted: signed }).toU8a());
  }

  publicGetter(shard: Uint8Array | string, getter: 'some_value' = 'some_value'): Promise<Uint8Array | null> {
    return this.executeGetter(shard, sealbridgeRegistry.createType('Getter', { public: getter }).toU8a());
  }

  /** Free balance; 0 when the account is unknown (as the Integritee CLI's `unwrap_or_default`). */
  async getFreeBalance(shard: Uint8Array | string, pair: WorkerSigner): Promise<bigint> {
    const bytes = await this.trustedGetter({ shard, getter: { free_balance: pair.publicKey }, signer: pair });
    return bytes === null ? 0n : decodeExact<u128>(sealbridgeRegistry, 'u128', bytes).toBigInt();
  }

  async getNonce(shard: Uint8Array | string, pair: WorkerSigner): Promise<number> {
    const bytes = await this.trustedGetter({ shard, getter: { nonce: pair.publicKey }, signer: pair });
    return bytes === null ? 0 : decodeExact<u32>(sealbridgeRegistry, 'u32', bytes).toNumber();
  }

  /**
   * What the STF recorded for `pair`'s trusted operation with TOP hash `topHash` (Sealbridge `operation_outcome`
   * getter): null when the worker holds none — not executed (yet), never signed validly, or over 256 blocks ago.
   */
  async operationOutcome(shard: Uint8Array | string, pair: WorkerSigner, topHash: Uint8Array | string): Promise<TrustedOperationOutcome | null> {
    const bytes = await this.trustedGetter({ shard, getter: { operation_outcome: [pair.publicKey, topHash] }, signer: pair });
    return bytes === null ? null : decodeExact(sealbridgeRegistry, 'TrustedOperationOutcome', bytes);
  }

  /** Encrypts SCALE(TrustedOperation) with the shielding key and submits it; resolves with the TOP hash. */
  async submitDirect(shard: Uint8Array | string, top: Uint8Array): Promise<Uint8Array> {
    const params = await this.#submitParams(shard, top);
    const rrv = decodeResult('author_submitExtrinsic', await this.request('author_submitExtrinsic', params));
    return topUpdate('author_submitExtrinsic', rrv).topHash;
  }

  /**
   * Submits with `author_submitAndWatchExtrinsic` and yields every status (Submitted, Ready, …) until the last one
   * (InSidechainBlock, Invalid, …). An application error of the submission is thrown from the first iteration.
   */
  async *watch(shard: Uint8Array | string, top: Uint8Array): AsyncGenerator<TopStatusUpdate, void, undefined> {
    const method = 'author_submitAndWatchExtrinsic';
    const params = await this.#submitParams(shard, top);
    const queue: (TopStatusUpdate | Error)[] = [];
    let wake: (() => void) | undefined;
    const push = (item: TopStatusUpdate | Error): void => {
      queue.push(item);
      wake?.();
    };
    const id = this.#send(method, params, {
      method,
      onFrame: (frame) => {
        if (frame.error !== undefined) {
          push(rpcError(method, frame));
          return true;
        }
        try {
          const update = topUpdate(method, decodeResult(method, frame.result));
          push(update);
          return update.final;
        } catch (err) {
          push(err as Error);
          return true;
        }
      },
      fail: push,
    });
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const item = queue.shift() as TopStatusUpdate | Error;
        if (item instanceof Error) throw item;
        yield item;
        if (item.final) return;
      }
    } finally {
      const pending = this.#pending.get(id);
      clearTimeout(pending?.timer);
      this.#pending.delete(id);
    }
  }

  /** Pending calls of `account` in the worker's pool (Integritee v0.11 – v0.15.3 method). */
  async pendingTrustedCallsFor(shard: Uint8Array | string, account: Uint8Array): Promise<TrustedCallSigned[]> {
    const params = [shardToBase58(toShardBytes(shard)), u8aToHex(account)];
    const value = await this.requestValue('author_pendingTrustedCallsFor', params);
    return [...decodeExact<Vec<TrustedCallSigned>>(registry, 'PendingTrustedCalls', value)];
  }

  /** Quote and RA-TLS certificate as reported by `sealbridge_attestation` (unverified; see {@link verifyWorker}). */
  async getAttestation(): Promise<WorkerAttestation> {
    const value = await this.requestValue('sealbridge_attestation');
    const [quote, certPem] = decodeExact<Tuple>(registry, 'SealbridgeAttestation', value) as unknown as [Bytes, Text];
    return { quote: quote.toU8a(true), certPem: certPem.toString() };
  }

  /** The worker's import progress and stall, if any (`sealbridge_syncStatus`; -32601 from workers without it). */
  async syncStatus(): Promise<WorkerSyncStatus> {
    const r = new ScaleReader(await this.requestValue('sealbridge_syncStatus'), 'SyncStatus');
    const imported = r.u32('imported');
    const finalized = r.u32('finalized');
    const lag = r.u32('lag');
    const stalled = r.bool('stalled') ? { since: Number(r.uint(8, 'since')), block: r.u32('block'), reason: r.str('reason') } : null;
    r.end();
    return { imported, finalized, lag, stalled };
  }

  /**
   * Proves that this connection ends in the expected enclave: the certificate presented in the TLS handshake must be
   * an RA-TLS certificate whose quote verifies, names `expectedMrenclave` and binds the certificate's key; the
   * attestation the worker reports must carry that same certificate and a valid quote of the same enclave signer;
   * its fingerprint must match.
   */
  async verifyWorker(options: { expectedMrenclave: Uint8Array } & Omit<VerifyQuoteOptions, 'expectedMrenclave'>): Promise<VerifiedWorker> {
    const certPem = this.peerCertificatePem;
    if (certPem === undefined) throw new WorkerConnectionError('WORKER_CERT_MISMATCH', 'the worker presented no TLS certificate');
    const verified = verifyRaTlsCertificate(certPem, options);
    const reported = await this.getAttestation();
    if (!u8aEq(new X509Certificate(reported.certPem).raw, this.#peerDer as Uint8Array)) {
      throw new WorkerConnectionError('WORKER_CERT_MISMATCH', 'the attestation certificate differs from the one presented in TLS');
    }
    const quote = verifyQuote(reported.quote, options);
    if (!u8aEq(quote.reportData.subarray(0, 32), verified.signer)) {
      throw new WorkerConnectionError('WORKER_BAD_RESPONSE', 'the reported quote names another enclave signer than the TLS certificate');
    }
    const fingerprint = await this.getFingerprint();
    if (!u8aEq(fingerprint, verified.quote.mrenclave)) {
      throw new WorkerConnectionError('WORKER_BAD_RESPONSE', 'author_getFingerprint differs from the attested MRENCLAVE');
    }
    const keyHash = createHash('sha256').update(await this.getShieldingKeyJson()).digest();
    const shieldingKeyAttested = u8aEq(quote.reportData.subarray(32), keyHash);
    return { mrenclave: verified.quote.mrenclave, signer: verified.signer, certPem, shieldingKeyAttested };
  }

  /** Closes the connection; outstanding requests fail with WORKER_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close();
    await closed;
  }

  async #submitParams(shard: Uint8Array | string, top: Uint8Array): Promise<string[]> {
    const cyphertext = shieldEncrypt(await this.getShieldingKey(), top);
    return [u8aToHex(encodeRequest(shard, cyphertext))];
  }

  #send(method: string, params: string[], pending: Pending): number {
    const id = this.#nextId;
    this.#nextId = id >= MAX_ID ? 1 : id + 1;
    if (this.#closedError || this.#ws.readyState !== WebSocket.OPEN) {
      pending.fail(this.#closedError ?? new WorkerConnectionError('WORKER_CONNECTION_CLOSED', `connection to ${this.url} is not open`));
      return id;
    }
    pending.timer = setTimeout(() => {
      this.#pending.delete(id);
      pending.fail(new WorkerConnectionError('WORKER_TIMEOUT', `${method}: no answer from ${this.url} within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
    this.#pending.set(id, pending);
    this.#ws.send(JSON.stringify({ jsonrpc: '2.0', method, params, id }));
    return id;
  }

  #onMessage(text: string): void {
    let frame: JsonRpcFrame;
    try {
      frame = JSON.parse(text) as JsonRpcFrame;
    } catch {
      return; // not JSON: nothing can be matched to it
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.id !== 'number') return;
    const pending = this.#pending.get(frame.id);
    if (pending === undefined) return;
    // The first answer arrived: a watch may now take as long as the chain needs.
    clearTimeout(pending.timer);
    pending.timer = undefined;
    if (pending.onFrame(frame)) this.#pending.delete(frame.id);
  }
}

function rpcError(method: string, frame: JsonRpcFrame): WorkerRpcError {
  const code = typeof frame.error?.code === 'number' ? frame.error.code : 0;
  return new WorkerRpcError(method, code, String(frame.error?.message ?? 'unknown error'));
}

/**
 * Decodes a hex RpcReturnValue result; status Error becomes WorkerApplicationError. Also understands Integritee's
 * double-hex error quirk (`author_getShardVault` hex-encodes the already-hex error string once more, docs/integritee-protocol.md §2.4).
 */
function decodeResult(method: string, result: unknown): DecodedRpcReturnValue {
  if (typeof result !== 'string' || !isHex(result)) {
    throw new WorkerConnectionError('WORKER_BAD_RESPONSE', `${method}: result is not hex: ${JSON.stringify(result)?.slice(0, 80)}`);
  }
  let bytes = hexToU8a(result);
  let rrv: DecodedRpcReturnValue;
  try {
    rrv = decodeRpcReturnValue(bytes);
  } catch (err) {
    const inner = u8aToString(bytes);
    if (!(err instanceof ScaleDecodeError) || !isHex(inner)) throw err;
    bytes = hexToU8a(inner);
    rrv = decodeRpcReturnValue(bytes);
  }
  if (rrv.status.kind === 'Error') throw new WorkerApplicationError(method, rrv.errorMessage ?? u8aToHex(rrv.value));
  return rrv;
}

function topUpdate(method: string, rrv: DecodedRpcReturnValue): TopStatusUpdate {
  if (rrv.status.kind !== 'TrustedOperationStatus') {
    throw new WorkerConnectionError('WORKER_BAD_RESPONSE', `${method}: expected a TrustedOperationStatus, got ${rrv.status.kind}`);
  }
  return {
    topHash: rrv.value,
    status: rrv.status.status,
    ...(rrv.status.blockHash && { blockHash: rrv.status.blockHash }),
    final: !rrv.doWatch,
  };
}
