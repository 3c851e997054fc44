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
      const one = (req: unknown) => this.#handle(req as Request, subs, send, after);
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
        if (result instanceof Subscription) {
          const subId = randomBytes(8).toString('hex');
          const sub = result;
          const entry = { notification: sub.notification, stop: () => undefined as void };
          subs.set(subId, entry);
          // Start after the response carrying the id went out, so the client knows the id of the first notification.
          after.push(() => {
            if (!subs.has(subId)) return;
            entry.stop = sub.start(
              (r) => send({ jsonrpc: '2.0', method: sub.notification, params: { subscription: subId, result: r } }),
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
