/**
 * The one log schema of the dev chain, the worker and the CLI (`@sealbridge/chain-types/log`).
 *
 * JSON: one object per line, keys in this order — `time` (ISO-8601, UTC), `level` (debug | info | warn | error),
 * `component` (dotted: `worker.import`), `msg`, then the entry's own fields. Pretty: the same entry for a terminal,
 * `HH:MM:SS.mmm LEVEL [component] msg key=value …`.
 *
 * Not pino: pino writes `level` before `time` and `msg` after the fields, turns bigints into JSON numbers (exact
 * amounts past 2^53 would be rounded by readers) and needs pino-pretty for the terminal format.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogRecord {
  time: string;
  level: LogLevel;
  component: string;
  msg: string;
  [field: string]: unknown;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger of the sub-component `<component>.<name>`. */
  child(name: string): Logger;
  /** Whether `level` is written: lets a caller skip computing fields nobody will see. */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Lowest level written (default info). */
  level?: LogLevel;
  /** Default json. */
  format?: LogFormat;
  /** Default `sealbridge`. */
  component?: string;
  /** Receives each line without its newline; default: stderr. */
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED_KEYS = new Set(['time', 'level', 'msg']);
const MAX_HEX_CHARS = 74;

/** Long hex blobs (ciphertexts, extrinsics) are truncated so a line stays readable; bigints stay exact as strings. */
function readable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return readable(`0x${Buffer.from(value).toString('hex')}`);
  if (value instanceof Error) return value.message;
  if (typeof value === 'string' && value.startsWith('0x') && value.length > MAX_HEX_CHARS) {
    return `${value.slice(0, MAX_HEX_CHARS)}…(${(value.length - 2) / 2} bytes)`;
  }
  return value;
}

/** JSON with bigints, byte arrays and errors made readable at any depth. */
const stringify = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => readable(v));

/**
 * One entry in the schema's key order. A `component` field names a sub-component — how the worker forwards the
 * enclave's and the RPC server's own names: `worker.enclave` with `keys` is `worker.enclave.keys`, with `enclave`
 * stays `worker.enclave`. Fields named time, level or msg are dropped: they would break the schema.
 */
export function logRecord(level: LogLevel, component: string, msg: string, fields: LogFields = {}, time = new Date()): LogRecord {
  const record: LogRecord = { time: time.toISOString(), level, component, msg };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'component') {
      if (typeof value === 'string' && value && !`.${component}`.endsWith(`.${value}`)) record.component = `${component}.${value}`;
    } else if (!RESERVED_KEYS.has(key)) record[key] = value;
  }
  return record;
}

export function formatJson(record: LogRecord): string {
  return stringify(record);
}

export function formatPretty({ time, level, component, msg, ...fields }: LogRecord): string {
  const rest = Object.entries(fields).map(([key, value]) => {
    const shown = readable(value);
    return ` ${key}=${typeof shown === 'string' ? shown : stringify(shown)}`;
  });
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}${rest.join('')}`;
}

/** Parses one JSON log line and checks it against the schema; throws naming what is wrong. */
export function parseLogLine(line: string): LogRecord {
  const record = JSON.parse(line) as Partial<LogRecord> | null;
  const problem =
    typeof record !== 'object' || record === null || Array.isArray(record) ? 'not an object'
    : typeof record.time !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(record.time) ? 'time is not ISO-8601'
    : !LOG_LEVELS.includes(record.level as LogLevel) ? `level is not one of ${LOG_LEVELS.join(', ')}`
    : typeof record.component !== 'string' || !record.component ? 'no component'
    : typeof record.msg !== 'string' ? 'no msg'
    : Object.keys(record).slice(0, 4).join() !== 'time,level,component,msg' ? 'keys not in the order time, level, component, msg'
    : undefined;
  if (problem) throw new Error(`log line does not follow the schema (${problem}): ${line}`);
  return record as LogRecord;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', format = 'json', component = 'sealbridge' } = options;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const render = format === 'json' ? formatJson : formatPretty;
  const log = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] >= RANK[level]) write(render(logRecord(lvl, component, msg, fields)));
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (name) => createLogger({ level, format, write, component: `${component}.${name}` }),
    enabled: (lvl) => RANK[lvl] >= RANK[level],
  };
}

/** The default of libraries and tests: writes nothing. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
  enabled: () => false,
};
