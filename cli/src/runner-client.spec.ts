import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliErrorCode } from './errors.js';
import { RunnerClient } from './runner-client.js';

/** A stand-in runner answering each path with a fixed status and body; records what it received. */
async function fakeRunner(routes: Record<string, [number, string]>) {
  const seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      const [status, text] = routes[`${req.method} ${req.url}`] ?? [404, '{"error":"not found"}'];
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const client = (url: string, token = '') => new RunnerClient(url, { token, timeoutMs: 5_000, signal: new AbortController().signal });

describe('RunnerClient', () => {
  it('deploys with a JSON body and the bearer token, then reads the record back', async () => {
    const info = { id: 'w1', name: 'a.js', type: 'module', identity: `0x${'ab'.repeat(32)}`, status: 'ready', createdAt: 1 };
    const runner = await fakeRunner({ 'POST /workers': [201, '{"id":"w1"}'], 'GET /workers/w1': [200, JSON.stringify(info)] });
    try {
      assert.deepEqual(await client(`${runner.url}/`, 't0k').deploy({ code: 'x', type: 'module', name: 'a.js' }), info);
      assert.deepEqual(JSON.parse(runner.seen[0].body), { code: 'x', type: 'module', name: 'a.js' });
      assert.deepEqual(runner.seen.map((r) => r.authorization), ['Bearer t0k', 'Bearer t0k']);
    } finally {
      await runner.close();
    }
  });

  it('maps 401, 404, other errors and non-JSON answers to one coded message each', async () => {
    const runner = await fakeRunner({
      'GET /workers': [401, '{"error":"unauthorized"}'],
      'GET /workers/gone': [404, '{"error":"unknown worker: gone"}'],
      'DELETE /workers/x%2Fy': [500, 'oops'],
      'GET /workers/x/logs?limit=0': [400, '{"error":"limit must be an integer from 1 to 500"}'],
      'GET /workers/html': [200, '<html>'],
    });
    try {
      const c = client(runner.url);
      await assert.rejects(c.list(), { code: CliErrorCode.RUNNER_UNAUTHORIZED, message: /\(401 unauthorized\): missing --runner-token/ });
      await assert.rejects(c.get('gone'), { code: CliErrorCode.UNKNOWN_SMART_WORKER, message: 'unknown worker: gone' });
      await assert.rejects(c.remove('x/y'), { code: CliErrorCode.RUNNER_REJECTED, message: /DELETE \/workers\/x%2Fy \(500\): HTTP 500 Internal Server Error$/ });
      await assert.rejects(c.logs('x', 0), { code: CliErrorCode.RUNNER_REJECTED, message: /\(400\): limit must be an integer from 1 to 500$/ });
      await assert.rejects(c.get('html'), { code: CliErrorCode.RUNNER_REJECTED, message: /not JSON — is it a Smart Worker runner\?/ });
    } finally {
      await runner.close();
    }
  });

  it('rejects URLs that are not http(s) before any request', () => {
    assert.throws(() => client('ws://127.0.0.1:8080'), { code: CliErrorCode.BAD_INPUT, message: /invalid runner URL 'ws:/ });
    assert.throws(() => client('localhost:8080'), { code: CliErrorCode.BAD_INPUT });
  });
});
