/**
 * The worker logs in the schema shared with the dev chain and the CLI (`@sealbridge/chain-types/log`): one JSON
 * object per line — time, level, component, msg, then fields — or the same entry as one readable line.
 */
export {
  createLogger,
  silentLogger,
  type Logger,
  type LoggerOptions,
  type LogFields,
  type LogLevel,
} from '@sealbridge/chain-types/log';
