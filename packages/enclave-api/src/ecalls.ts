import { bool, bytes, f64, h256, json, names, option, str, struct, u16, u32, unit, vec, type Codec, type Infer } from './codec.js';

/**
 * Every ECALL: what the host may ask of the enclave process, and nothing else. Like Integritee's `Enclave.edl`, this
 * list is the whole surface: arguments and results are SCALE byte strings described here, errors are the codes of
 * errors.ts. No ECALL returns the plaintext of a call, of state, of a secret or of a key, and none signs bytes the
 * host chose: what leaves is public (keys' public halves, measurements, the RA-TLS certificate), sealed, or an
 * extrinsic the enclave's own logic decided to send. docs/enclave-boundary.md explains each entry.
 */

/** The runtime the chain's blocks are built with; the enclave decodes blocks and encodes its calls with it. */
export const RuntimeInfo = struct('RuntimeInfo', {
  /** SCALE(RuntimeMetadataPrefixed), V14 or later. */
  metadata: bytes,
  specVersion: u32,
  transactionVersion: u32,
});

export const InitArgs = struct('InitArgs', {
  /** Where the enclave keeps its sealed key files (written by the enclave process itself). */
  sealedDir: str,
  /** The simulated CPU sealing root; only the enclave process reads it. None = the default path. */
  platformSecretPath: option(str),
  /** The shard it serves; None = its MRENCLAVE (Integritee's default shard). */
  shard: option(h256),
  genesisHash: h256,
  runtime: RuntimeInfo,
  ss58Prefix: u16,
  /** Development chain: `balance_set_balance` is allowed for //Alice, as in Integritee's test genesis. */
  development: bool,
  /** The enclave account's next nonce as the host knows it (chain and outbox); the enclave never goes below its own. */
  nextNonce: u32,
  /** The TLS JSON-RPC server the enclave opens itself (TLS terminates inside). */
  rpc: option(struct('RpcListen', { host: str, port: u16, maxConnections: u32, advertisedUrl: option(str) })),
  /** The Escrin-compatible Smart Worker runner API, served by the enclave process. */
  runner: option(struct('RunnerListen', { host: str, port: u16, token: option(str) })),
  smartWorkerFetchAllow: vec(str),
  /** Decryption threads; 0 = one per core. */
  decryptThreads: u32,
  /** Lowest level of the log records the enclave sends (OCALL `log`). */
  logLevel: names('LogLevel', ['debug', 'info', 'warn', 'error'] as const),
});

export const EnclaveInfo = struct('EnclaveInfo', {
  mrenclave: h256,
  mrsigner: h256,
  /** ed25519 public key: the enclave's parentchain account. */
  signer: h256,
  shard: h256,
  /** Integritee JSON of the RSA-3072 shielding public key. */
  shieldingKeyJson: str,
  rpcUrl: option(str),
  runnerUrl: option(str),
  /** Where the sealed state resumes: the last block whose import is in it. */
  stateRoot: h256,
});

/** One finalized parentchain block as the host fetched it: opaque bytes the enclave decodes itself. */
export const RawBlock = struct('RawBlock', {
  number: u32,
  hash: h256,
  parentHash: h256,
  /** SCALE(UncheckedExtrinsic) of each extrinsic, with its length prefix. */
  extrinsics: vec(bytes),
  /** SCALE(Vec<EventRecord>) of `System.Events` at the block; None if the node has none. */
  events: option(bytes),
  /** The last block whose result the host has durably written: what the enclave kept for a re-import it may forget. */
  committed: u32,
});

/** An extrinsic the enclave signed and wants on chain, byte for byte. */
export const SignedExtrinsic = struct('SignedExtrinsic', {
  /** blake2-256 of `bytes`: how the host recognises it in a block. */
  hash: h256,
  nonce: u32,
  /** What it is for (`confirm`, `unshield_funds`, `env_result`, `relay`, `olm_keys`, `register`): logs and metrics. */
  kind: str,
  bytes,
});

/** Host storage writes the enclave asks for: sealed values under keys that reveal nothing; None deletes. */
export const SealedWrite = struct('SealedWrite', { key: str, value: option(bytes) });

export const BlockImported = struct('BlockImported', {
  /** Sealed state, env and replay records of the block: written by the host in the same batch as the cursor. */
  writes: vec(SealedWrite),
  /** Confirmation, payouts, acknowledgements: persisted with the block, then sent. */
  extrinsics: vec(SignedExtrinsic),
  indirectCalls: u32,
  ok: u32,
  failed: u32,
  /** Merkle root of the block's indirect calls (what the confirmation commits to). */
  callsRoot: h256,
  /** Root of the shard state after the block: public (it is what workers of a shard agree on). */
  stateRoot: h256,
  /** Time the STF took to execute the block, for the operator's metrics. */
  executionSeconds: f64,
});

export const Registration = struct('Registration', {
  /** `Skip` on a chain without simulated attestation, else `Simulated`. */
  attestation: names('Attestation', ['Skip', 'Simulated'] as const),
  extrinsic: SignedExtrinsic,
});

/** What the operator console shows of the enclave's Smart Workers (public metadata, no code, env or keys). */
export const ConsoleInfo = json<{ smartWorkers: Array<Record<string, unknown>> }>('ConsoleInfo');

export interface CallSpec<A, R> {
  readonly id: number;
  readonly arg: Codec<A>;
  readonly result: Codec<R>;
  readonly doc: string;
}

const call = <A, R>(id: number, arg: Codec<A>, result: Codec<R>, doc: string): CallSpec<A, R> => ({ id, arg, result, doc });

export const ECALLS = {
  init: call(1, InitArgs, EnclaveInfo, 'Opens or creates the sealed keys, loads the sealed state (OCALL sealed_scan), starts the decryption threads, the TLS RPC server and the Smart Worker runtime.'),
  set_runtime: call(2, RuntimeInfo, unit, 'A runtime upgrade: blocks from now on are decoded, and calls encoded, with this metadata.'),
  import_block: call(3, RawBlock, BlockImported, 'Decodes the block, decrypts and verifies its indirect invocations, executes them, handles set_env claims, seals the changes and signs the confirmation and payouts. Blocks must come in order.'),
  register: call(4, struct('RegisterArgs', { url: option(str), nextNonce: u32 }), Registration, "Signs the enclave's Teerex registration with a fresh quote bound to its signer and shielding key."),
  console_status: call(5, unit, ConsoleInfo, 'Public state for the operator console.'),
  shutdown: call(6, unit, unit, 'Closes the RPC server, the runtime and the threads; the process exits after replying.'),
} as const;

export type EcallName = keyof typeof ECALLS;
export type EcallArg<N extends EcallName> = Infer<(typeof ECALLS)[N]['arg']>;
export type EcallResult<N extends EcallName> = Infer<(typeof ECALLS)[N]['result']>;

export type InitArgs = Infer<typeof InitArgs>;
export type EnclaveInfo = Infer<typeof EnclaveInfo>;
export type RawBlock = Infer<typeof RawBlock>;
export type BlockImported = Infer<typeof BlockImported>;
export type SignedExtrinsic = Infer<typeof SignedExtrinsic>;
export type SealedWrite = Infer<typeof SealedWrite>;
export type RuntimeInfo = Infer<typeof RuntimeInfo>;
export type Registration = Infer<typeof Registration>;
