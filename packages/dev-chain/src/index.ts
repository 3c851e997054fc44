export {
  startDevChain,
  parseBlockTime,
  devAccounts,
  DEFAULT_PALLETS,
  DEV_ACCOUNT_NAMES,
  DEV_ACCOUNT_BALANCE,
  TEER,
  DEFAULT_MAX_QUOTE_AGE_MS,
  DEFAULT_VERIFIER_THREADS,
  DEFAULT_GRANDPA_AUTHORITIES,
} from './start.js';
export type { DevChain, DevChainOptions } from './start.js';
export { ACK_SEAL_DELAY_MS, Chain, DEFAULT_MAX_EXTRINSICS_PER_BLOCK, FINALITY_NOTIFY_DELAY_MS, INSTANT_BATCH_MS } from './chain.js';
export type { BlockRecord, CreateBlockOptions, HeaderJson, SealMode } from './chain.js';
export type { TxStatus } from './pool.js';
export { DevChainError, DEV_CHAIN_ERROR_CODES } from './errors.js';
export type { DevChainErrorCode } from './errors.js';
export { chainLogger, createConsoleLogger, NOOP_LOGGER } from './log.js';
export type { Logger, LogLevel } from './log.js';
export { FEES, RUNTIME_VERSION, RUNTIME_APIS } from './runtime/runtime.js';
export { EXISTENTIAL_DEPOSIT } from './pallets/balances.js';
export { MAX_ONE_TIME_KEYS, MAX_PRE_KEY_MESSAGE_LEN } from './pallets/worker-env.js';
export { MAX_AUTHORITIES } from './pallets/grandpa.js';
export { DEFAULT_JUSTIFICATION_PERIOD, GrandpaFinality, MAX_UNKNOWN_HEADERS } from './grandpa/finality.js';
export type { GrandpaOptions, VoterSet } from './grandpa/finality.js';
export { GrandpaKeystore, devAuthorityUri } from './grandpa/keystore.js';
export { GRANDPA_AUTHORITIES_KEY, GRANDPA_ENGINE_ID } from './grandpa/codec.js';
export type { Authority } from './grandpa/codec.js';
export type {
  CallDecl,
  CallValue,
  ChainParams,
  ConstantDecl,
  DispatchContext,
  EventDecl,
  Origin,
  PalletDefinition,
  StorageAccess,
  StorageDecl,
  StorageHasher,
} from './runtime/pallet.js';
export type { NamedTypeDecl } from './types/table.js';
