export * as scale from './codec.js';
export type { Codec, Infer } from './codec.js';
export { Channel, FRAME_KIND, MAX_MESSAGE_BYTES, type ChannelOptions, type FrameKind, type IncomingRequest, type RequestHandler, type Side } from './channel.js';
export { BOUNDARY_ERRORS, BoundaryError, type BoundaryErrorCode } from './errors.js';
export {
  ECALLS,
  type BlockImported,
  type CallSpec,
  type EcallArg,
  type EcallName,
  type EcallResult,
  type EnclaveInfo,
  type InitArgs,
  type RawBlock,
  type Registration,
  type RuntimeInfo,
  type SealedWrite,
  type SignedExtrinsic,
} from './ecalls.js';
export { OCALLS, type LogRecord, type MetricOp, type OcallArg, type OcallName, type OcallResult, type SyncStatus } from './ocalls.js';
export { ecallClient, ocallClient, serveEcalls, serveOcalls, type EcallHandlers, type EnclaveEcalls, type HostOcalls, type OcallHandlers } from './calls.js';
