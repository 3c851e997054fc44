import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_JS } from './page.js';
import type { ConsoleStatus, Health } from './status.js';

/** How often the page gets a new status over Server-Sent Events. */
export const PUSH_EVERY_MS = 2_000;

const SECURITY_HEADERS = {
  // Everything the page needs comes from this server; nothing inline, nothing from elsewhere.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const ASSETS: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: CONSOLE_HTML },
  '/console.css': { type: 'text/css; charset=utf-8', body: CONSOLE_CSS },
  '/console.js': { type: 'text/javascript; charset=utf-8', body: CONSOLE_JS },
};

export interface ConsoleServerDeps {
  metrics: Metrics;
  status: () => ConsoleStatus;
  health: () => Health;
  log: Logger;
}

export interface ConsoleServer {
  /** Base URL, ending in `/` (the page). */
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's HTTP port for operators (`--metrics-port`): Prometheus text on `/metrics`, the console page on `/`,
 * its live feed on `/events`, a snapshot on `/status.json`, and `/health` (200 ready, 503 not ready; JSON body).
 */
export async function serveConsole(deps: ConsoleServerDeps, port: number, host = '127.0.0.1'): Promise<ConsoleServer> {
  const { metrics, log } = deps;
  const feeds = new Set<http.ServerResponse>();
  let pushTimer: NodeJS.Timeout | undefined;

  const push = () => {
    if (feeds.size === 0) return;
    const frame = `event: status\ndata: ${JSON.stringify(deps.status())}\n\n`;
    for (const feed of feeds) feed.write(frame);
  };
  const openFeed = (res: http.ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write(`retry: 3000\nevent: status\ndata: ${JSON.stringify(deps.status())}\n\n`);
    feeds.add(res);
    res.on('close', () => {
      feeds.delete(res);
      if (feeds.size === 0) {
        clearInterval(pushTimer);
        pushTimer = undefined;
      }
    });
    pushTimer ??= setInterval(push, PUSH_EVERY_MS);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(body)}\n`);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
    } else if (path === '/health') {
      const health = deps.health();
      json(res, health.live && health.ready ? 200 : 503, health);
    } else if (path === '/status.json') {
      json(res, 200, deps.status());
    } else if (path === '/events') {
      openFeed(res);
    } else if (ASSETS[path]) {
      const asset = ASSETS[path];
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type }).end(asset.body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('console request failed', { path: req.url, error: (error as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(pushTimer);
        for (const feed of feeds) feed.end();
        server.close(() => resolve());
        // Open feeds and idle keep-alive sockets would hold the close back.
        server.closeAllConnections();
      }),
  };
}
