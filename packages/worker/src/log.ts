/** Structured logging: one JSON object (or one readable line) per event with level, component and fields. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
  /** Whether `level` is written: lets a caller skip computing fields nobody will see. */
  enabled(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_HEX_CHARS = 74;

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'pretty';
  component?: string;
  write?: (line: string) => void;
}

/** Long hex blobs (cyphertexts, extrinsics) are truncated so a log line stays readable. */
function shorten(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('0x') && value.length > MAX_HEX_CHARS) {
    return `${value.slice(0, MAX_HEX_CHARS)}…(${(value.length - 2) / 2} bytes)`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

export function createLogger(options: ConsoleLoggerOptions = {}): Logger {
  const { level = 'info', format = 'json', component = 'sealbridge' } = options;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (lvl: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[lvl] < RANK[level]) return;
    const entries = Object.entries(fields).map(([k, v]) => [k, shorten(v)] as const);
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, component, msg, ...Object.fromEntries(entries) }));
    } else {
      const rest = entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      write(`${new Date().toISOString().slice(11, 23)} ${lvl.toUpperCase().padEnd(5)} [${component}] ${msg}${rest ? ` ${rest}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createLogger({ ...options, level, format, write, component: `${component}.${name}` }),
    enabled: (lvl) => RANK[lvl] >= RANK[level],
  };
}

/** The default for libraries and tests: silent. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
  enabled: () => false,
};
