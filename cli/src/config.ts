import fs from 'node:fs';
import path from 'node:path';
import type { Environment } from './env.js';
import { configDirectory, ENV_VARS } from './env.js';
import { CliError, CliErrorCode, messageOf } from './errors.js';

/**
 * The global options: one table that generates the yargs flags, validates the config file and the
 * environment, and supplies the defaults. Precedence: flag > environment > config file > default.
 */
export const GLOBAL_OPTIONS = {
  nodeUrl: { flag: 'node-url', type: 'string', default: 'ws://127.0.0.1:9944', describe: 'parentchain node WebSocket URL' },
  workerUrl: { flag: 'worker-url', type: 'string', default: 'wss://127.0.0.1:2000', describe: 'worker trusted RPC URL' },
  runnerUrl: { flag: 'runner-url', type: 'string', default: 'http://127.0.0.1:8080', describe: 'Smart Worker runner API URL (the worker\'s --runner-port)' },
  // '' = send no Authorization header; flags, environment and config file may not set it to ''.
  runnerToken: { flag: 'runner-token', type: 'string', default: '', describe: 'bearer token of the Smart Worker runner API (the worker\'s --runner-token)' },
  // Secret phrases: by default in the user's config directory, never in whatever directory the command runs in.
  keystore: { flag: 'keystore', type: 'string', default: 'keystore', inConfigDir: true, describe: 'directory of parentchain accounts' },
  trustedKeystore: {
    flag: 'trusted-keystore', type: 'string', default: 'trusted-keystore', inConfigDir: true,
    describe: 'directory of incognito accounts (one sub-directory per shard)',
  },
  timeout: { flag: 'timeout', type: 'number', default: 60, describe: 'seconds to wait for a confirmation' },
  connectTimeout: { flag: 'connect-timeout', type: 'number', default: 10, describe: 'seconds to wait for a connection' },
  ss58Prefix: {
    flag: 'ss58-prefix', type: 'string', default: 'chain',
    describe: "SS58 prefix of printed addresses: 'chain' (the parentchain's ss58Format) or a number 0-16383",
  },
  json: { flag: 'json', type: 'boolean', default: false, describe: 'print exactly one JSON object on stdout' },
  quiet: { flag: 'quiet', type: 'boolean', default: false, describe: 'print bare values only, no progress' },
  verbose: { flag: 'verbose', type: 'boolean', default: false, describe: 'print stack traces and debug output' },
} as const satisfies Record<string, { flag: string; type: 'string' | 'number' | 'boolean'; default: unknown; inConfigDir?: true; describe: string }>;

type Table = typeof GLOBAL_OPTIONS;
type ValueOf<T extends 'string' | 'number' | 'boolean'> = T extends 'string' ? string : T extends 'number' ? number : boolean;
export type GlobalOptions = { readonly [K in keyof Table]: ValueOf<Table[K]['type']> };
export type OptionSources = { -readonly [K in keyof Table]?: unknown };

const KEYS = Object.keys(GLOBAL_OPTIONS) as (keyof Table)[];
const MAX_SS58_PREFIX = 16383;

/** The default of an option; paths marked `inConfigDir` are inside `configDir`. */
export function defaultOf(key: keyof Table, configDir: string): string | number | boolean {
  const spec = GLOBAL_OPTIONS[key];
  return 'inConfigDir' in spec ? path.join(configDir, spec.default) : spec.default;
}

function coerce(key: keyof Table, value: unknown, origin: string): string | number | boolean {
  const { type } = GLOBAL_OPTIONS[key];
  if (type === 'number') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
      // yargs turns `--timeout abc` into NaN; show it as such rather than JSON's null.
      throw new CliError(CliErrorCode.BAD_INPUT, `${origin}: ${key} must be a positive number, got ${typeof value === 'number' ? value : JSON.stringify(value)}`);
    }
    return n;
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new CliError(CliErrorCode.BAD_INPUT, `${origin}: ${key} must be true or false, got ${JSON.stringify(value)}`);
  }
  if (key === 'ss58Prefix' && typeof value === 'number') value = String(value); // `"ss58Prefix": 42` in a config file
  if (typeof value !== 'string' || value === '') {
    throw new CliError(CliErrorCode.BAD_INPUT, `${origin}: ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  if (key === 'ss58Prefix' && value !== 'chain' && !(/^\d{1,5}$/.test(value) && Number(value) <= MAX_SS58_PREFIX)) {
    throw new CliError(CliErrorCode.BAD_INPUT, `${origin}: ss58Prefix must be 'chain' or a number 0-${MAX_SS58_PREFIX}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads and validates a JSON config file whose keys are the camelCase option names (e.g. `nodeUrl`). */
export function readConfigFile(file: string): OptionSources {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `cannot read config file ${file}: ${messageOf(error)}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(CliErrorCode.BAD_INPUT, `config file ${file} must contain a JSON object`);
  }
  const unknown = Object.keys(parsed).filter((k) => !(k in GLOBAL_OPTIONS));
  if (unknown.length) {
    throw new CliError(CliErrorCode.BAD_INPUT, `config file ${file}: unknown option(s) ${unknown.join(', ')}; known: ${KEYS.join(', ')}`);
  }
  return parsed as OptionSources;
}

/**
 * Merges the sources. `flags` holds only options given on the command line (undefined = not given);
 * the config file is `flags.config ?? env.config`.
 */
export function resolveGlobalOptions(flags: OptionSources & { config?: string }, env: Environment, configDir = configDirectory()): GlobalOptions {
  const configPath = flags.config ?? env.config;
  const file = configPath ? readConfigFile(configPath) : {};
  const resolved: Record<string, unknown> = {};
  for (const key of KEYS) {
    const envValue = (env as Record<string, string | undefined>)[key];
    if (flags[key] !== undefined) resolved[key] = coerce(key, flags[key], `--${GLOBAL_OPTIONS[key].flag}`);
    else if (envValue !== undefined) resolved[key] = coerce(key, envValue, ENV_VARS[key as keyof typeof ENV_VARS] ?? key);
    else if (file[key] !== undefined) resolved[key] = coerce(key, file[key], `config file ${configPath}`);
    else resolved[key] = defaultOf(key, configDir);
  }
  return Object.freeze(resolved) as GlobalOptions;
}
