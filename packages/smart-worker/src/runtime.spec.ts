import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

import { createSmartWorkerRuntime, type SmartWorkerRuntime } from './runtime.js';
import { bundleWorker, eventually, hashKeys, ManualClock, MemoryKv, startSink, vectorKeys } from './testing/fixtures.js';
import { CLASSIC_WORKER, ESCRIN_STYLE_WORKER, PROBE_WORKER } from './testing/worker-sources.js';
import type { InvocationRequest, OmniKeyProvider, SmartWorkerRuntimeOptions } from './types.js';

const BLOCK = {
  blockNumber: 42n,
  blockHash: new Uint8Array(32).fill(7),
  timestamp: 1_700_000_000_000,
};
const call = (text: string): InvocationRequest => ({
  input: new TextEncoder().encode(text),
  sender: new Uint8Array(32).fill(1),
  ctx: BLOCK,
});
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('SmartWorkerRuntime', function () {
  this.timeout(60_000);
  let sink: Awaited<ReturnType<typeof startSink>>;
  let denied: Awaited<ReturnType<typeof startSink>>;
  let escrinCode: string;
  const runtimes: SmartWorkerRuntime[] = [];

  const open = async (options: Partial<SmartWorkerRuntimeOptions> = {}) => {
    const runtime = await createSmartWorkerRuntime({
      keys: hashKeys,
      storage: new MemoryKv(),
      fetchAllow: [`127.0.0.1:${sink.port}`],
      clock: new ManualClock(),
      ...options,
    });
    runtimes.push(runtime);
    return runtime;
  };
  const config = (extra: Record<string, unknown> = {}) => ({
    store: 'sapphire-testnet',
    label: 'nftrout/encryption/nfts',
    reportUrl: sink.url,
    deniedUrl: `http://127.0.0.1:${denied.port}/nope`,
    nonce: randomUUID(),
    ...extra,
  });

  before(async () => {
    [sink, denied, escrinCode] = await Promise.all([startSink(), startSink(), bundleWorker(ESCRIN_STYLE_WORKER)]);
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
  });
  after(async () => {
    await Promise.all([sink.close(), denied.close()]);
  });

  const reportFor = (nonce: string, run = 1) =>
    eventually(() => sink.reports.find((r) => r?.nonce === nonce && r.runs === run));

  it('runs an escrin-style worker once on creation: config, HKDF Omni Key, timers, allow-listed fetch', async () => {
    const runtime = await open({ keys: vectorKeys, envProvider: async ({ id }) => ({ WORKER_ID: id }) });
    const cfg = config();
    const { id } = await runtime.create({ code: escrinCode, type: 'module', config: cfg });
    const report = await reportFor(cfg.nonce);
    // docs/smart-workers.md Appendix A: Omni Key 00..1f as @escrin/worker alpha.4 imports it (44-byte IKM), HKDF-SHA-512.
    assert.equal(report.derived, 'e690df315335460350a4a0934663ddbfdf9f2c256c96d2626301041c3c1bb30f');
    assert.equal(report.deterministic, true);
    assert.equal(report.sameConfig, true);
    assert.deepEqual(report.key, {
      type: 'secret',
      algorithm: 'HKDF',
      extractable: false,
      usages: ['deriveBits', 'deriveKey'],
    });
    assert.equal(report.exportRejected, true);
    assert.deepEqual(report.bogus, { statusCode: 404, message: 'unknown key store: bogus-store' });
    assert.ok(report.waited >= 50);
    assert.equal(report.denied.status, 403, 'a fetch to a port outside fetchAllow fails');
    assert.equal(denied.reports.length, 0, 'the denied endpoint was never reached');
    assert.deepEqual(report.env, { WORKER_ID: id }, 'envProvider output is merged as config.env');
    const info = await eventually(() => runtime.get(id)?.lastRun);
    assert.equal(info.ok, true);
    assert.equal(info.trigger, 'create');
  });

  it('gives the same Omni Key bits after a restart with the same storage, and different bits to another worker', async () => {
    const storage = new MemoryKv();
    const first = await open({ storage });
    const cfg = config({ label: 'test/subkey' });
    const { id } = await first.create({ code: escrinCode, type: 'module', config: cfg, name: 'alpha' });
    const before = (await reportFor(cfg.nonce)).derived;
    await first.close();

    const second = await open({ storage });
    assert.deepEqual(second.list().map((w) => w.id), [id]);
    const run = await second.runTasks(id);
    assert.equal(run.ok, true, run.error);
    assert.equal((await reportFor(cfg.nonce, 1 /* new isolate, module state reset */)).derived, before);
    assert.equal(sink.reports.filter((r) => r?.nonce === cfg.nonce).length, 2);

    const other = config({ label: 'test/subkey' });
    await second.create({ code: escrinCode, type: 'module', config: other, name: 'beta' });
    assert.notEqual((await reportFor(other.nonce)).derived, before);
  });

  it('fires cron schedules on the injected clock (5- and 6-field) and stops them on remove', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 1));
    const runtime = await open({ clock });
    const cfg = config();
    const { id, nextRun } = await runtime.create({ code: escrinCode, type: 'module', config: cfg, schedule: '*/5 * * * *' });
    assert.equal(nextRun, Date.UTC(2026, 0, 1, 0, 5, 0));
    await reportFor(cfg.nonce, 1);
    await eventually(() => runtime.get(id)?.lastRun); // overlapping runs are skipped, so let the first one finish
    clock.advance(5 * 60_000);
    await reportFor(cfg.nonce, 2); // module state persists between runs of one isolate
    assert.equal(runtime.get(id)?.nextRun, Date.UTC(2026, 0, 1, 0, 10, 0));

    const fast = config();
    const seconds = await runtime.create(
      { code: escrinCode, type: 'module', config: fast, schedule: '*/10 * * * * *' },
      { runTasksNow: false },
    );
    clock.advance(10_000);
    await reportFor(fast.nonce, 1);

    assert.equal(await runtime.remove(id), true);
    assert.equal(await runtime.remove(seconds.id), true);
    assert.equal(clock.pendingTimers, 0, 'no schedule is left armed');
    clock.advance(60 * 60_000);
    assert.equal(runtime.get(id), undefined);
    assert.equal(await runtime.remove(id), false);
  });

  it('gives the env of the worker’s shard from the first start, and the new env after reloadEnv', async () => {
    const secrets = new Map([['shard-a', { SECRET: 'one' }]]);
    const runtime = await open({ envProvider: async ({ shard }) => secrets.get(shard ?? '') ?? {} });
    const code = 'export default { async fetch(request, env) { return new Response(JSON.stringify(env.config.env ?? null)); } };';
    const { id } = await runtime.create({ code, type: 'module', shard: 'shard-a' }, { runTasksNow: false });
    const read = async () => {
      const result = await runtime.invoke(id, call('x'));
      assert.ok(result.ok, !result.ok ? result.error : '');
      return decode(result.output);
    };
    assert.deepEqual(await read(), { SECRET: 'one' });
    secrets.set('shard-a', { SECRET: 'two' });
    await runtime.reloadEnv('shard-b');
    assert.deepEqual(await read(), { SECRET: 'one' }, 'another shard’s change leaves it running');
    await runtime.reloadEnv('shard-a');
    assert.deepEqual(await read(), { SECRET: 'two' });
  });

  it('stops a call that goes over its CPU time or memory limit, and the worker answers again afterwards', async () => {
    // Two runtimes, so allocating 300 MiB never trips the CPU limit first on a loaded machine.
    const cpuLimited = await open({ limits: { cpuMs: 300, invokeTimeoutMs: 20_000 } });
    const memoryLimited = await open({ limits: { memoryMb: 300, invokeTimeoutMs: 20_000 } });
    const code = `export default { async fetch(request) {
      const what = new TextDecoder().decode(await request.arrayBuffer());
      if (what === 'spin') { for (;;) {} }
      if (what === 'hog') { const kept = []; for (;;) { kept.push(new Array(100000).fill(kept.length)); await new Promise((r) => setTimeout(r, 1)); } }
      return new Response('fine');
    } };`;
    for (const [runtime, input, error] of [
      [cpuLimited, 'spin', 'used more than 300 ms of CPU time'],
      [memoryLimited, 'hog', 'used more than 300 MiB of memory'],
    ] as const) {
      const { id } = await runtime.create({ code, type: 'module' }, { runTasksNow: false });
      const over = await runtime.invoke(id, call(input));
      assert.deepEqual(over.ok ? 'ok' : over.error, error);
      const after = await runtime.invoke(id, call('hello'));
      assert.ok(after.ok && new TextDecoder().decode(after.output) === 'fine', 'a fresh isolate serves the next call');
    }
  });

  it('invokes the worker with block context and a per-worker deterministic seed', async () => {
    const runtime = await open();
    const { id } = await runtime.create({ code: escrinCode, type: 'module', config: config() }, { runTasksNow: false });
    const result = await runtime.invoke(id, call('hello'));
    assert.ok(result.ok, !result.ok ? result.error : '');
    const out = decode(result.output);
    assert.equal(out.echo, 'hello');
    assert.equal(out.block, '42');
    assert.equal(out.blockHash, '07'.repeat(32));
    assert.equal(out.timestamp, BLOCK.timestamp);
    assert.equal(out.sender, '01'.repeat(32));
    const info = runtime.get(id)!;
    const omni = await hashKeys.getOmniKey('sapphire-mainnet', Buffer.from(info.identity.slice(2), 'hex'));
    const expectedSeed = createHash('sha256')
      .update('sealbridge-smart-worker-seed-v1')
      .update(omni)
      .update(BLOCK.blockHash)
      .digest('hex');
    assert.equal(out.seed, expectedSeed);
    assert.ok(runtime.logs(id).some((l) => l.message === 'invoked with hello'));
  });

  it('fails a looping or throwing invocation with {ok:false} and keeps serving later calls', async () => {
    const runtime = await open({ limits: { invokeTimeoutMs: 1_000 } });
    const { id } = await runtime.create({ code: escrinCode, type: 'module', config: config() }, { runTasksNow: false });
    const looped = await runtime.invoke(id, call('loop'));
    assert.equal(looped.ok, false);
    assert.match(!looped.ok ? looped.error : '', /timed out after 1000 ms/);
    const threw = await runtime.invoke(id, call('throw'));
    assert.equal(threw.ok, false);
    assert.match(!threw.ok ? threw.error : '', /invoke boom/);
    const after = await runtime.invoke(id, call('still alive'));
    assert.ok(after.ok);
    assert.equal(decode(after.output).echo, 'still alive');
    assert.equal((await runtime.invoke('no-such-worker', call('x'))).ok, false);
  });

  it('confines a worker: no process, no files, no unlisted fetch, only its own Omni Key, Escrin RPC errors', async () => {
    const keys: OmniKeyProvider = { getOmniKey: (store, identity) => hashKeys.getOmniKey(store, identity) };
    const runtime = await open({ keys });
    const code = await bundleWorker(PROBE_WORKER);
    // The socket target is allow-listed for fetch, yet raw TCP must still be refused.
    const probeConfig = { deniedUrl: `http://127.0.0.1:${denied.port}/`, socketPort: sink.port };
    const a = await runtime.create({ code, type: 'module', name: 'a', config: probeConfig }, { runTasksNow: false });
    const b = await runtime.create({ code, type: 'module', name: 'b', config: probeConfig }, { runTasksNow: false });
    const probe = async (id: string) => {
      const result = await runtime.invoke(id, call(''));
      assert.ok(result.ok, !result.ok ? result.error : '');
      return decode(result.output);
    };
    const [pa, pb] = await Promise.all([probe(a.id), probe(b.id)]);
    assert.equal(pa.process, 'undefined');
    assert.match(pa.file, /^threw: /);
    assert.equal(pa.loopback, 403);
    assert.equal(denied.reports.length, 0, 'the denied endpoint was never reached');
    assert.match(pa.socket, /^threw: /, 'raw TCP sockets (cloudflare:sockets) are refused');
    assert.deepEqual(pa.bindings, ['config', 'escrin']);
    const keyOf = async (identity: string) =>
      Buffer.from(await hashKeys.getOmniKey('sapphire-testnet', Buffer.from(identity.slice(2), 'hex'))).toString('base64');
    assert.deepEqual(pa.key, { status: 200, body: { key: await keyOf(a.identity) } });
    assert.deepEqual(pa.otherKey, pa.key);
    assert.deepEqual(pb.key, { status: 200, body: { key: await keyOf(b.identity) } });
    assert.notDeepEqual(pa.key, pb.key);
    assert.deepEqual(pa.unknownMethod, { status: 404, body: { error: 'unknown method: get-account' } });
    assert.deepEqual(pa.unknownStore, { status: 404, body: { error: 'unknown key store: bogus' } });
    assert.deepEqual(pa.unknownKeyId, { status: 404, body: { error: 'unknown key id: other' } });
    assert.deepEqual(pa.badContentType, {
      status: 400,
      body: { error: 'invalid content-type. application/json is required' },
    });
    assert.equal(pa.badJson.status, 400);
    assert.match(pa.badJson.body.error, /^unable to decode request body: /);
    assert.deepEqual(pa.noMethod, { status: 400, body: { error: 'invalid request body: missing or invalid method' } });
    assert.deepEqual(pa.noParams, { status: 400, body: { error: 'invalid request body: missing or invalid params' } });
  });

  it('bounds scheduled runs by taskTimeoutMs and recycles the stuck isolate', async () => {
    const runtime = await open({ limits: { taskTimeoutMs: 1_000 } });
    const code = `addEventListener('scheduled', (e) => e.waitUntil((async () => { if (config.loop) for (;;) {} })()));
addEventListener('fetch', (e) => e.respondWith(new Response('up')));`;
    const stuck = await runtime.create({ code, config: { loop: true } }, { runTasksNow: false });
    const run = await runtime.runTasks(stuck.id);
    assert.equal(run.ok, false);
    assert.match(run.error ?? '', /timed out after 1000 ms/);
    assert.equal(runtime.get(stuck.id)?.lastError?.message, run.error);
    const after = await runtime.invoke(stuck.id, call('x'));
    assert.ok(after.ok, 'a fresh isolate serves the next call');
    const fine = await runtime.create({ code, config: { loop: false } }, { runTasksNow: false });
    assert.equal((await runtime.runTasks(fine.id)).ok, true);
  });

  it('reports key provider failures to the worker as a 500 without details', async () => {
    const keys: OmniKeyProvider = {
      getOmniKey: (store, identity) => {
        if (store === 'sapphire-testnet') throw new Error('enclave says no');
        return hashKeys.getOmniKey(store, identity);
      },
    };
    const runtime = await open({ keys });
    const code = await bundleWorker(PROBE_WORKER);
    const { id } = await runtime.create({ code, type: 'module', config: { deniedUrl: 'http://127.0.0.1:1/', socketPort: 1 } }, { runTasksNow: false });
    const result = await runtime.invoke(id, call(''));
    assert.ok(result.ok, !result.ok ? result.error : '');
    assert.deepEqual(decode(result.output).key, { status: 500, body: { error: 'the key service failed' } });
  });

  it('runs classic (service-worker) scripts with bindings as globals', async () => {
    const runtime = await open();
    const cfg = config({ label: 'classic-label' });
    const { id } = await runtime.create({ code: CLASSIC_WORKER, type: 'classic', config: cfg });
    await eventually(() => sink.reports.find((r) => r?.classic === true && r.cron === ''));
    const result = await runtime.invoke(id, call('sw'));
    assert.ok(result.ok);
    assert.deepEqual(decode(result.output), { classic: true, body: 'sw', label: 'classic-label' });
  });

  it('rejects scripts workerd cannot load and keeps nothing of them', async () => {
    const storage = new MemoryKv();
    const runtime = await open({ storage });
    await assert.rejects(runtime.create({ code: 'export default {', type: 'module' }), (e: any) => {
      assert.equal(e.code, 'ERR_SCRIPT_FAILED');
      assert.match(e.message, /^the worker script failed to load: .*SyntaxError/);
      return true;
    });
    assert.deepEqual(runtime.list(), []);
    assert.equal(storage.data.size, 0);
  });

  it('binds workers to shards and persists the binding', async () => {
    const storage = new MemoryKv();
    const runtime = await open({ storage });
    const { id } = await runtime.create({ code: CLASSIC_WORKER, config: config(), shard: 's1' }, { runTasksNow: false });
    assert.deepEqual(runtime.workersForShard('s1'), [id]);
    await runtime.bindToShard(id, 's2');
    assert.deepEqual(runtime.workersForShard('s1'), []);
    await runtime.close();
    const restored = await open({ storage });
    assert.deepEqual(restored.workersForShard('s2'), [id]);
    await assert.rejects(restored.bindToShard('missing', 's2'), { code: 'ERR_NOT_FOUND' });
  });
});
