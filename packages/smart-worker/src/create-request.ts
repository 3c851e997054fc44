import { MAX_NAME_CHARS, MAX_SHARD_CHARS } from './constants.js';
import { SmartWorkerError } from './errors.js';
import { parseSchedule } from './schedule.js';
import type { ScriptType, WorkerSpec } from './types.js';

/** Creation fields before validation, as JSON or form data delivers them. */
export interface RawWorkerRequest {
  code?: unknown;
  /** Alias of `code` used by Escrin's docs and tutorials (the Escrin runner itself reads only `code`). */
  script?: unknown;
  type?: unknown;
  config?: unknown;
  schedule?: unknown;
  name?: unknown;
  shard?: unknown;
}

const invalid = (message: string) => new SmartWorkerError('ERR_INVALID_REQUEST', message);

/**
 * Parses an Escrin runner creation body (`parseWorkerConfig` in runner/src/service/runner.ts), with its
 * dispatch on content type and its error strings. Deviation: `application/json` may carry parameters
 * (`; charset=utf-8`); Escrin compares the whole header and rejects those.
 */
export async function parseCreateBody(contentType: string | undefined, body: Uint8Array): Promise<WorkerSpec> {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  if (contentType === undefined || contentType === '' || mediaType === 'application/json') {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw invalid('the request body could not be parsed as JSON');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw invalid('the request body could not be parsed as JSON');
    }
    return normalizeWorkerRequest(raw as RawWorkerRequest);
  }
  if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data') {
    return normalizeWorkerRequest(await parseForm(contentType, body));
  }
  throw invalid(`unsupported content type: ${contentType}`);
}

async function parseForm(contentType: string, body: Uint8Array): Promise<RawWorkerRequest> {
  try {
    const form = await new Request('http://runner.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
    const raw: Record<string, unknown> = {};
    // Like Escrin, every entry is copied by name and files are replaced by their text.
    for (const [key, value] of form) raw[key] = typeof value === 'string' ? value : await value.text();
    // Escrin parses `config` inside this try, so bad JSON is a form-data error.
    if (typeof raw.config === 'string') raw.config = JSON.parse(raw.config);
    return raw;
  } catch (e) {
    throw invalid(`the request body could not be parsed as form data: ${e}`);
  }
}

/** Validates creation fields (shared by the HTTP API and `runtime.create`). */
export function normalizeWorkerRequest(raw: RawWorkerRequest): WorkerSpec {
  const code = raw.code ?? raw.script;
  if (typeof code !== 'string' || code.length === 0) {
    throw invalid('missing worker code: send the script as `code` (or `script`)');
  }
  return {
    code,
    type: parseType(raw.type),
    config: parseConfig(raw.config),
    schedule: raw.schedule === undefined || raw.schedule === '' ? undefined : parseScheduleField(raw.schedule),
    name: parseLabel(raw.name, 'name', MAX_NAME_CHARS) ?? '',
    shard: parseLabel(raw.shard, 'shard', MAX_SHARD_CHARS),
  };
}

function parseType(type: unknown): ScriptType {
  // Escrin: only 'module' selects ESM, everything else is a service-worker script; we reject unknown values.
  if (type === 'module') return 'module';
  if (type === undefined || type === 'classic' || type === 'sw') return 'classic';
  throw invalid(`unsupported type: ${String(type)} (expected module or classic)`);
}

function parseConfig(config: unknown): Record<string, unknown> {
  let value = config ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw invalid(`config is not valid JSON: ${e}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('config must be a JSON object');
  return value as Record<string, unknown>;
}

function parseScheduleField(schedule: unknown): string {
  if (typeof schedule !== 'string') throw invalid('unsupported schedule');
  return parseSchedule(schedule);
}

function parseLabel(value: unknown, field: string, maxChars: number): string | undefined {
  if (value === undefined) return undefined;
  // No control characters: `name` is hashed into the identity with a 0x00 separator.
  if (typeof value !== 'string' || value.length > maxChars || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`invalid ${field}: expected a string of at most ${maxChars} printable characters`);
  }
  return value;
}
