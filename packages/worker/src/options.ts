import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { LogLevel } from './log.js';
import { DEFAULT_RPC_LIMITS } from '@sealbridge/enclave-sim';

export interface WorkerOptions {
  /** Parentchain node, e.g. the embedded dev chain or a real Integritee node. */
  parentchainUrl: string;
  dataDir: string;
  /** Shard to operate (base58 or 0x-hex); default = MRENCLAVE, as in Integritee. */
  shard?: string;
  rpcHost: string;
  /** 0 = ephemeral; -1 = no RPC server. */
  rpcPort: number;
  /** URL stored on chain at registration; default derived from the RPC server's address. */
  advertisedUrl?: string;
  /** Open RPC WebSocket connections; more are refused with HTTP 503. */
  maxConnections: number;
  runnerHost: string;
  runnerPort: number;
  runnerToken?: string;
  metricsPort?: number;
  platformSecretPath?: string;
  /** Refuse to start unless the enclave measures to this MRENCLAVE (0x-hex of 32 bytes). */
  mrenclave?: string;
  /** The bundled enclave to run (bootstrap.mjs, enclave.mjs, manifest.json); default the one built into enclave-sim. */
  enclaveDir?: string;
  /** Outbound fetch allow-list for Smart Workers (host[:port]). */
  smartWorkerFetchAllow: string[];
  /** Blocks fetched ahead while catching up. */
  fetchConcurrency: number;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
}

export const DEFAULT_WORKER_OPTIONS = {
  parentchainUrl: 'ws://127.0.0.1:9944',
  rpcHost: '127.0.0.1',
  rpcPort: 2000,
  maxConnections: DEFAULT_RPC_LIMITS.maxConnections,
  runnerHost: '127.0.0.1',
  runnerPort: 8080,
  smartWorkerFetchAllow: [] as string[],
  fetchConcurrency: 16,
  logLevel: 'info' as LogLevel,
  logFormat: 'pretty' as const,
};

export const WORKER_USAGE = `Usage: sealbridge-worker [options]

  --parentchain <url>             parentchain node (default ${DEFAULT_WORKER_OPTIONS.parentchainUrl})
  --data-dir <dir>                data directory (default ~/.sealbridge/worker)
  --shard <base58|hex>            shard to operate (default: MRENCLAVE)
  --rpc-host <host>               trusted RPC bind address (default 127.0.0.1)
  --rpc-port <port>               trusted RPC port, wss (default 2000; 0 = any free port; -1 = off)
  --advertised-url <url>          RPC URL registered on chain (default wss://<rpc-host>:<rpc-port>)
  --max-connections <n>           open RPC connections; more are refused with HTTP 503 (default ${DEFAULT_WORKER_OPTIONS.maxConnections})
  --runner-host <host>            Smart Worker runner bind address (default 127.0.0.1)
  --runner-port <port>            Smart Worker runner port (default 8080; 0 = any free port; -1 = off)
  --runner-token <token>          bearer token required by the runner API
  --metrics-port <port>           operator console on / (live status page), /health (200 ready, 503 not)
                                  and Prometheus /metrics, on 127.0.0.1 (0 = any free port)
  --platform-secret <file>        simulated platform secret (default ~/.sealbridge/platform-secret)
  --mrenclave <hex>               refuse to start unless the enclave measures to this MRENCLAVE
  --enclave-dir <dir>             the bundled enclave to run (default: the one npm run build made)
  --smart-worker-fetch-allow <l>  comma-separated host[:port] list Smart Workers may fetch
  --log-level <level>             debug | info | warn | error (default info)
  --log-format <format>           pretty | json (default pretty)
  -h, --help                      show this help`;

/** Parses `sealbridge-worker` arguments; throws with a readable message on bad input. */
export function parseWorkerArgs(argv: string[]): WorkerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      parentchain: { type: 'string' },
      'data-dir': { type: 'string' },
      shard: { type: 'string' },
      'rpc-host': { type: 'string' },
      'rpc-port': { type: 'string' },
      'advertised-url': { type: 'string' },
      'max-connections': { type: 'string' },
      'runner-host': { type: 'string' },
      'runner-port': { type: 'string' },
      'runner-token': { type: 'string' },
      'metrics-port': { type: 'string' },
      'platform-secret': { type: 'string' },
      mrenclave: { type: 'string' },
      'enclave-dir': { type: 'string' },
      'smart-worker-fetch-allow': { type: 'string' },
      'fetch-concurrency': { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const logLevel = (values['log-level'] ?? DEFAULT_WORKER_OPTIONS.logLevel) as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new Error(`--log-level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = values['log-format'] ?? DEFAULT_WORKER_OPTIONS.logFormat;
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new Error(`--log-format must be json or pretty, not "${logFormat}"`);
  return {
    ...DEFAULT_WORKER_OPTIONS,
    parentchainUrl: values.parentchain ?? DEFAULT_WORKER_OPTIONS.parentchainUrl,
    dataDir: path.resolve(values['data-dir'] ?? path.join(os.homedir(), '.sealbridge', 'worker')),
    shard: values.shard,
    rpcHost: values['rpc-host'] ?? DEFAULT_WORKER_OPTIONS.rpcHost,
    rpcPort: parsePort(values['rpc-port'], '--rpc-port') ?? DEFAULT_WORKER_OPTIONS.rpcPort,
    advertisedUrl: values['advertised-url'],
    maxConnections: parsePositive(values['max-connections'], '--max-connections') ?? DEFAULT_WORKER_OPTIONS.maxConnections,
    runnerHost: values['runner-host'] ?? DEFAULT_WORKER_OPTIONS.runnerHost,
    runnerPort: parsePort(values['runner-port'], '--runner-port') ?? DEFAULT_WORKER_OPTIONS.runnerPort,
    runnerToken: values['runner-token'],
    metricsPort: parsePort(values['metrics-port'], '--metrics-port'),
    platformSecretPath: values['platform-secret'],
    mrenclave: parseMrenclave(values.mrenclave),
    enclaveDir: values['enclave-dir'] && path.resolve(values['enclave-dir']),
    smartWorkerFetchAllow: values['smart-worker-fetch-allow']?.split(',').map((s) => s.trim()).filter(Boolean) ?? [],
    fetchConcurrency: parsePositive(values['fetch-concurrency'], '--fetch-concurrency') ?? DEFAULT_WORKER_OPTIONS.fetchConcurrency,
    logLevel,
    logFormat,
  };
}

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < -1 || port > 65535) throw new Error(`${flag} must be a port number, not "${value}"`);
  return port;
}

function parsePositive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, not "${value}"`);
  return n;
}

function parseMrenclave(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const hex = value.startsWith('0x') ? value : `0x${value}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`--mrenclave must be 32 bytes of hex, not "${value}"`);
  return hex.toLowerCase();
}
