/** Structured logger injected by the host; silent by default. */
export interface Logger {
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export const noopLogger: Logger = { log: () => {} };
