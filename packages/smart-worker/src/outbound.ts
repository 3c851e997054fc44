import type { Request, Response } from 'miniflare';

import { miniflare } from './miniflare.js';

import { SmartWorkerError } from './errors.js';

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Builds the miniflare `outboundService` that every `fetch()` of a worker goes through. Allowed targets are
 * `host` (default ports 80/443 only) or `host:port` (IPv6 as `[::1]:8080`). Anything else, and every non-HTTP
 * scheme, is answered with 403 so the worker sees a failed request; redirects are not followed here, so each hop
 * of a redirect comes back through this check.
 */
export function createOutboundService(allow: readonly string[]): (request: Request) => Promise<Response> {
  const allowed = new Set(allow.flatMap(parseAllowEntry));
  return async (request) => {
    const { Response } = await miniflare();
    const url = new URL(request.url);
    const port = url.port || DEFAULT_PORTS[url.protocol];
    const target = `${url.hostname.toLowerCase()}:${port}`;
    if (port === undefined || !allowed.has(target)) {
      return new Response(`sealbridge: fetch to ${url.protocol}//${url.host} is not allowed`, { status: 403 });
    }
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const upstream = await fetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
    }).catch((e: unknown) => e as Error);
    if (upstream instanceof Error) return new Response(`sealbridge: fetch failed: ${upstream.message}`, { status: 502 });
    const headers = new Headers(upstream.headers);
    // Node's fetch already decoded the body; passing these on would make workerd decode it again.
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: [...headers] });
  };
}

function parseAllowEntry(entry: string): string[] {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || (port !== undefined && (port < 1 || port > 65_535))) {
    throw new SmartWorkerError('ERR_INVALID_OPTIONS', `invalid fetchAllow entry: ${entry} (expected host or host:port)`);
  }
  const host = match[1]!.toLowerCase();
  return port === undefined ? [`${host}:80`, `${host}:443`] : [`${host}:${port}`];
}
