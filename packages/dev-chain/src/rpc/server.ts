import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import type { Chain } from '../chain.js';
import type { Logger } from '../log.js';

import { METHODS, Subscription, UNSUBSCRIBE, rpcMethodNames } from './methods.js';
import { RPC_CODES, toRpcError } from './errors.js';

interface Request {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

type Response = { jsonrpc: '2.0'; id: unknown } & ({ result: unknown } | { error: unknown });

/**
 * @polkadot/api fetches a block and its events on InBlock and drops that result (rxjs switchMap) if Finalized
 * arrives first. A watched extrinsic's Finalized update is therefore held until this connection has been sent
 * the block (chain_getBlock) and storage at it (the events), at most this long.
 */
export const FINALIZED_HOLD_MAX_MS = 1000;
const FETCHED_BLOCK = 1;
const FETCHED_STORAGE = 2;
/** Methods whose responses count as "fetched", with the index of their block-hash parameter. */
const FETCH_METHODS: Record<string, [number, number]> = {
  chain_getBlock: [0, FETCHED_BLOCK],
  state_getStorage: [1, FETCHED_STORAGE],
  state_getStorageAt: [1, FETCHED_STORAGE],
  state_queryStorageAt: [1, FETCHED_STORAGE],
};
const FETCH_MEMORY = 256;

/** Per-connection record of which blocks the client has been sent, with waiters for the Finalized hold. */
class FetchTracker {
  readonly #fetched = new Map<string, number>();
  readonly #waiters = new Map<string, (() => void)[]>();

  mark(hash: string, bit: number): void {
    const v = (this.#fetched.get(hash) ?? 0) | bit;
    this.#fetched.delete(hash);
    this.#fetched.set(hash, v);
    if (this.#fetched.size > FETCH_MEMORY) this.#fetched.delete(this.#fetched.keys().next().value!);
    if (v === (FETCHED_BLOCK | FETCHED_STORAGE)) {
      for (const w of this.#waiters.get(hash) ?? []) w();
      this.#waiters.delete(hash);
    }
  }

  whenFetched(hash: string, fn: () => void): void {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      setImmediate(fn);
    };
    const timer = setTimeout(once, FINALIZED_HOLD_MAX_MS);
    timer.unref();
    if (this.#fetched.get(hash) === (FETCHED_BLOCK | FETCHED_STORAGE)) return once();
    const list = this.#waiters.get(hash) ?? [];
    list.push(once);
    this.#waiters.set(hash, list);
  }
}

/**
 * JSON-RPC 2.0 over WebSocket with Substrate-style subscriptions
 * (`{"method": <notification>, "params": {"subscription": id, "result": …}}`).
 */
export class RpcServer {
  readonly #wss: WebSocketServer;
  readonly #chain: Chain;
  readonly #log: Logger;
  readonly #methods = { version: 1, methods: rpcMethodNames() };

  private constructor(wss: WebSocketServer, chain: Chain, log: Logger) {
    this.#wss = wss;
    this.#chain = chain;
    this.#log = log;
    wss.on('connection', (ws) => this.#connection(ws));
  }

  static listen(chain: Chain, host: string, port: number, log: Logger): Promise<RpcServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host, port, maxPayload: 16 * 1024 * 1024 });
      wss.once('error', reject);
      wss.once('listening', () => {
        wss.off('error', reject);
        resolve(new RpcServer(wss, chain, log));
      });
    });
  }

  get port(): number {
    return (this.#wss.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #connection(ws: WebSocket): void {
    const subs = new Map<string, { notification: string; stop: () => void }>();
    const tracker = new FetchTracker();
    const send = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    ws.on('close', () => {
      for (const s of subs.values()) s.stop();
      subs.clear();
    });
    ws.on('error', (e) => this.#log.log('debug', 'websocket error', { error: String(e) }));
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return send({ jsonrpc: '2.0', id: null, error: { code: RPC_CODES.PARSE_ERROR, message: 'Parse error' } });
      }
      const after: (() => void)[] = [];
      const one = (req: unknown) => this.#handle(req as Request, subs, send, after, tracker);
      if (Array.isArray(parsed)) {
        if (!parsed.length) return send({ jsonrpc: '2.0', id: null, error: { code: RPC_CODES.INVALID_REQUEST, message: 'Invalid request' } });
        void Promise.all(parsed.map(one)).then((rs) => {
          send(rs.filter((r) => r !== undefined));
          after.forEach((f) => f());
        });
      } else {
        void one(parsed).then((r) => {
          if (r !== undefined) send(r);
          after.forEach((f) => f());
        });
      }
    });
  }

  async #handle(
    req: Request,
    subs: Map<string, { notification: string; stop: () => void }>,
    send: (msg: unknown) => void,
    after: (() => void)[],
    tracker: FetchTracker,
  ): Promise<Response | undefined> {
    if (!req || typeof req !== 'object' || req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
      return { jsonrpc: '2.0', id: req?.id ?? null, error: { code: RPC_CODES.INVALID_REQUEST, message: 'Invalid request' } };
    }
    const id = req.id;
    const isNotification = !('id' in req);
    const params = req.params === undefined ? [] : req.params;
    if (!Array.isArray(params)) return { jsonrpc: '2.0', id, error: { code: RPC_CODES.INVALID_PARAMS, message: 'Invalid params: expected an array' } };
    const method = req.method;
    try {
      let result: unknown;
      if (method === 'rpc_methods') result = this.#methods;
      else if (method in UNSUBSCRIBE) {
        const sub = subs.get(String(params[0]));
        result = !!sub && sub.notification === UNSUBSCRIBE[method];
        if (sub && result) {
          sub.stop();
          subs.delete(String(params[0]));
        }
      } else {
        const handler = METHODS[method];
        if (!handler) return { jsonrpc: '2.0', id, error: { code: RPC_CODES.METHOD_NOT_FOUND, message: 'Method not found' } };
        result = await handler(this.#chain, params);
        const fetch = FETCH_METHODS[method];
        const at = fetch && params[fetch[0]];
        if (fetch && typeof at === 'string') after.push(() => tracker.mark(at.toLowerCase(), fetch[1]));
        if (result instanceof Subscription) {
          const subId = randomBytes(8).toString('hex');
          const sub = result;
          const entry = { notification: sub.notification, stop: () => undefined as void };
          subs.set(subId, entry);
          // Start after the response carrying the id went out, so the client knows the id of the first notification.
          after.push(() => {
            if (!subs.has(subId)) return;
            const notify = (r: unknown) => send({ jsonrpc: '2.0', method: sub.notification, params: { subscription: subId, result: r } });
            entry.stop = sub.start(
              (r) => {
                const finalized = sub.notification === 'author_extrinsicUpdate' && r && typeof r === 'object' && 'finalized' in r;
                if (finalized) tracker.whenFetched(String((r as { finalized: string }).finalized), () => notify(r));
                else notify(r);
              },
              () => {
                entry.stop();
                subs.delete(subId);
              },
            );
          });
          result = subId;
        }
      }
      return isNotification ? undefined : { jsonrpc: '2.0', id, result };
    } catch (e) {
      const error = toRpcError(e, (err) => this.#log.log('error', 'rpc handler failed', { method, error: String((err as Error)?.stack ?? err) }));
      return isNotification ? undefined : { jsonrpc: '2.0', id, error };
    }
  }
}
