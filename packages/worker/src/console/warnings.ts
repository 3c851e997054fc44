import type { LogFields, Logger, LogLevel } from '../log.js';

/** A warning or error the worker logged, as the console shows it. */
export interface WarningRecord {
  /** ms since the epoch. */
  time: number;
  level: 'warn' | 'error';
  component: string;
  msg: string;
  fields: Record<string, string | number | boolean>;
  /** Its string fields were left out (author text); see AUTHOR_TEXT_COMPONENTS. */
  textHidden: boolean;
}

const MAX_STRING_CHARS = 160;
/**
 * Components whose string fields are not shown: a Smart Worker's errors are text its author wrote, which may quote
 * the env secrets the worker was given.
 */
const AUTHOR_TEXT_COMPONENTS = ['smart-worker'];

/** The last warn/error records of the worker's logger, oldest first, in a fixed-size ring. */
export class WarningLog {
  readonly #capacity: number;
  readonly #records: WarningRecord[] = [];
  #total = 0;

  constructor(capacity = 50) {
    this.#capacity = capacity;
  }

  /** warn/error records seen since start (the ring keeps only the last `capacity`). */
  get total(): number {
    return this.#total;
  }

  add(level: 'warn' | 'error', component: string, msg: string, fields: LogFields = {}): void {
    const authorText = AUTHOR_TEXT_COMPONENTS.some((c) => component === c || component.startsWith(`${c}.`));
    this.#records.push({ time: Date.now(), level, component, msg, fields: shownFields(fields, authorText), textHidden: authorText });
    if (this.#records.length > this.#capacity) this.#records.shift();
    this.#total++;
  }

  /** The newest `limit` records, newest first. */
  recent(limit = this.#capacity): WarningRecord[] {
    return this.#records.slice(-limit).reverse();
  }
}

/** Scalars only, long strings cut: a record must stay small and never carry a blob. */
function shownFields(fields: LogFields, dropStrings: boolean): WarningRecord['fields'] {
  const shown: WarningRecord['fields'] = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'number' || typeof value === 'boolean') shown[key] = value;
    else if (typeof value === 'bigint') shown[key] = value.toString();
    else if (dropStrings) continue;
    else if (typeof value === 'string') shown[key] = value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…` : value;
    else if (value instanceof Error) shown[key] = value.message.slice(0, MAX_STRING_CHARS);
  }
  return shown;
}

/**
 * `log` with every warn and error also kept in `warnings` (whatever level `log` writes), its children too: the
 * console's "last warnings" without a second logging path through the code.
 */
export function withWarningLog(log: Logger, warnings: WarningLog, component = ''): Logger {
  return {
    debug: (msg, fields) => log.debug(msg, fields),
    info: (msg, fields) => log.info(msg, fields),
    warn: (msg, fields) => {
      warnings.add('warn', component, msg, fields);
      log.warn(msg, fields);
    },
    error: (msg, fields) => {
      warnings.add('error', component, msg, fields);
      log.error(msg, fields);
    },
    child: (name) => withWarningLog(log.child(name), warnings, component ? `${component}.${name}` : name),
    // Warnings are always recorded, so callers must not skip building their fields.
    enabled: (level: LogLevel) => level === 'warn' || level === 'error' || log.enabled(level),
  };
}
