import type { Request, Response } from 'miniflare';

import { miniflare } from './miniflare.js';

import { ApiError, decodeEscrinRequest } from '@sealbridge/smart-worker-sdk';

import type { Logger } from './logger.js';

/** Resolves a worker's Omni Key for a store (already bound to the calling worker's identity). */
export type OmniKeyLookup = (store: string) => Promise<Uint8Array>;

const KEY_STORE = /^sapphire-(main|test)net$/;

/**
 * The host side of the `escrin` service binding: Escrin's `@escrin/env` service (runner/src/service/env.ts)
 * with its request decoding and error strings. Only `get-key` exists; the reply is `{key: base64(32 bytes)}`.
 * The caller is known from the binding itself (one binding per worker), so no `x-caller-id` header is needed.
 */
export async function handleEscrinRpc(request: Request, lookup: OmniKeyLookup, log: Logger): Promise<Response> {
  const { Response } = await miniflare();
  try {
    const { method, params } = await decodeEscrinRequest(request);
    if (method !== 'get-key') throw new ApiError(404, `unknown method: ${method}`);
    const { keyStore, keyId } = params as { keyStore?: unknown; keyId?: unknown };
    if (typeof keyStore !== 'string' || !KEY_STORE.test(keyStore)) {
      throw new ApiError(404, `unknown key store: ${String(keyStore)}`);
    }
    if (keyId !== 'omni') throw new ApiError(404, `unknown key id: ${String(keyId)}`);
    const key = await lookup(keyStore);
    return Response.json({ key: Buffer.from(key).toString('base64') });
  } catch (e) {
    if (e instanceof ApiError) return Response.json({ error: e.message }, { status: e.statusCode });
    // Key provider failures stay in the host log; the worker only learns that the key service failed.
    log.log('error', 'escrin key service failed', { error: String(e) });
    return Response.json({ error: 'the key service failed' }, { status: 500 });
  }
}
