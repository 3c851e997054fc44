export type EnclaveLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured logger injected by the host; the enclave never writes to the console itself. */
export type EnclaveLog = (level: EnclaveLogLevel, component: string, message: string, fields?: Record<string, unknown>) => void;
export const noopLog: EnclaveLog = () => {};
