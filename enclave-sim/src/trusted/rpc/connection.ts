import type { RawData, WebSocket } from 'ws';

import type { RpcBackend, TopStatus, TopWatcher } from './backend.js';
import type { DecryptLane, DecryptQueue } from './decrypt-queue.js';
import { JSON_RPC_CODES, toRpcFailure, type JsonRpcErrorObject } from './errors.js';
import type { GetterReplies } from './getter-replies.js';
import type { RpcLog } from './log.js';
import { lookupHandler, type CallContext } from './methods.js';
import type { RpcLimits } from './settings.js';
import { TERMINAL_STATUSES, rpcTopStatusHex } from './wire.js';

type JsonRpcId = number | string | null;
/** A reply frame (null: nothing to send), now or later. */
type Reply = string | null | Promise<string | null>;

/** One reply position in the connection's FIFO; `frame` stays undefined until the handler is done. */
interface Slot {
  frame?: string | null;
  /** Watches opened by this request; armed once the reply has been sent so no status overtakes it. */
  watches?: Watch[];
}

interface Watch {
  id: JsonRpcId;
  topHash: Uint8Array;
  armed: boolean;
  done: boolean;
  early: string[];
}

const OPEN = 1;
const CLOSE_POLICY_VIOLATION = 1008;

const errorFrame = (id: JsonRpcId, error: JsonRpcErrorObject): string => JSON.stringify({ jsonrpc: '2.0', error, id });
/** Same bytes as JSON.stringify({ jsonrpc, result, id }) without building and walking an object per reply. */
const resultFrame = (id: JsonRpcId, result: string): string => `{"jsonrpc":"2.0","result":${JSON.stringify(result)},"id":${JSON.stringify(id)}}`;

const isValidId = (id: unknown): id is JsonRpcId =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff);

/**
 * One WebSocket client. Replies leave strictly in request order (the encointer JS client always sends id 1 and
 * matches by arrival), so each message takes a slot in a FIFO and the head is flushed as soon as it is ready.
 * Only watch registrations ever produce frames that were not asked for.
 */
export class RpcConnection {
  readonly #ws: WebSocket;
  readonly #backend: RpcBackend;
  readonly #limits: RpcLimits;
  readonly #log: RpcLog;
  readonly #getterReplies: GetterReplies;
  readonly #decrypts: DecryptLane;
  readonly #slots: Slot[] = [];
  #inFlight = 0;
  #tokens: number;
  #refilledAt = performance.now();
  #closed = false;

  constructor(ws: WebSocket, backend: RpcBackend, limits: RpcLimits, log: RpcLog, getterReplies: GetterReplies, decrypts: DecryptQueue) {
    this.#ws = ws;
    this.#backend = backend;
    this.#limits = limits;
    this.#log = log;
    this.#getterReplies = getterReplies;
    this.#decrypts = decrypts.lane();
    this.#tokens = limits.rateLimitBurst;
  }

  /** Called by the server once the socket is gone; late handler results and watch updates are dropped. */
  closed(): void {
    this.#closed = true;
    this.#slots.length = 0;
    this.#decrypts.close();
  }

  onMessage(data: RawData): void {
    if (this.#closed) return;
    if (this.#slots.length >= this.#limits.maxQueuedPerConnection) {
      this.#log({ level: 'warn', component: 'rpc', msg: 'reply queue overflow, closing connection' });
      this.#ws.close(CLOSE_POLICY_VIOLATION, 'too many queued requests');
      this.closed();
      return;
    }
    const slot: Slot = {};
    this.#slots.push(slot);
    if (this.#inFlight >= this.#limits.maxInFlightPerConnection) {
      this.#finish(slot, errorFrame(peekId(data), { code: JSON_RPC_CODES.LIMIT_EXCEEDED, message: 'Too many requests in flight' }));
      return;
    }
    this.#inFlight++;
    const done = (frame: string | null): void => {
      this.#inFlight--;
      this.#finish(slot, frame);
    };
    // Synchronous handlers answer without a promise hop; async ones (getters, submissions) resolve later.
    let out: Reply;
    try {
      out = this.#handleFrame(data, slot);
    } catch (err) {
      out = Promise.reject(err);
    }
    if (typeof out === 'string' || out === null) {
      done(out);
      return;
    }
    out.then(done, (err: unknown) => {
      // #handleEntry catches handler errors; reaching here is a server bug, still answered in order.
      this.#log({ level: 'error', component: 'rpc', msg: 'frame handling failed', error: String(err) });
      done(errorFrame(null, { code: JSON_RPC_CODES.INTERNAL_ERROR, message: 'Internal error' }));
    });
  }

  #handleFrame(data: RawData, slot: Slot): Reply {
    let body: unknown;
    try {
      body = JSON.parse(rawToString(data));
    } catch {
      return errorFrame(null, { code: JSON_RPC_CODES.PARSE_ERROR, message: 'Parse error' });
    }
    if (!Array.isArray(body)) return this.#handleEntry(body, slot);
    if (body.length === 0 || body.length > this.#limits.maxBatchItems) {
      const message = body.length === 0 ? 'Invalid request: empty batch' : `Invalid request: batch larger than ${this.#limits.maxBatchItems}`;
      return errorFrame(null, { code: JSON_RPC_CODES.INVALID_REQUEST, message });
    }
    const join = (replies: (string | null)[]): string | null => {
      const frames = replies.filter((r) => r !== null);
      return frames.length === 0 ? null : `[${frames.join(',')}]`;
    };
    const replies = body.map((entry) => this.#handleEntry(entry, slot));
    return replies.some((r) => typeof r === 'object' && r !== null) ? Promise.all(replies).then(join) : join(replies as (string | null)[]);
  }

  #handleEntry(entry: unknown, slot: Slot): Reply {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return errorFrame(null, { code: JSON_RPC_CODES.INVALID_REQUEST, message: 'Invalid request: not an object' });
    }
    const req = entry as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
    const isNotification = !('id' in req);
    if (!isNotification && !isValidId(req.id)) {
      return errorFrame(null, { code: JSON_RPC_CODES.INVALID_REQUEST, message: 'Invalid request: bad id' });
    }
    const id = isNotification ? null : (req.id as JsonRpcId);
    if (req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
      return errorFrame(id, { code: JSON_RPC_CODES.INVALID_REQUEST, message: 'Invalid request' });
    }
    const method = req.method;
    if (!this.#takeToken()) {
      return errorFrame(id, { code: JSON_RPC_CODES.LIMIT_EXCEEDED, message: 'Rate limit exceeded' });
    }
    const handler = lookupHandler(method);
    this.#backend.onRequest?.(handler ? method : 'unknown');
    if (handler === undefined) {
      return isNotification ? null : errorFrame(id, { code: JSON_RPC_CODES.METHOD_NOT_FOUND, message: 'Method not found' });
    }
    const opened: Watch[] = [];
    const ctx: CallContext = {
      backend: this.#backend,
      getterReplies: this.#getterReplies,
      decrypt: (cyphertext) => this.#decrypts.decrypt(cyphertext),
      // A notification has no id to answer with, so it cannot be watched.
      openWatch: (topHash) => (isNotification ? () => {} : this.#openWatch(slot, id, topHash, opened)),
    };
    const startedAt = performance.now();
    const answered = (): void => this.#backend.onResponse?.(method, (performance.now() - startedAt) / 1000);
    const succeed = (result: string): string | null => {
      answered();
      return isNotification ? null : resultFrame(id, result);
    };
    const fail = (err: unknown): string | null => {
      answered();
      // A failed submission is not watched: drop anything its watcher may already have reported.
      for (const watch of opened) {
        watch.done = true;
        watch.early.length = 0;
      }
      const failure = toRpcFailure(err, method, this.#log);
      if (isNotification) return null;
      return 'error' in failure ? errorFrame(id, failure.error) : resultFrame(id, failure.result);
    };
    let result: string | Promise<string>;
    try {
      result = handler(req.params, ctx);
    } catch (err) {
      return fail(err);
    }
    return typeof result === 'string' ? succeed(result) : result.then(succeed, fail);
  }

  #openWatch(slot: Slot, id: JsonRpcId, topHash: Uint8Array, opened: Watch[]): TopWatcher {
    const watch: Watch = { id, topHash, armed: false, done: false, early: [] };
    (slot.watches ??= []).push(watch);
    opened.push(watch);
    return (status: TopStatus) => {
      if (watch.done || this.#closed) return;
      const terminal = TERMINAL_STATUSES.has(status.kind);
      watch.done = terminal;
      // Same JSON-RPC response object (same id) with a new RpcReturnValue; do_watch drops to false at the end (docs/integritee-protocol.md §2.6).
      const frame = resultFrame(watch.id, rpcTopStatusHex(watch.topHash, status, !terminal));
      if (watch.armed) this.#send(frame);
      else watch.early.push(frame);
    };
  }

  #finish(slot: Slot, frame: string | null): void {
    if (this.#closed) return;
    slot.frame = frame;
    while (this.#slots.length > 0 && this.#slots[0].frame !== undefined) {
      const head = this.#slots.shift() as Slot;
      if (head.frame !== null && head.frame !== undefined) this.#send(head.frame);
      for (const watch of head.watches ?? []) {
        watch.armed = true;
        for (const early of watch.early.splice(0)) this.#send(early);
      }
      if (this.#closed) return;
    }
  }

  #send(frame: string): void {
    if (this.#closed || this.#ws.readyState !== OPEN) return;
    this.#ws.send(frame);
    // A reader that does not drain its socket must not make the process hold its replies forever.
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#log({ level: 'warn', component: 'rpc', msg: 'slow reader, terminating connection', buffered: this.#ws.bufferedAmount });
      this.#ws.terminate();
      this.closed();
    }
  }

  #takeToken(): boolean {
    const now = performance.now();
    const { rateLimitPerSecond, rateLimitBurst } = this.#limits;
    this.#tokens = Math.min(rateLimitBurst, this.#tokens + ((now - this.#refilledAt) * rateLimitPerSecond) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Id of a single request, so an id-matching client can pair the refusal with its request. */
function peekId(data: RawData): JsonRpcId {
  try {
    const id = (JSON.parse(rawToString(data)) as { id?: unknown } | null)?.id;
    return isValidId(id) ? id : null;
  } catch {
    return null;
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}
