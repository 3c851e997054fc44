import { STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

import type { RpcBackend } from './backend.js';
import { RpcConnection } from './connection.js';
import { DecryptQueue } from './decrypt-queue.js';
import { GetterReplies } from './getter-replies.js';
import { noopLog, type RpcLog } from './log.js';
import { DEFAULT_RPC_LIMITS, DEFAULT_RPC_PORT, type RpcLimits } from './settings.js';

export interface RpcServerOptions {
  backend: RpcBackend;
  /** Certificate the server presents (RA-TLS certificate from the enclave in production). */
  tls: { certPem: string; keyPem: string };
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  limits?: Partial<RpcLimits>;
  log?: RpcLog;
}

export interface RpcServer {
  port: number;
  url: string;
  /** Open WebSocket connections right now. */
  connectionCount(): number;
  /** Stops listening and terminates every connection. */
  close(): Promise<void>;
}

/** Starts the trusted JSON-RPC 2.0 server over TLS WebSocket (Integritee `wss://…:2000` wire format). */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const limits: RpcLimits = { ...DEFAULT_RPC_LIMITS, ...options.limits };
  const log = options.log ?? noopLog;
  const host = options.host ?? '127.0.0.1';
  const https: Server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  https.on('tlsClientError', (err) => log({ level: 'debug', component: 'rpc', msg: 'tls handshake failed', error: err.message }));

  // clientTracking off: we keep our own Set so nothing walks every client per message; no deflate (CPU and memory).
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: limits.maxFrameBytes });
  const sockets = new Set<WebSocket>();
  const getterReplies = new GetterReplies(limits.getterReplyCacheEntries);
  const { backend } = options;
  const decrypts = new DecryptQueue(
    { maxRunning: limits.maxDecryptsRunning, maxPerConnection: limits.maxDecryptsPerConnection, maxWaiting: limits.maxDecryptsWaiting },
    (cyphertext) => backend.decryptRequest(cyphertext),
    (reason) => backend.onRefused?.(reason),
  );

  let warnedAt = -Infinity;
  // ws upgrades synchronously (no verifyClient), so the count includes every connection accepted before this one.
  https.on('upgrade', (req, socket, head) => {
    if (sockets.size < limits.maxConnections) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return;
    }
    backend.onRefused?.('max_connections');
    // One line per minute at most: a client hammering the ceiling must not flood the log.
    if (performance.now() - warnedAt > 60_000) {
      warnedAt = performance.now();
      log({ level: 'warn', component: 'rpc', msg: 'connection limit reached, refusing new connections', maxConnections: limits.maxConnections });
    }
    refuseUpgrade(socket, 503, `connection limit of ${limits.maxConnections} reached; retry later\n`);
  });

  wss.on('connection', (ws) => {
    const conn = new RpcConnection(ws, backend, limits, log, getterReplies, decrypts);
    sockets.add(ws);
    ws.on('message', (data) => conn.onMessage(data));
    // Oversized frames surface here (ws closes with 1009 from the header, unread); other socket errors end the connection too.
    ws.on('error', (err) => {
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') backend.onRefused?.('frame_too_large');
      log({ level: 'debug', component: 'rpc', msg: 'connection error', error: err.message });
    });
    ws.on('close', () => {
      conn.closed();
      sockets.delete(ws);
    });
  });
  wss.on('error', (err) => log({ level: 'error', component: 'rpc', msg: 'server error', error: err.message }));

  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(options.port ?? DEFAULT_RPC_PORT, host, () => {
      https.off('error', reject);
      resolve();
    });
  });
  const { port } = https.address() as AddressInfo;
  const url = `wss://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log({ level: 'info', component: 'rpc', msg: 'trusted rpc listening', url });

  return {
    port,
    url,
    connectionCount: () => sockets.size,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => https.close(() => resolve()));
      https.closeAllConnections();
      await closed;
    },
  };
}

/** Answers an upgrade request with a plain HTTP error (clients report the status) and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  const headers = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, 'Connection: close', 'Content-Type: text/plain', `Content-Length: ${Buffer.byteLength(body)}`, 'Retry-After: 1'];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
