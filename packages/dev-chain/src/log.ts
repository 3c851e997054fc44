import { createLogger, type Logger as SchemaLogger, type LogLevel } from '@sealbridge/chain-types/log';

export type { LogLevel };

/** What the chain calls: the level as an argument. Silent unless the caller passes one. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const NOOP_LOGGER: Logger = { log: () => undefined };

/** Adapts a logger of the shared schema (time, level, component, msg, fields) to the chain. */
export function chainLogger(log: SchemaLogger): Logger {
  return { log: (level, message, fields) => log[level](message, fields) };
}

/** JSON lines of the shared schema on stderr, used by the bin. */
export function createConsoleLogger(component: string, minLevel: LogLevel = 'info'): Logger {
  return chainLogger(createLogger({ component, level: minLevel }));
}
