import { ESCRIN_RPC_URL, INVOKE_HEADERS, INVOKE_URL, type KmNetwork } from './protocol.js';

/** Subset of workerd's `ExecutionContext` the helper relies on. */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/** Subset of workerd's `ScheduledController`/`ScheduledEvent`. */
export interface ScheduledEvent {
  readonly cron: string;
  readonly scheduledTime: number;
}

/** Bindings the Sealbridge host (and the Escrin runner) gives every Smart Worker. */
export interface SmartWorkerEnv {
  /** Service binding to the host's key service (`POST {method, params}`). */
  escrin: { fetch(input: RequestInfo, init?: RequestInit): Promise<Response> };
  /** The parsed creation config; the host adds `env` (secret variables) when it has them. */
  config: Record<string, unknown>;
}

/** Same shape as `EscrinRunner` in `@escrin/worker`. */
export interface SmartWorkerRunner {
  /** The parsed configuration sent when the worker was created (same object every call). */
  getConfig(): Promise<Record<string, any>>;
  /** The worker's Omni Key for `store` as a non-extractable HKDF `CryptoKey` (deriveBits/deriveKey only). */
  getOmniKey(store: KmNetwork): Promise<CryptoKey>;
}

/** Block context of a chain invocation, decoded from the request headers. */
export interface InvocationContext {
  sender: Uint8Array;
  blockNumber: bigint;
  blockHash: Uint8Array;
  timestamp: number;
  seed: Uint8Array;
}

export interface SmartWorkerCallbacks {
  /** Escrin's `tasks()`: run by the schedule (and once right after creation). */
  tasks?(rnr: SmartWorkerRunner, env: SmartWorkerEnv, ctx: ExecutionContext): Promise<void>;
  /**
   * Chain invocation. The request body is the call input; use `readInvocation(request)` for the block context.
   * Return the output bytes (or a Response whose body is the output; a non-2xx status fails the invocation).
   */
  invoke?(
    request: Request,
    rnr: SmartWorkerRunner,
    ctx: ExecutionContext,
  ): Promise<Response | Uint8Array | ArrayBuffer | string>;
}

export interface SmartWorkerHandler {
  fetch(request: Request, env: SmartWorkerEnv, ctx: ExecutionContext): Promise<Response>;
  scheduled(event: ScheduledEvent, env: SmartWorkerEnv, ctx: ExecutionContext): Promise<void>;
}

/** Mirrors `ApiError` of `@escrin/worker`: an RPC or request error with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Builds the module-worker handler object (`export default smartWorker({...})`). Drop-in for
 * `escrinWorker({tasks})` of `@escrin/worker` 1.0.0-alpha.4, plus `invoke` for Sealbridge chain invocations.
 */
export function smartWorker(callbacks: SmartWorkerCallbacks): SmartWorkerHandler {
  let runner: SmartWorkerRunner | undefined;
  // The env object is the same for the lifetime of the isolate, so one runner (and its key cache) serves all events.
  const runnerFor = (env: SmartWorkerEnv) => (runner ??= createRunner(env));
  const runTasks = (env: SmartWorkerEnv, ctx: ExecutionContext) => {
    if (!callbacks.tasks) throw new ApiError(404, 'this worker has no tasks handler');
    return callbacks.tasks(runnerFor(env), env, ctx);
  };

  return {
    async fetch(request, env, ctx) {
      try {
        if (request.url === INVOKE_URL) {
          if (!callbacks.invoke) throw new ApiError(404, 'this worker has no invoke handler');
          return toResponse(await callbacks.invoke(request, runnerFor(env), ctx));
        }
        const { method } = await decodeEscrinRequest(request);
        if (method !== 'tasks') throw new ApiError(404, `unknown method: ${method}`);
        ctx.waitUntil(runTasks(env, ctx));
        return new Response(null, { status: 204 });
      } catch (e) {
        if (e instanceof ApiError) return Response.json({ error: e.message }, { status: e.statusCode });
        throw e;
      }
    },
    async scheduled(_event, env, ctx) {
      ctx.waitUntil(runTasks(env, ctx));
    },
  };
}

/** Decodes the Sealbridge invocation headers of `request` (throws ApiError 400 when they are missing or malformed). */
export function readInvocation(request: Request): InvocationContext {
  const header = (name: string) => {
    const value = request.headers.get(name);
    if (value === null) throw new ApiError(400, `missing header ${name}`);
    return value;
  };
  const timestamp = Number(header(INVOKE_HEADERS.timestamp));
  if (!Number.isSafeInteger(timestamp)) throw new ApiError(400, `invalid header ${INVOKE_HEADERS.timestamp}`);
  return {
    sender: hexToBytes(header(INVOKE_HEADERS.sender)),
    blockNumber: BigInt(header(INVOKE_HEADERS.blockNumber)),
    blockHash: hexToBytes(header(INVOKE_HEADERS.blockHash)),
    timestamp,
    seed: hexToBytes(header(INVOKE_HEADERS.seed)),
  };
}

function createRunner(env: SmartWorkerEnv): SmartWorkerRunner {
  const keys = new Map<string, Promise<CryptoKey>>();
  return {
    getConfig: async () => env.config,
    getOmniKey(store) {
      let key = keys.get(store);
      if (!key) {
        key = fetchOmniKey(env, store);
        keys.set(store, key);
        key.catch(() => keys.delete(store)); // do not cache failures
      }
      return key;
    },
  };
}

async function fetchOmniKey(env: SmartWorkerEnv, store: KmNetwork): Promise<CryptoKey> {
  const { key } = (await rpc(env, 'get-key', { keyStore: store, keyId: 'omni', proof: '' })) as { key: string };
  return crypto.subtle.importKey('raw', decodeEscrinBase64(key), 'HKDF', false, ['deriveKey', 'deriveBits']);
}

async function rpc(env: SmartWorkerEnv, method: string, params: object): Promise<unknown> {
  const res = await env.escrin.fetch(ESCRIN_RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // a non-JSON error body is reported verbatim
    }
    throw new ApiError(res.status, message);
  }
  return JSON.parse(text);
}

/**
 * Decodes base64 exactly like `@escrin/worker` alpha.4's `decodeBase64Bytes`: the buffer is as long as the
 * base64 TEXT, so a 32-byte key becomes 44 bytes (key ‖ 12 zero bytes). Reproduced on purpose: HKDF output
 * must match what the same Omni Key gives under the original library, or migrated workers lose their secrets.
 */
function decodeEscrinBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(base64.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The parts of a fetch `Request` the Escrin RPC reads (structural, so the host's undici requests fit too). */
export interface JsonRequestLike {
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/**
 * Escrin's internal RPC body `{method, params}` with its exact error strings (runner/src/service/env.ts). One
 * implementation for both sides of the `escrin` binding: the worker's default export and the host's key service.
 */
export async function decodeEscrinRequest(request: JsonRequestLike): Promise<{ method: string; params: object }> {
  if (request.headers.get('content-type') !== 'application/json') {
    throw new ApiError(400, 'invalid content-type. application/json is required');
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch (e) {
    throw new ApiError(400, `unable to decode request body: ${e}`);
  }
  if (typeof body !== 'object' || body === null) throw new ApiError(400, 'invalid request body');
  const { method, params } = body as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') throw new ApiError(400, 'invalid request body: missing or invalid method');
  if (typeof params !== 'object' || params === null) {
    throw new ApiError(400, 'invalid request body: missing or invalid params');
  }
  return { method, params };
}

function toResponse(result: Response | Uint8Array | ArrayBuffer | string): Response {
  if (result instanceof Response) return result;
  // Copy views so a view over a SharedArrayBuffer (or a larger buffer) becomes exactly the output bytes.
  return new Response(result instanceof Uint8Array ? new Uint8Array(result) : result);
}

function hexToBytes(hex: string): Uint8Array {
  const digits = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) throw new ApiError(400, `invalid hex: ${hex}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}
