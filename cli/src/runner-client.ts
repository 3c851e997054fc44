import { hexToU8a } from '@polkadot/util';
import { toBytes } from './bytes.js';
import type { Context } from './context.js';
import { CliError, CliErrorCode, messageOf } from './errors.js';

/** A Smart Worker as the runner API reports it (`WorkerInfo` of @sealbridge/smart-worker). */
export interface SmartWorkerInfo {
  readonly id: string;
  readonly name: string;
  readonly shard?: string;
  readonly type: string;
  readonly schedule?: string;
  /** 0x-hex H256 the worker's Omni Keys are bound to; `trusted call-worker` names the worker by it. */
  readonly identity: string;
  readonly status: string;
  readonly createdAt: number;
  readonly lastRun?: { readonly at: number; readonly trigger: string; readonly ok: boolean; readonly error?: string };
  readonly lastError?: { readonly at: number; readonly message: string };
  readonly nextRun?: number;
}

export interface SmartWorkerLogLine {
  readonly timestamp: number;
  readonly level: string;
  readonly message: string;
}

/** The creation body of `POST /workers` (Escrin's fields plus Sealbridge's `name` and `shard`). */
export interface DeployRequest {
  readonly code: string;
  readonly type: string;
  /** A JSON object; anything else is sent as is so that the runner's own error message reaches the user. */
  readonly config?: unknown;
  readonly schedule?: string;
  readonly name: string;
  readonly shard?: string;
}

/**
 * Client of the Escrin-compatible runner HTTP API served by the worker process (`--runner-port`). Every failure
 * becomes one CliError: unreachable, 401, 404 (unknown worker) or the runner's own `{"error"}` message verbatim.
 */
export class RunnerClient {
  readonly url: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal;

  constructor(url: string, options: { token: string; timeoutMs: number; signal: AbortSignal }) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(CliErrorCode.BAD_INPUT, `invalid runner URL '${url}': expected http(s)://host:port`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CliError(CliErrorCode.BAD_INPUT, `invalid runner URL '${url}': expected http(s)://host:port`);
    }
    this.url = url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#signal = options.signal;
  }

  /** Creates the worker (`POST /workers`) and returns its full record (`GET /workers/:id`), identity included. */
  async deploy(request: DeployRequest): Promise<SmartWorkerInfo> {
    const { id } = (await this.#request('POST', '/workers', request)) as { id: string };
    return this.get(id);
  }

  async list(): Promise<SmartWorkerInfo[]> {
    return ((await this.#request('GET', '/workers')) as { workers: SmartWorkerInfo[] }).workers;
  }

  async get(id: string): Promise<SmartWorkerInfo> {
    return (await this.#request('GET', workerPath(id))) as SmartWorkerInfo;
  }

  async remove(id: string): Promise<void> {
    await this.#request('DELETE', workerPath(id));
  }

  async logs(id: string, limit?: number): Promise<SmartWorkerLogLine[]> {
    const query = limit === undefined ? '' : `?limit=${limit}`;
    return ((await this.#request('GET', `${workerPath(id)}/logs${query}`)) as { lines: SmartWorkerLogLine[] }).lines;
  }

  async #request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any([this.#signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
    } catch (error) {
      // fetch hides the socket error (ECONNREFUSED …) in `cause`.
      const why = (error as { cause?: unknown }).cause ?? error;
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new CliError(
        CliErrorCode.RUNNER_UNREACHABLE,
        `cannot reach the Smart Worker runner at ${this.url}: ${timedOut ? `no answer within ${this.#timeoutMs / 1000} s` : messageOf(why)} — is the worker running with its runner on that port (--runner-port)?`,
        { cause: error },
      );
    }
    const text = await res.text();
    if (res.ok) return text === '' ? undefined : parseJson(text, this.url);
    const message = errorMessage(text) ?? `HTTP ${res.status} ${res.statusText}`;
    if (res.status === 401) {
      throw new CliError(
        CliErrorCode.RUNNER_UNAUTHORIZED,
        `the Smart Worker runner at ${this.url} refused the request (401 ${message}): ${this.#token ? 'wrong' : 'missing'} --runner-token (or SEALBRIDGE_RUNNER_TOKEN)`,
      );
    }
    if (res.status === 404 && path.startsWith('/workers/')) throw new CliError(CliErrorCode.UNKNOWN_SMART_WORKER, message);
    throw new CliError(CliErrorCode.RUNNER_REJECTED, `the Smart Worker runner refused ${method} ${path} (${res.status}): ${message}`);
  }
}

function workerPath(id: string): string {
  if (id.trim() === '') throw new CliError(CliErrorCode.BAD_INPUT, 'Smart Worker id must not be empty');
  return `/workers/${encodeURIComponent(id)}`;
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(CliErrorCode.RUNNER_REJECTED, `${url} answered with something that is not JSON — is it a Smart Worker runner?`);
  }
}

/** The `error` field of an Escrin error body, or undefined when the body is something else. */
function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body?.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** The runner client for a command, from --runner-url / --runner-token (each request bounded by --timeout). */
export function runnerClient(ctx: Context): RunnerClient {
  const { runnerUrl, runnerToken, timeout } = ctx.options;
  return new RunnerClient(runnerUrl, { token: runnerToken, timeoutMs: timeout * 1000, signal: ctx.signal });
}

/**
 * The identity (H256 its Omni Keys are bound to) of a Smart Worker named either by that identity (0x-hex or base58)
 * or by the id `worker deploy` prints, which is looked up on the runner (--runner-url).
 */
export async function smartWorkerIdentity(ctx: Context, idOrIdentity: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = toBytes(idOrIdentity);
  } catch {
    // not hex or base58: a runner id (a UUID)
  }
  if (bytes?.length === 32) return bytes;
  try {
    return hexToU8a((await runnerClient(ctx).get(idOrIdentity)).identity);
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== CliErrorCode.UNKNOWN_SMART_WORKER) throw error;
    throw new CliError(
      CliErrorCode.UNKNOWN_SMART_WORKER,
      `'${idOrIdentity}' is neither a Smart Worker identity (32 bytes, 0x-hex or base58) nor the id of a worker on the runner at ${ctx.options.runnerUrl}`,
      { cause: error },
    );
  }
}
