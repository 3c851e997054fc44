import WebSocket from 'ws';

/** Minimal wss client for specs: sends raw text and hands back frames in arrival order. */
export class RawClient {
  readonly ws: WebSocket;
  readonly #frames: string[] = [];
  readonly #waiters: ((frame: string) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = data.toString();
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Next frame (already received or the next to arrive). */
  next(): Promise<string> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async nextJson(): Promise<{ jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string } }> {
    return JSON.parse(await this.next());
  }

  /** Frames received but not yet taken. */
  get backlog(): number {
    return this.#frames.length;
  }

  async call(method: string, params: unknown[] = [], id: unknown = 1): Promise<{ result?: unknown; error?: { code: number; message: string }; id: unknown }> {
    this.send(JSON.stringify({ jsonrpc: '2.0', method, params, id }));
    return this.nextJson();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
