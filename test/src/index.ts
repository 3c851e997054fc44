// Test utilities shared with the benchmarks.
export { binPath, WorkerProcess, type LogRecord } from './processes.js';
