/** Dev-chain `Logger` that turns each entry into a readable `LEVEL message k=v` line for `write`. */
export function devChainLogger(write: (line: string) => void, verbose: boolean): { log(level: string, message: string, fields?: Record<string, unknown>): void } {
  return {
    log(level, message, fields = {}) {
      if (level === 'debug' && !verbose) return;
      const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`);
      write(`${level.toUpperCase().padEnd(5)} ${message}${rest.length ? ` ${rest.join(' ')}` : ''}`);
    },
  };
}
