import assert from 'node:assert/strict';

import { Miniflare, type Request } from 'miniflare';

import { COMPATIBILITY_DATE } from './constants.js';
import { handleEscrinRpc } from './escrin-service.js';
import { noopLogger } from './logger.js';
import { bundleWorker, startSink } from './testing/fixtures.js';

// The sdk's fetch handler speaks @escrin/worker's JSON method protocol; drive it directly through miniflare.
describe('smart-worker-sdk fetch protocol (escrinWorker compatibility)', function () {
  this.timeout(60_000);
  let mf: Miniflare;
  let sink: Awaited<ReturnType<typeof startSink>>;

  before(async () => {
    sink = await startSink();
    const code = await bundleWorker(`
      import { smartWorker } from '@sealbridge/smart-worker-sdk';
      export default smartWorker({
        async tasks(rnr) {
          const { reportUrl } = await rnr.getConfig();
          await fetch(reportUrl, { method: 'POST', body: JSON.stringify({ tasks: true }) });
        },
      });`);
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }],
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { config: { reportUrl: sink.url } },
      serviceBindings: { escrin: (req: Request) => handleEscrinRpc(req, async () => new Uint8Array(32), noopLogger) },
    });
  });
  after(async () => {
    await mf.dispose();
    await sink.close();
  });

  const call = (body: string, contentType = 'application/json') =>
    mf.dispatchFetch('http://worker/', { method: 'POST', headers: { 'content-type': contentType }, body });

  it('runs tasks for {method:"tasks"} and answers 204', async () => {
    const res = await call(JSON.stringify({ method: 'tasks', params: {} }));
    assert.equal(res.status, 204);
    assert.deepEqual(await sink.waitForCount(1), { tasks: true });
  });

  it("answers malformed calls with @escrin/worker's decodeRequest errors", async () => {
    const expect = async (res: Awaited<ReturnType<typeof call>>, status: number, error: string | RegExp) => {
      assert.equal(res.status, status);
      const body = (await res.json()) as { error: string };
      if (typeof error === 'string') assert.equal(body.error, error);
      else assert.match(body.error, error);
    };
    await expect(await call('{}', 'text/plain'), 400, 'invalid content-type. application/json is required');
    await expect(await call('{'), 400, /^unable to decode request body: /);
    await expect(await call('3'), 400, 'invalid request body');
    await expect(await call('{"params":{}}'), 400, 'invalid request body: missing or invalid method');
    await expect(await call('{"method":"tasks"}'), 400, 'invalid request body: missing or invalid params');
    await expect(await call('{"method":"other","params":{}}'), 404, 'unknown method: other');
    // No invoke callback was given.
    const res = await mf.dispatchFetch('https://smart-worker.invalid/invoke', { method: 'POST', body: 'x' });
    await expect(res, 404, 'this worker has no invoke handler');
  });
});
