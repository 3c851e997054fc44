/** Structured log sink injected by the host; the server is silent without one. */
export type RpcLogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface RpcLogEntry {
  level: RpcLogLevel;
  component: string;
  msg: string;
  [field: string]: unknown;
}
export type RpcLog = (entry: RpcLogEntry) => void;

export const noopLog: RpcLog = () => {};
