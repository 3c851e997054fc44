import assert from 'node:assert/strict';

import { normalizeWorkerRequest, parseCreateBody } from './create-request.js';
import { nextRunAfter, parseSchedule } from './schedule.js';

const enc = (text: string) => new TextEncoder().encode(text);

describe('creation request parsing', () => {
  it('treats a missing content type as JSON and defaults type, config and name like a classic Escrin worker', async () => {
    const spec = await parseCreateBody(undefined, enc(JSON.stringify({ code: 'x' })));
    assert.deepEqual(spec, { code: 'x', type: 'classic', config: {}, schedule: undefined, name: '', shard: undefined });
  });

  it('copies form files as text and parses config from a file', async () => {
    const form = new FormData();
    form.append('code', new Blob(['export default {}']), 'w.js');
    form.append('type', 'module');
    form.append('config', new Blob(['{"a":1}']), 'config.json');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const spec = await parseCreateBody(req.headers.get('content-type')!, new Uint8Array(await req.arrayBuffer()));
    assert.equal(spec.code, 'export default {}');
    assert.equal(spec.type, 'module');
    assert.deepEqual(spec.config, { a: 1 });
  });

  it('accepts standard, seconds and macro crons, stripping one pair of quotes', () => {
    assert.equal(parseSchedule('"*/5 * * * *"'), '*/5 * * * *');
    assert.equal(parseSchedule(' 0  12 * * 1-5 '), '0 12 * * 1-5');
    assert.equal(parseSchedule('*/10 * * * * *'), '*/10 * * * * *');
    assert.equal(parseSchedule('@hourly'), '@hourly');
    for (const bad of ['* * * *', '0 0 0 * * * *', '61 * * * *', '""', '@hourly *']) {
      assert.throws(() => parseSchedule(bad), { code: 'ERR_INVALID_REQUEST', message: 'unsupported schedule' });
    }
    assert.equal(nextRunAfter('*/5 * * * *', Date.UTC(2026, 0, 1, 0, 5, 0)), Date.UTC(2026, 0, 1, 0, 10, 0));
  });

  it('rejects bad labels and non-string schedules', () => {
    assert.throws(() => normalizeWorkerRequest({ code: 'x', name: 'a\u0000b' }), /invalid name/);
    assert.throws(() => normalizeWorkerRequest({ code: 'x', shard: 7 }), /invalid shard/);
    assert.throws(() => normalizeWorkerRequest({ code: 'x', schedule: 5 }), /unsupported schedule/);
    assert.equal(normalizeWorkerRequest({ code: 'x', schedule: '' }).schedule, undefined);
  });
});
