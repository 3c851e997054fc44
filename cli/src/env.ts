// The only module that reads process.env: everything else receives the frozen `environment` object.
import os from 'node:os';
import path from 'node:path';

/** Values of the SEALBRIDGE_* environment variables; absent or empty variables are undefined. */
export interface Environment {
  readonly nodeUrl?: string;
  readonly workerUrl?: string;
  readonly runnerUrl?: string;
  readonly runnerToken?: string;
  readonly keystore?: string;
  readonly trustedKeystore?: string;
  readonly config?: string;
  readonly timeout?: string;
  readonly connectTimeout?: string;
  readonly ss58Prefix?: string;
}

export const ENV_VARS: Readonly<Record<keyof Environment, string>> = {
  nodeUrl: 'SEALBRIDGE_NODE_URL',
  workerUrl: 'SEALBRIDGE_WORKER_URL',
  runnerUrl: 'SEALBRIDGE_RUNNER_URL',
  runnerToken: 'SEALBRIDGE_RUNNER_TOKEN',
  keystore: 'SEALBRIDGE_KEYSTORE',
  trustedKeystore: 'SEALBRIDGE_TRUSTED_KEYSTORE',
  config: 'SEALBRIDGE_CONFIG',
  timeout: 'SEALBRIDGE_TIMEOUT',
  connectTimeout: 'SEALBRIDGE_CONNECT_TIMEOUT',
  ss58Prefix: 'SEALBRIDGE_SS58_PREFIX',
};

export function readEnvironment(source: Readonly<Record<string, string | undefined>>): Environment {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV_VARS)) {
    const value = source[name];
    if (value !== undefined && value !== '') env[key] = value;
  }
  return Object.freeze(env);
}

export const environment: Environment = readEnvironment(process.env);

/** The CLI's config directory, home of the default keystores: $XDG_CONFIG_HOME/sealbridge, else ~/.config/sealbridge. */
export function configDirectory(source: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = source.XDG_CONFIG_HOME || path.join(source.HOME || os.homedir(), '.config');
  return path.join(base, 'sealbridge');
}

/** Environment for child processes (demo, `up`): the parent's variables plus overrides. */
export function childEnvironment(overrides: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}
