// Running npm (and other commands) on projects outside this checkout: the packaging and fresh-clone specs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/dist/npm.js → ../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The environment without what `npm test` sets about this checkout (its package, lifecycle and local prefix), so an
 * npm started elsewhere works on its own project; npm's configuration (cache, registry, userconfig) is kept.
 */
export function foreignEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_package_|npm_lifecycle_|npm_command$|npm_config_local_prefix$|INIT_CWD$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; a non-zero exit rejects with the command and the tail of its output. */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? foreignEnv(), timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}) failed: ${error.message}\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}
