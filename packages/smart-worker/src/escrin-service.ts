import { Response, type Request } from 'miniflare';

import type { Logger } from './logger.js';

/** Resolves a worker's Omni Key for a store (already bound to the calling worker's identity). */
export type OmniKeyLookup = (store: string) => Promise<Uint8Array>;

const KEY_STORE = /^sapphire-(main|test)net$/;

class RpcError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The host side of the `escrin` service binding: Escrin's `@escrin/env` service (runner/src/service/env.ts)
 * with its request decoding and error strings. Only `get-key` exists; the reply is `{key: base64(32 bytes)}`.
 * The caller is known from the binding itself (one binding per worker), so no `x-caller-id` header is needed.
 */
export async function handleEscrinRpc(request: Request, lookup: OmniKeyLookup, log: Logger): Promise<Response> {
  try {
    const { method, params } = await decodeRequest(request);
    if (method !== 'get-key') throw new RpcError(404, `unknown method: ${method}`);
    const { keyStore, keyId } = params as { keyStore?: unknown; keyId?: unknown };
    if (typeof keyStore !== 'string' || !KEY_STORE.test(keyStore)) {
      throw new RpcError(404, `unknown key store: ${String(keyStore)}`);
    }
    if (keyId !== 'omni') throw new RpcError(404, `unknown key id: ${String(keyId)}`);
    const key = await lookup(keyStore);
    return Response.json({ key: Buffer.from(key).toString('base64') });
  } catch (e) {
    if (e instanceof RpcError) return Response.json({ error: e.message }, { status: e.status });
    // Key provider failures stay in the host log; the worker only learns that the key service failed.
    log.log('error', 'escrin key service failed', { error: String(e) });
    return Response.json({ error: 'the key service failed' }, { status: 500 });
  }
}

async function decodeRequest(request: Request): Promise<{ method: string; params: object }> {
  if (request.headers.get('content-type') !== 'application/json') {
    throw new RpcError(400, 'invalid content-type. application/json is required');
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch (e) {
    throw new RpcError(400, `unable to decode request body: ${e}`);
  }
  if (typeof body !== 'object' || body === null) throw new RpcError(400, 'invalid request body');
  const { method, params } = body as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') throw new RpcError(400, 'invalid request body: missing or invalid method');
  if (typeof params !== 'object' || params === null) {
    throw new RpcError(400, 'invalid request body: missing or invalid params');
  }
  return { method, params };
}
