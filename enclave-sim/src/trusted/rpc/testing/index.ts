// Test doubles of the trusted RPC server's boundary (`@sealbridge/enclave-sim/rpc-testing`): not part of the worker's API.
export { FakeBackend, type FakeBackendOptions } from './fake-backend.js';
export { RawClient } from './raw-client.js';
export { selfSignedTls } from './tls.js';
