import type { Duplex } from 'node:stream';

import { json, str, struct, decode, encode } from './codec.js';
import { BoundaryError } from './errors.js';

/**
 * The one pipe between host and enclave process. Every message is a frame:
 *
 *   u32 LE length of the rest ‖ u8 kind ‖ u32 LE sequence number ‖ u16 LE call id (requests) or status (replies) ‖ payload
 *
 * A request's payload is the call's SCALE argument; a reply's is the SCALE result (status 0) or an `ErrorReply`.
 * Frames over the size limit are refused unread: their bytes are skipped as they arrive and answered with
 * MESSAGE_TOO_LARGE, so no message can make the other side buffer more than the limit.
 */
export const FRAME_KIND = { ecall: 0, ecallReply: 1, ocall: 2, ocallReply: 3, ocallOneWay: 4 } as const;
export type FrameKind = (typeof FRAME_KIND)[keyof typeof FRAME_KIND];

const HEADER_BYTES = 4 + 1 + 4 + 2;
/** Bytes of the length field; the length counts what follows it. */
const LENGTH_BYTES = 4;
/** Largest frame either side accepts: a full block with its events is a few MB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** The payload of a reply whose status is not 0. */
export const ErrorReply = struct('ErrorReply', { message: str, details: json<Record<string, unknown> | null>('details') });

export type Side = 'host' | 'enclave';

/** Which kinds a side receives as requests and as replies; everything else is a protocol violation. */
const ACCEPTS: Record<Side, { requests: readonly FrameKind[]; replies: FrameKind; replyKind: FrameKind; requestKind: FrameKind }> = {
  enclave: { requests: [FRAME_KIND.ecall], replies: FRAME_KIND.ocallReply, replyKind: FRAME_KIND.ecallReply, requestKind: FRAME_KIND.ocall },
  host: { requests: [FRAME_KIND.ocall, FRAME_KIND.ocallOneWay], replies: FRAME_KIND.ecallReply, replyKind: FRAME_KIND.ocallReply, requestKind: FRAME_KIND.ecall },
};

export interface IncomingRequest {
  kind: FrameKind;
  callId: number;
  payload: Uint8Array;
  /** False for one-way messages: nothing is sent back. */
  expectsReply: boolean;
}

/** Answers a request with its SCALE result, or throws a BoundaryError (other errors become INTERNAL). */
export type RequestHandler = (request: IncomingRequest) => Promise<Uint8Array> | Uint8Array;

export interface ChannelOptions {
  side: Side;
  maxMessageBytes?: number;
  /** Test hook: sees every frame, whole, in each direction (the hostile-host spec records what crossed). */
  record?: (direction: 'in' | 'out', frame: Uint8Array) => void;
  /** A frame the channel could not use (no reply possible), for the side's log. */
  onProtocolError?: (error: BoundaryError) => void;
}

export class Channel {
  readonly #stream: Duplex;
  readonly #options: Required<Pick<ChannelOptions, 'side' | 'maxMessageBytes'>> & ChannelOptions;
  readonly #pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  #handler: RequestHandler | undefined;
  #seq = 0;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;
  /** Bytes of an oversized frame still to skip. */
  #discard = 0;
  #closedError: BoundaryError | undefined;
  readonly closed: Promise<void>;

  constructor(stream: Duplex, options: ChannelOptions) {
    this.#stream = stream;
    // `??`, not a spread default: `{ maxMessageBytes: undefined }` must not switch the limit off.
    this.#options = { ...options, maxMessageBytes: options.maxMessageBytes ?? MAX_MESSAGE_BYTES };
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.#fail(new BoundaryError('ENCLAVE_CLOSED', `the ${this.#options.side === 'host' ? 'enclave' : 'host'} closed the channel`));
        resolve();
      };
      stream.once('close', done);
      stream.once('end', done);
      // Not `once`: a second 'error' (a write after the peer went away) must not become an uncaught exception.
      stream.on('error', done);
    });
  }

  /** Serves the other side's requests; until set, requests are answered with INTERNAL. */
  serve(handler: RequestHandler): void {
    this.#handler = handler;
  }

  /** Sends a request and resolves with the reply's payload; rejects with the reply's BoundaryError. */
  request(callId: number, payload: Uint8Array): Promise<Uint8Array> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const tooLarge = this.#tooLarge(payload);
    if (tooLarge) return Promise.reject(tooLarge);
    const seq = this.#nextSeq();
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      this.#send(ACCEPTS[this.#options.side].requestKind, seq, callId, payload);
    });
  }

  /** A one-way message (enclave → host only): no reply, no error. */
  notify(callId: number, payload: Uint8Array): void {
    if (this.#options.side !== 'enclave') throw new Error('one-way messages go from the enclave to the host only');
    if (this.#closedError) return;
    const tooLarge = this.#tooLarge(payload);
    if (tooLarge) return this.#options.onProtocolError?.(tooLarge);
    this.#send(FRAME_KIND.ocallOneWay, 0, callId, payload);
  }

  close(): void {
    this.#stream.end();
    this.#fail(new BoundaryError('ENCLAVE_CLOSED', 'channel closed'));
  }

  #nextSeq(): number {
    do this.#seq = (this.#seq + 1) >>> 0 || 1;
    while (this.#pending.has(this.#seq));
    return this.#seq;
  }

  /** A frame this side would refuse to receive is not sent either: the other side would only skip it. */
  #tooLarge(payload: Uint8Array): BoundaryError | undefined {
    const size = HEADER_BYTES + payload.length;
    if (size <= this.#options.maxMessageBytes) return undefined;
    return new BoundaryError('MESSAGE_TOO_LARGE', `a ${size}-byte message is over the ${this.#options.maxMessageBytes}-byte limit (not sent)`);
  }

  #send(kind: FrameKind, seq: number, code: number, payload: Uint8Array): void {
    // After the close nothing is written: the stream is ending or gone, and a write would only raise an error.
    if (this.#closedError) return;
    const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    frame.writeUInt32LE(HEADER_BYTES - 4 + payload.length, 0);
    frame.writeUInt8(kind, 4);
    frame.writeUInt32LE(seq, 5);
    frame.writeUInt16LE(code, 9);
    frame.set(payload, HEADER_BYTES);
    this.#options.record?.('out', frame);
    this.#stream.write(frame);
  }

  #reply(seq: number, result: Uint8Array | BoundaryError): void {
    const kind = ACCEPTS[this.#options.side].replyKind;
    if (!(result instanceof BoundaryError)) {
      const tooLarge = this.#tooLarge(result);
      if (!tooLarge) return this.#send(kind, seq, 0, result);
      this.#options.onProtocolError?.(tooLarge);
      result = tooLarge;
    }
    let payload: Uint8Array;
    try {
      payload = encode(ErrorReply, { message: result.message, details: result.details ?? null });
    } catch {
      // Details that are no JSON (a bigint, a cycle): the code and message still go back.
      payload = encode(ErrorReply, { message: result.message, details: null });
    }
    if (this.#tooLarge(payload)) payload = encode(ErrorReply, { message: result.message.slice(0, 1024), details: null });
    this.#send(kind, seq, result.status, payload);
  }

  #receive(chunk: Buffer): void {
    if (this.#discard > 0) {
      const skipped = Math.min(this.#discard, chunk.length);
      this.#discard -= skipped;
      chunk = chunk.subarray(skipped);
      if (chunk.length === 0) return;
    }
    this.#buffered.push(chunk);
    this.#bufferedBytes += chunk.length;
    for (;;) {
      if (this.#bufferedBytes < LENGTH_BYTES) return;
      const length = this.#peek(LENGTH_BYTES).readUInt32LE(0);
      if (length < HEADER_BYTES - LENGTH_BYTES) {
        // Shorter than a header. The length still says where the next frame starts, so the stream stays in step:
        // the frame is taken off whole and refused, with what it has of kind and sequence number.
        if (this.#bufferedBytes < LENGTH_BYTES + length) return;
        const frame = this.#consume(LENGTH_BYTES + length);
        this.#options.record?.('in', frame);
        // Without a kind byte it may have been a request: answered (sequence number 0) so the sender learns of it.
        const kind = (length >= 1 ? frame.readUInt8(4) : ACCEPTS[this.#options.side].requests[0]!) as FrameKind;
        const seq = length >= 5 ? frame.readUInt32LE(5) : 0;
        this.#protocolError(new BoundaryError('MALFORMED_MESSAGE', `frame length ${length} is shorter than a header (${HEADER_BYTES - LENGTH_BYTES})`), seq, kind);
        continue;
      }
      if (this.#bufferedBytes < HEADER_BYTES) return;
      const head = Buffer.from(this.#peek(HEADER_BYTES));
      const kind = head.readUInt8(4) as FrameKind;
      const seq = head.readUInt32LE(5);
      const code = head.readUInt16LE(9);
      if (length + LENGTH_BYTES > this.#options.maxMessageBytes) {
        const rest = length + LENGTH_BYTES - HEADER_BYTES;
        const available = this.#bufferedBytes - HEADER_BYTES;
        this.#consume(HEADER_BYTES + Math.min(available, rest));
        this.#discard = Math.max(0, rest - available);
        this.#options.record?.('in', head);
        const error = new BoundaryError('MESSAGE_TOO_LARGE', `a ${length + LENGTH_BYTES}-byte message is over the ${this.#options.maxMessageBytes}-byte limit`);
        // A reply too large to read still ends its request, with the error instead of the result.
        const pending = kind === ACCEPTS[this.#options.side].replies ? this.#pending.get(seq) : undefined;
        if (pending) {
          this.#pending.delete(seq);
          pending.reject(error);
        }
        this.#protocolError(error, seq, kind);
        if (this.#discard > 0) return;
        continue;
      }
      if (this.#bufferedBytes < length + LENGTH_BYTES) return;
      const frame = this.#consume(length + LENGTH_BYTES);
      this.#options.record?.('in', frame);
      this.#dispatch(kind, seq, code, frame.subarray(HEADER_BYTES));
    }
  }

  #dispatch(kind: FrameKind, seq: number, code: number, payload: Uint8Array): void {
    const accepts = ACCEPTS[this.#options.side];
    if (kind === accepts.replies) {
      const pending = this.#pending.get(seq);
      if (!pending) {
        // An error reply to no request of ours: the other side refusing a frame it could not tie to a request.
        const message = code === 0 ? `reply to unknown request ${seq}` : `error reply to unknown request ${seq}: ${errorOf(code, payload).message}`;
        return this.#options.onProtocolError?.(new BoundaryError('MALFORMED_MESSAGE', message));
      }
      this.#pending.delete(seq);
      if (code === 0) return pending.resolve(payload);
      return pending.reject(errorOf(code, payload));
    }
    if (!accepts.requests.includes(kind)) {
      return this.#protocolError(new BoundaryError('MALFORMED_MESSAGE', `unexpected frame kind ${kind}`), seq, kind);
    }
    const expectsReply = kind !== FRAME_KIND.ocallOneWay;
    const handler = this.#handler;
    const run = async (): Promise<Uint8Array> => {
      if (!handler) throw new BoundaryError('INTERNAL', 'no handler');
      return handler({ kind, callId: code, payload, expectsReply });
    };
    run().then(
      (result) => {
        if (!expectsReply) return;
        if (!(result instanceof Uint8Array)) throw new BoundaryError('INTERNAL', `the handler of call ${code} returned no bytes`);
        this.#reply(seq, result);
      },
    ).catch((error: unknown) => {
      const boundaryError = error instanceof BoundaryError ? error : new BoundaryError('INTERNAL', (error as Error)?.message ?? String(error));
      if (expectsReply) this.#reply(seq, boundaryError);
      else this.#options.onProtocolError?.(boundaryError);
    });
  }

  /** Answers a request frame that could not be served; a bad reply or one-way frame is only reported. */
  #protocolError(error: BoundaryError, seq: number, kind: FrameKind): void {
    this.#options.onProtocolError?.(error);
    if (ACCEPTS[this.#options.side].requests.includes(kind) && kind !== FRAME_KIND.ocallOneWay) this.#reply(seq, error);
  }

  #peek(n: number): Buffer {
    if (this.#buffered[0]!.length >= n) return this.#buffered[0]!.subarray(0, n);
    const joined = Buffer.concat(this.#buffered);
    this.#buffered = [joined];
    return joined.subarray(0, n);
  }

  #consume(n: number): Buffer {
    const first = this.#buffered[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#buffered.shift();
      else this.#buffered[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.#buffered);
      out = joined.subarray(0, n);
      this.#buffered = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.#bufferedBytes -= n;
    return out;
  }

  #fail(error: BoundaryError): void {
    if (this.#closedError) return;
    this.#closedError = error;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/** The BoundaryError an error reply carries; one without a readable ErrorReply keeps its status. */
function errorOf(status: number, payload: Uint8Array): BoundaryError {
  try {
    const { message, details } = decode(ErrorReply, payload);
    return BoundaryError.fromStatus(status, message, details ?? undefined);
  } catch {
    return BoundaryError.fromStatus(status, 'error reply without a readable message');
  }
}
