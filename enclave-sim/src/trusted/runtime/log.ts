import type { LogFields, Logger, LogLevel } from '@sealbridge/chain-types/log';
import type { HostOcalls } from '@sealbridge/enclave-api';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON with bigints and byte arrays made readable, as the host's log schema writes them. */
const stringify = (fields: LogFields): string =>
  JSON.stringify(fields, (_key, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v instanceof Error ? v.message : v);

/** A Logger whose records go to the host as OCALL `log`; the host writes them in its one log schema. */
export function enclaveLogger(ocalls: HostOcalls, level: LogLevel, component = 'enclave'): Logger {
  const send = (lvl: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[lvl] >= RANK[level]) ocalls.log({ level: lvl, component, msg, fields: stringify(fields) });
  };
  return {
    debug: (msg, fields) => send('debug', msg, fields),
    info: (msg, fields) => send('info', msg, fields),
    warn: (msg, fields) => send('warn', msg, fields),
    error: (msg, fields) => send('error', msg, fields),
    child: (name) => enclaveLogger(ocalls, level, `${component}.${name}`),
    enabled: (lvl) => RANK[lvl] >= RANK[level],
  };
}
