// Test helpers of the boundary (package subpath `@sealbridge/enclave-api/testing`): an in-memory enclave for
// host-side unit specs, an in-memory socket pair served through the real Channel, and frames by hand.
export { SeededRandom, seededBytes } from './random.js';
export { duplexPair, type DuplexPairOptions } from './duplex-pair.js';
export { decodeErrorReply, encodeFrame, FRAME_HEADER_BYTES, FrameReader, type RawFrame } from './frames.js';
export { connectedPair, MOCK_ENCLAVE_INFO, MockEnclave, type ConnectedPair, type ConnectedPairOptions, type MockEnclaveOptions, type RecordedCall } from './mock-enclave.js';
