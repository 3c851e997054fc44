/** Minimal structured logger injected into the chain; silent unless the caller passes one. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const NOOP_LOGGER: Logger = { log: () => undefined };

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** JSON lines on stderr, used by the bin. */
export function createConsoleLogger(component: string, minLevel: LogLevel = 'info'): Logger {
  const max = LEVELS.indexOf(minLevel);
  return {
    log(level, message, fields) {
      if (LEVELS.indexOf(level) > max) return;
      process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, component, message, ...fields })}\n`);
    },
  };
}
