import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import type { RunnerServer } from './http-api.js';
import { createSmartWorkerRuntime, type SmartWorkerRuntime } from './runtime.js';
import { bundleWorker, eventually, hashKeys, ManualClock, MemoryKv, startSink } from './testing/fixtures.js';
import { ESCRIN_STYLE_WORKER } from './testing/worker-sources.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('runner HTTP API', function () {
  this.timeout(60_000);
  let sink: Awaited<ReturnType<typeof startSink>>;
  let code: string;
  let runtime: SmartWorkerRuntime;
  let server: RunnerServer;

  const config = () => ({
    store: 'sapphire-testnet',
    label: 'label',
    reportUrl: sink.url,
    deniedUrl: 'http://127.0.0.1:1/',
    nonce: randomUUID(),
  });
  const post = (body: RequestInit['body'], headers: Record<string, string> = {}, path = '/') =>
    fetch(server.url + path, { method: 'POST', body, headers });
  const expectError = async (res: Response, status: number, error: string | RegExp) => {
    assert.equal(res.status, status);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = (await res.json()) as { error: string };
    if (typeof error === 'string') assert.deepEqual(body, { error });
    else assert.match(body.error, error);
  };

  // A Blob without a type makes fetch send no content-type header (a plain string would add text/plain).
  const raw = (text: string) => new Blob([text]);

  before(async () => {
    [sink, code] = await Promise.all([startSink(), bundleWorker(ESCRIN_STYLE_WORKER)]);
    runtime = await createSmartWorkerRuntime({
      keys: hashKeys,
      storage: new MemoryKv(),
      fetchAllow: [`127.0.0.1:${sink.port}`],
      clock: new ManualClock(),
    });
    server = await runtime.listen({ maxBodyBytes: 1024 * 1024 });
  });
  after(async () => {
    await runtime.close();
    await sink.close();
  });

  it("accepts the seed's curl request as real multipart form data and runs tasks() at once", async () => {
    const cfg = config();
    const form = new FormData();
    form.append('script', new Blob([code], { type: 'application/javascript' }), 'worker.js');
    form.append('type', 'module');
    form.append('schedule', '"*/5 * * * *"'); // the literal quotes of the docs' -F 'schedule="*/5 * * * *"'
    form.append('config', JSON.stringify(cfg));
    const res = await post(form);
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    assert.match(id, UUID);
    const report = await eventually(() => sink.reports.find((r) => r?.nonce === cfg.nonce));
    assert.equal(report.runs, 1);

    const info = (await (await fetch(`${server.url}/workers/${id}`)).json()) as any;
    assert.equal(info.schedule, '*/5 * * * *');
    assert.equal(info.type, 'module');
    assert.equal(typeof info.nextRun, 'number');
    const listed = (await (await fetch(`${server.url}/workers`)).json()) as any;
    assert.ok(listed.workers.some((w: any) => w.id === id));
  });

  it('creates from JSON (code or script alias, config object or string) and from urlencoded forms', async () => {
    for (const body of [
      { code, type: 'module', config: config() },
      { script: code, type: 'module', config: JSON.stringify(config()), name: 'n', shard: 'shard-1' },
    ]) {
      const res = await post(JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' });
      assert.equal(res.status, 201);
    }
    const nonce = randomUUID();
    const form = new URLSearchParams({ code, type: 'module', config: JSON.stringify({ ...config(), nonce }) });
    const res = await post(form, {}, '/workers');
    assert.equal(res.status, 201);
    await eventually(() => sink.reports.find((r) => r?.nonce === nonce));
  });

  it("answers invalid requests with Escrin's status codes and messages", async () => {
    await expectError(await post('hi', { 'content-type': 'text/plain' }), 400, 'unsupported content type: text/plain');
    await expectError(await post('{', { 'content-type': 'application/json' }), 400, 'the request body could not be parsed as JSON');
    await expectError(await post(raw('{"code":')), 400, 'the request body could not be parsed as JSON');
    const badConfig = new FormData();
    badConfig.append('code', code);
    badConfig.append('config', '{not json');
    await expectError(await post(badConfig), 400, /^the request body could not be parsed as form data: SyntaxError/);
    const json = (body: object) => post(raw(JSON.stringify(body)));
    await expectError(await json({ code, schedule: '0 * * *' }), 400, 'unsupported schedule');
    await expectError(await json({ code, schedule: 'every minute' }), 400, 'unsupported schedule');
    await expectError(await json({ type: 'module' }), 400, 'missing worker code: send the script as `code` (or `script`)');
    await expectError(await json({ code, type: 'wasm' }), 400, 'unsupported type: wasm (expected module or classic)');
    await expectError(await json({ code, config: [1] }), 400, 'config must be a JSON object');
    await expectError(await json({ code: 'export default {', type: 'module' }), 400, /^the worker script failed to load: /);
    await expectError(await post(raw('x'.repeat(1024 * 1024 + 1))), 413, 'request body exceeds 1048576 bytes');
  });

  it('serves status, logs and deletion under /workers', async () => {
    const res = await post(raw(JSON.stringify({ code, type: 'module', config: config(), schedule: '*/5 * * * *' })));
    const { id } = (await res.json()) as { id: string };
    const invoked = await runtime.invoke(id, {
      input: new TextEncoder().encode('logged'),
      sender: new Uint8Array(32),
      ctx: { blockNumber: 1, blockHash: new Uint8Array(32), timestamp: 0 },
    });
    assert.ok(invoked.ok, !invoked.ok ? invoked.error : '');
    const logs = (await (await fetch(`${server.url}/workers/${id}/logs?limit=10`)).json()) as any;
    assert.ok(logs.lines.some((l: any) => l.level === 'log' && l.message === 'invoked with logged'));
    await expectError(await fetch(`${server.url}/workers/${id}/logs?limit=0`), 400, /^limit must be/);

    assert.equal((await fetch(`${server.url}/workers/${id}`, { method: 'DELETE' })).status, 204);
    assert.equal(runtime.get(id), undefined);
    await expectError(await fetch(`${server.url}/workers/${id}`), 404, `unknown worker: ${id}`);
    await expectError(await fetch(`${server.url}/workers/${id}`, { method: 'DELETE' }), 404, `unknown worker: ${id}`);
    await expectError(await fetch(`${server.url}/workers/${id}/logs`), 404, `unknown worker: ${id}`);
    await expectError(await fetch(`${server.url}/nope`), 404, 'not found');
    await expectError(await fetch(`${server.url}/`, { method: 'GET' }), 405, 'method not allowed');
  });

  it('requires the bearer token when one is configured', async () => {
    const guarded = await runtime.listen({ token: 's3cret' });
    try {
      await expectError(await fetch(`${guarded.url}/workers`), 401, 'unauthorized');
      await expectError(
        await fetch(`${guarded.url}/workers`, { headers: { authorization: 'Bearer wrong' } }),
        401,
        'unauthorized',
      );
      const ok = await fetch(`${guarded.url}/workers`, { headers: { authorization: 'Bearer s3cret' } });
      assert.equal(ok.status, 200);
    } finally {
      await guarded.close();
    }
  });
});
