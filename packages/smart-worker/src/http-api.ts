import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DEFAULT_MAX_BODY_BYTES, LOG_LINES_PER_WORKER } from './constants.js';
import { parseCreateBody } from './create-request.js';
import { SmartWorkerError } from './errors.js';
import type { Logger } from './logger.js';
import type { SmartWorkerRuntime } from './runtime.js';

export interface ListenOptions {
  /** Default 0 (any free port). Escrin used 8080 (alpha.4) and later 1057. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest accepted request body (default 8 MiB). */
  maxBodyBytes?: number;
}

export interface RunnerServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The runner HTTP API. Escrin-compatible creation on `POST /` (Escrin ignores method and path; we keep `/`,
 * which every Escrin tutorial uses, and add `POST /workers`), plus list/status/delete/logs under `/workers`.
 * Every error body is `{"error": "..."}`.
 */
export async function startRunnerServer(
  runtime: SmartWorkerRuntime,
  options: ListenOptions,
  log: Logger,
): Promise<RunnerServer> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const tokenDigest = options.token === undefined ? undefined : sha256(options.token);
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const known = e instanceof SmartWorkerError;
      if (!known || e.status >= 500) log.log('error', 'runner API request failed', { url: req.url, error: String(e) });
      sendJson(res, known ? e.status : 500, { error: known ? e.message : 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (tokenDigest && !authorized(req.headers.authorization, tokenDigest)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new SmartWorkerError('ERR_UNAUTHORIZED', 'unauthorized');
    }
    const url = new URL(req.url ?? '/', 'http://runner.invalid');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (path === '/' || path === '/workers') {
      if (method === 'POST') {
        const body = await readBody(req, maxBodyBytes);
        const { id } = await runtime.create(await parseCreateBody(req.headers['content-type'], body));
        return sendJson(res, 201, { id });
      }
      if (path === '/workers' && method === 'GET') return sendJson(res, 200, { workers: runtime.list() });
      throw notAllowed();
    }
    if (segments[0] === 'workers' && segments.length === 2) {
      const id = segments[1]!;
      if (method === 'GET') {
        const info = runtime.get(id);
        if (!info) throw unknownWorker(id);
        return sendJson(res, 200, info);
      }
      if (method === 'DELETE') {
        if (!(await runtime.remove(id))) throw unknownWorker(id);
        res.writeHead(204).end();
        return;
      }
      throw notAllowed();
    }
    if (segments[0] === 'workers' && segments[2] === 'logs' && segments.length === 3) {
      if (method !== 'GET') throw notAllowed();
      return sendJson(res, 200, { lines: runtime.logs(segments[1]!, parseLimit(url.searchParams.get('limit'))) });
    }
    throw new SmartWorkerError('ERR_NOT_FOUND', 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new SmartWorkerError('ERR_PAYLOAD_TOO_LARGE', `request body exceeds ${maxBytes} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function authorized(header: string | undefined, tokenDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  // Comparing digests keeps the comparison constant-time regardless of the length of the guess.
  return match !== null && timingSafeEqual(sha256(match[1]!), tokenDigest);
}

function parseLimit(raw: string | null): number {
  if (raw === null) return 100;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > LOG_LINES_PER_WORKER) {
    throw new SmartWorkerError('ERR_INVALID_REQUEST', `limit must be an integer from 1 to ${LOG_LINES_PER_WORKER}`);
  }
  return limit;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const notAllowed = () => new SmartWorkerError('ERR_METHOD_NOT_ALLOWED', 'method not allowed');
const unknownWorker = (id: string) => new SmartWorkerError('ERR_NOT_FOUND', `unknown worker: ${id}`);
