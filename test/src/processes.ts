import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

import { parseLogLine } from '@sealbridge/chain-types/log';

const require = createRequire(import.meta.url);

/** Path of a workspace's built bin (`dist/bin.js` beside its `dist/index.js`), resolved through the package. */
export function binPath(pkg: '@sealbridge/worker' | '@sealbridge/dev-chain' | '@sealbridge/cli'): string {
  return path.join(path.dirname(require.resolve(pkg)), 'bin.js');
}

/** A log line of the shared schema (time, level, component, msg, fields), or `level: 'raw'` for a line that is no JSON. */
export interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * A real `sealbridge-worker` process with JSON logs parsed line by line. A JSON line off the log schema fails every
 * `waitFor`, so each spec that watches a worker checks the schema too.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly records: LogRecord[] = [];
  /** Every stderr line as the worker wrote it (the hostile-host spec scans them byte for byte). */
  readonly lines: string[] = [];
  /** Every stdout line, when started with `captureStdout` (stdout is ignored otherwise). */
  readonly stdoutLines: string[] = [];
  readonly #waiters = new Set<{ test: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | null>;
  #schemaError: Error | undefined;

  /** `options.env`: variables added to the worker's environment; `options.captureStdout`: keep stdout in `stdoutLines`. */
  constructor(args: string[], options: { env?: Record<string, string>; captureStdout?: boolean } = {}) {
    // SEALBRIDGE_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker under a test or benchmark.
    const nodeArgs = process.env.SEALBRIDGE_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    this.child = spawn(process.execPath, [...nodeArgs, binPath('@sealbridge/worker'), '--log-format', 'json', '--log-level', 'debug', ...args], {
      stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
      ...(options.env && { env: { ...process.env, ...options.env } }),
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    if (options.captureStdout) readline.createInterface({ input: this.child.stdout! }).on('line', (line) => this.stdoutLines.push(line));
    readline.createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.lines.push(line);
      let record: LogRecord;
      if (line.startsWith('{')) {
        try {
          record = parseLogLine(line);
        } catch (error) {
          this.#schemaError ??= error as Error;
          for (const waiter of this.#waiters) waiter.reject(this.#schemaError);
          this.#waiters.clear();
          return;
        }
      } else {
        record = { level: 'raw', msg: line }; // a crash's stack trace, a Node warning
      }
      this.records.push(record);
      for (const waiter of this.#waiters) {
        if (waiter.test(record)) {
          this.#waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    });
  }

  /** Resolves with the first record (past or future) matching `test`. */
  waitFor(test: (r: LogRecord) => boolean, timeoutMs = 60_000): Promise<LogRecord> {
    if (this.#schemaError) return Promise.reject(this.#schemaError);
    const seen = this.records.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (r: LogRecord) => { clearTimeout(timer); resolve(r); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`worker log did not show the expected record within ${timeoutMs} ms; last: ${JSON.stringify(this.records.slice(-3))}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  importedBlocks(): Array<{ block: number; stateRoot: string; root: string }> {
    return this.records.filter((r) => r.msg === 'imported block') as never;
  }

  /** State root after each block, from the import log and from each start's resume point. */
  stateRoots(): Array<{ block: number; stateRoot: string }> {
    return this.records.filter((r) => r.msg === 'imported block' || r.msg === 'resuming import') as never;
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}
