export { startRpcServer, type RpcServer, type RpcServerOptions } from './server.js';
export type { RpcBackend, RpcRefusal, ShardVault, TopStatus, TopWatcher } from './backend.js';
export { RpcServerError, JSON_RPC_CODES, toRpcFailure, type RpcErrorCode, type JsonRpcErrorObject, type RpcFailure } from './errors.js';
export { DEFAULT_RPC_LIMITS, DEFAULT_RPC_PORT, type RpcLimits } from './settings.js';
export { METHOD_NAMES, HELLO_WORLD, SERVER_VERSION } from './methods.js';
export type { RpcLog, RpcLogEntry, RpcLogLevel } from './log.js';
