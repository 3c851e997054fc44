import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from './env.js';

/** Path of the built `sealbridge` binary (dist/bin.js next to this module). */
export const CLI_BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnCliOptions {
  /** SEALBRIDGE_* variables (and others) added to the parent's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kills the child when aborted (Ctrl-C in the demo). */
  readonly signal?: AbortSignal;
  /** Receives the child while it runs (tests that interrupt it). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs the real `sealbridge` binary in a child process and collects its output. */
export function spawnCli(args: readonly string[], options: SpawnCliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: childEnvironment(options.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `sealbridge … --json` and returns its single JSON object; a non-zero exit becomes an Error with the CLI's message. */
export async function runCliJson<T = Record<string, unknown>>(args: readonly string[], options: SpawnCliOptions = {}): Promise<T> {
  const run = await spawnCli([...args, '--json'], options);
  if (run.code !== 0) {
    const message = run.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? run.stderr.trim();
    throw new Error(`sealbridge ${args.join(' ')} exited with ${run.code}: ${message.replace(/^error: /, '')}`);
  }
  return JSON.parse(run.stdout) as T;
}
