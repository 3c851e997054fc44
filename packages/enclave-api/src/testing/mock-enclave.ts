import type { Duplex } from 'node:stream';

import { bytesEqual, topHash } from '@sealbridge/chain-types';

import { ecallClient, ocallClient, serveEcalls, serveOcalls, type EcallHandlers, type EnclaveEcalls, type HostOcalls, type OcallHandlers } from '../calls.js';
import { Channel } from '../channel.js';
import { ECALLS, type BlockImported, type EcallArg, type EcallName, type EcallResult, type EnclaveInfo, type SignedExtrinsic } from '../ecalls.js';
import { BoundaryError, type BoundaryErrorCode } from '../errors.js';
import { OCALLS } from '../ocalls.js';
import { duplexPair } from './duplex-pair.js';

/** One ECALL the mock received, with how it ended (`ok`, or the error code it failed with). */
export interface RecordedCall<N extends EcallName = EcallName> {
  name: N;
  arg: EcallArg<N>;
  outcome?: 'ok' | BoundaryErrorCode;
}

export interface MockEnclaveOptions {
  /** Fields of the EnclaveInfo `init` returns (the rest are fixed test values; `shard` follows init's argument). */
  info?: Partial<EnclaveInfo>;
  /** Answers that replace the defaults, per ECALL. */
  answers?: Partial<EcallHandlers>;
}

type Handler<N extends EcallName> = (arg: EcallArg<N>) => Promise<EcallResult<N>> | EcallResult<N>;

const filled = (byte: number, n = 32): Uint8Array => new Uint8Array(n).fill(byte);

/** The test identity `init` returns unless told otherwise. */
export const MOCK_ENCLAVE_INFO: EnclaveInfo = {
  mrenclave: filled(0x11),
  mrsigner: filled(0x22),
  signer: filled(0x33),
  shard: filled(0x11),
  shieldingKeyJson: '{"n":[1],"e":[1,0,1]}',
  rpcUrl: undefined,
  runnerUrl: undefined,
  stateRoot: filled(0),
};

/**
 * The enclave, in memory, for host-side unit specs: every ECALL of the list with plausible defaults (init first,
 * blocks in order, a signed `confirm` per block with the next nonce), answers replaceable per ECALL, every call
 * recorded, failures and a crash on request. It is an `EnclaveEcalls` (use it where the host holds
 * `enclaveProcess.ecalls`) and an `EcallHandlers` (serve it with `connectedPair` to go through the real channel).
 */
export class MockEnclave implements EnclaveEcalls {
  readonly calls: RecordedCall[] = [];
  /** The nonce of the next extrinsic the mock signs; `init` and `register` move it as the real enclave does. */
  nextNonce = 0;
  /** The last block `import_block` accepted. */
  lastImported: { number: number; hash: Uint8Array } | undefined;
  /** Set by `init`, cleared by `shutdown`. */
  info: EnclaveInfo | undefined;
  /** Resolves when the mock died (`die()`) or, after replying to `shutdown`, exited. */
  readonly died: Promise<'died' | 'shutdown'>;

  readonly #options: MockEnclaveOptions;
  readonly #answers = new Map<EcallName, Handler<any>>();
  readonly #failures = new Map<EcallName, Array<{ code: BoundaryErrorCode; message: string; details?: Record<string, unknown> }>>();
  #stateRoot = filled(0);
  #dead: BoundaryError | undefined;
  #shutDown = false;
  #markDead!: (how: 'died' | 'shutdown') => void;
  #deadRejections = new Set<(error: BoundaryError) => void>();

  constructor(options: MockEnclaveOptions = {}) {
    this.#options = options;
    for (const [name, handler] of Object.entries(options.answers ?? {})) this.#answers.set(name as EcallName, handler as Handler<any>);
    this.died = new Promise((resolve) => (this.#markDead = resolve));
  }

  /** Replaces the answer of one ECALL (the default is used again after `answer(name, undefined)`). */
  answer<N extends EcallName>(name: N, handler: Handler<N> | undefined): this {
    if (handler) this.#answers.set(name, handler);
    else this.#answers.delete(name);
    return this;
  }

  /** The next `times` calls of `name` fail with this code (after being recorded), then it answers again. */
  fail(name: EcallName, code: BoundaryErrorCode, options: { message?: string; details?: Record<string, unknown>; times?: number } = {}): this {
    const queue = this.#failures.get(name) ?? [];
    for (let i = 0; i < (options.times ?? 1); i++) queue.push({ code, message: options.message ?? `mock: ${name} fails with ${code}`, details: options.details });
    this.#failures.set(name, queue);
    return this;
  }

  /** The process is gone: calls in flight and every later call reject with ENCLAVE_CLOSED. */
  die(message = 'the mock enclave died'): void {
    this.#end('died', message);
  }

  #end(how: 'died' | 'shutdown', message: string): void {
    if (this.#dead) return;
    this.#dead = new BoundaryError('ENCLAVE_CLOSED', message);
    for (const reject of this.#deadRejections) reject(this.#dead);
    this.#deadRejections.clear();
    this.#markDead(how);
  }

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  callsOf<N extends EcallName>(name: N): Array<RecordedCall<N>> {
    return this.calls.filter((c): c is RecordedCall<N> => c.name === name);
  }

  init(arg: EcallArg<'init'>): Promise<EnclaveInfo> {
    return this.#call('init', arg, (args) => {
      if (this.info) throw new BoundaryError('ALREADY_INITIALIZED', 'init was called before');
      this.nextNonce = Math.max(this.nextNonce, args.nextNonce);
      const base = { ...MOCK_ENCLAVE_INFO, ...this.#options.info };
      this.info = { ...base, shard: args.shard ?? this.#options.info?.shard ?? base.mrenclave, stateRoot: this.#stateRoot };
      return this.info;
    });
  }

  set_runtime(arg: EcallArg<'set_runtime'>): Promise<void> {
    return this.#call('set_runtime', arg, () => {
      this.#need();
    });
  }

  import_block(arg: EcallArg<'import_block'>): Promise<BlockImported> {
    return this.#call('import_block', arg, (block) => {
      this.#need();
      const last = this.lastImported;
      if (last && (block.number !== last.number + 1 || !bytesEqual(block.parentHash, last.hash))) {
        throw new BoundaryError('CHAIN_MISMATCH', `block ${block.number} does not extend block ${last.number}`, {
          details: { expected: last.number + 1, got: block.number },
        });
      }
      this.lastImported = { number: block.number, hash: block.hash };
      this.#stateRoot = topHash(concat(this.#stateRoot, block.hash));
      return {
        writes: [{ key: 'mock/state', value: this.#stateRoot }],
        extrinsics: [this.sign('confirm', concat(u32le(block.number), block.hash))],
        indirectCalls: 0,
        ok: 0,
        failed: 0,
        callsRoot: filled(0),
        stateRoot: this.#stateRoot,
        executionSeconds: 0.001,
      };
    });
  }

  register(arg: EcallArg<'register'>): Promise<EcallResult<'register'>> {
    return this.#call('register', arg, ({ url, nextNonce }) => {
      this.#need();
      this.nextNonce = Math.max(this.nextNonce, nextNonce);
      return { attestation: 'Skip' as const, extrinsic: this.sign('register', new TextEncoder().encode(url ?? '')) };
    });
  }

  console_status(arg: EcallArg<'console_status'>): Promise<EcallResult<'console_status'>> {
    return this.#call('console_status', arg, () => {
      this.#need();
      return { smartWorkers: [] };
    });
  }

  shutdown(arg: EcallArg<'shutdown'>): Promise<void> {
    return this.#call('shutdown', arg, () => {
      this.#shutDown = true;
      this.info = undefined;
      // After the reply the process exits: later calls find it gone.
      setImmediate(() => this.#end('shutdown', 'the mock enclave shut down'));
    });
  }

  /**
   * An extrinsic as the mock "signs" it: bytes that name kind, nonce and what it is about (no real signature),
   * with their blake2-256 as the hash the host recognises it by. Takes the next nonce.
   */
  sign(kind: string, about: Uint8Array = new Uint8Array(0)): SignedExtrinsic {
    const nonce = this.nextNonce++;
    const bytes = concat(new TextEncoder().encode(`mock:${kind}:`), u32le(nonce), about);
    return { hash: topHash(bytes), nonce, kind, bytes };
  }

  #need(): void {
    if (!this.info) throw new BoundaryError('NOT_INITIALIZED', 'init has not completed');
  }

  async #call<N extends EcallName>(name: N, arg: EcallArg<N>, fallback: Handler<N>): Promise<EcallResult<N>> {
    const record: RecordedCall<N> = { name, arg };
    this.calls.push(record as RecordedCall);
    try {
      if (this.#dead) throw this.#dead;
      if (this.#shutDown && name !== 'shutdown') throw new BoundaryError('ENCLAVE_CLOSED', 'the mock enclave was shut down');
      const failure = this.#failures.get(name)?.shift();
      if (failure) throw new BoundaryError(failure.code, failure.message, { details: failure.details });
      const handler = (this.#answers.get(name) as Handler<N> | undefined) ?? fallback;
      let rejectDead!: (error: BoundaryError) => void;
      const death = new Promise<never>((_, reject) => (rejectDead = reject));
      this.#deadRejections.add(rejectDead);
      try {
        const result = await Promise.race([Promise.resolve().then(() => handler(arg)), death]);
        record.outcome = 'ok';
        return result;
      } finally {
        this.#deadRejections.delete(rejectDead);
      }
    } catch (error) {
      record.outcome = error instanceof BoundaryError ? error.code : 'INTERNAL';
      throw error;
    }
  }
}

export interface ConnectedPairOptions {
  /** What the enclave end serves; a MockEnclave works, and its `die()` then closes the enclave end. */
  ecalls?: Partial<EcallHandlers>;
  /** What the host end serves; OCALLs without a handler fail with INTERNAL. */
  ocalls?: Partial<OcallHandlers>;
  /** Deliver bytes in pieces of at most this size (reassembly of frames). */
  chunkBytes?: number;
  maxMessageBytes?: number;
  record?: (side: 'host' | 'enclave', direction: 'in' | 'out', frame: Uint8Array) => void;
}

export interface ConnectedPair {
  /** The host's ECALL client, as `spawnEnclave(...).ecalls`. */
  ecalls: EnclaveEcalls;
  /** The enclave's OCALL client, as the trusted runtime holds it. */
  ocalls: HostOcalls;
  host: Channel;
  enclave: Channel;
  hostStream: Duplex;
  enclaveStream: Duplex;
  /** What each side's channel reported as unusable frames. */
  protocolErrors: { host: BoundaryError[]; enclave: BoundaryError[] };
  /** The enclave end goes away as if its process died: the host's pending ECALLs reject with ENCLAVE_CLOSED. */
  kill(): void;
  /** The host closes the channel; resolves once both ends saw it. */
  close(): Promise<void>;
}

function complete<T extends Record<string, unknown>>(table: Record<string, unknown>, given: Partial<T>, what: string): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(table)) {
    const handler = (given as Record<string, unknown>)[name];
    out[name] = typeof handler === 'function'
      ? (arg: unknown) => (handler as (a: unknown) => unknown).call(given, arg)
      : () => {
        throw new BoundaryError('INTERNAL', `${what} ${name} is not served by this pair`);
      };
  }
  return out as T;
}

/**
 * Host and enclave ends over an in-memory duplex pair, each through a real Channel: specs exercise the framing,
 * the SCALE codecs and the error replies exactly as between the worker and the enclave process.
 */
export function connectedPair(options: ConnectedPairOptions = {}): ConnectedPair {
  const [hostStream, enclaveStream] = duplexPair({ chunkBytes: options.chunkBytes });
  const protocolErrors = { host: [] as BoundaryError[], enclave: [] as BoundaryError[] };
  const channel = (side: 'host' | 'enclave', stream: Duplex) => new Channel(stream, {
    side,
    maxMessageBytes: options.maxMessageBytes,
    onProtocolError: (error) => protocolErrors[side].push(error),
    record: options.record && ((direction, frame) => options.record!(side, direction, frame)),
  });
  const host = channel('host', hostStream);
  const enclave = channel('enclave', enclaveStream);
  serveEcalls(enclave, complete<EcallHandlers>(ECALLS, options.ecalls ?? {}, 'ECALL'));
  serveOcalls(host, complete<OcallHandlers>(OCALLS, options.ocalls ?? {}, 'OCALL'));
  const kill = () => enclaveStream.destroy();
  // A mock that shut down exits after its reply went out; one that died is just gone.
  if (options.ecalls instanceof MockEnclave) void options.ecalls.died.then((how) => (how === 'shutdown' ? enclaveStream.end() : kill()));
  return {
    ecalls: ecallClient(host),
    ocalls: ocallClient(enclave),
    host,
    enclave,
    hostStream,
    enclaveStream,
    protocolErrors,
    kill,
    async close() {
      host.close();
      await Promise.all([host.closed, enclave.closed]);
    },
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}
