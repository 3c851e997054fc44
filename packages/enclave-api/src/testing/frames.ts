import type { Readable } from 'node:stream';

import { ErrorReply } from '../channel.js';
import { decode } from '../codec.js';

/**
 * The channel's frames written and read by hand, for specs that speak to the other side byte by byte instead of
 * through a Channel: u32 LE length of the rest ‖ u8 kind ‖ u32 LE seq ‖ u16 LE call id / status ‖ payload.
 */
export interface RawFrame {
  kind: number;
  seq: number;
  /** The call id of a request, the status of a reply. */
  code: number;
  payload: Uint8Array;
}

export const FRAME_HEADER_BYTES = 11;

/** One frame; `length` overrides the length field (a lie about the size, for malformed frames). */
export function encodeFrame(kind: number, seq: number, code: number, payload: Uint8Array = new Uint8Array(0), length?: number): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(length ?? FRAME_HEADER_BYTES - 4 + payload.length, 0);
  frame.writeUInt8(kind, 4);
  frame.writeUInt32LE(seq >>> 0, 5);
  frame.writeUInt16LE(code, 9);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** The message and details of an error reply's payload. */
export function decodeErrorReply(payload: Uint8Array): { message: string; details: Record<string, unknown> | null } {
  return decode(ErrorReply, payload);
}

/**
 * Splits a byte stream into frames (whole frames of any size; it trusts the lengths it reads, which is fine for
 * reading what the side under test sends). `next()` waits for the next frame, with a timeout.
 */
export class FrameReader {
  readonly frames: RawFrame[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  #ended = false;

  constructor(stream?: Readable) {
    if (stream) {
      stream.on('data', (chunk: Buffer) => this.push(chunk));
      stream.on('end', () => this.end());
      stream.on('close', () => this.end());
    }
  }

  push(chunk: Uint8Array): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : Buffer.from(chunk);
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUInt32LE(0);
      if (this.#buffer.length < 4 + length) break;
      const frame = this.#buffer.subarray(0, 4 + length);
      this.#buffer = this.#buffer.subarray(4 + length);
      this.frames.push({
        kind: length >= 1 ? frame.readUInt8(4) : -1,
        seq: length >= 5 ? frame.readUInt32LE(5) : -1,
        code: length >= 7 ? frame.readUInt16LE(9) : -1,
        payload: new Uint8Array(frame.subarray(Math.min(FRAME_HEADER_BYTES, frame.length))),
      });
    }
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves with the next frame not yet taken; rejects after `timeoutMs`, or when the stream ended. */
  async next(timeoutMs = 5_000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.#ended) throw new Error('the stream ended before the next frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once nothing arrived for `quietMs`: the frames that came until then (taken). */
  async drain(quietMs = 200): Promise<RawFrame[]> {
    const out: RawFrame[] = [];
    for (;;) {
      try {
        out.push(await this.next(quietMs));
      } catch {
        return out;
      }
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
