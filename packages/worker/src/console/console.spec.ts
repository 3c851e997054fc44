import assert from 'node:assert/strict';

import { silentLogger, type Logger } from '../log.js';
import { Metrics, MetricsError } from '../metrics.js';
import type { SyncStatus } from '../import-stall.js';
import { health, READY_MAX_LAG } from './status.js';
import { SyncHistory } from './sync-history.js';
import { WarningLog, withWarningLog } from './warnings.js';

describe('Metrics on prom-client', () => {
  it('renders counters and gauges with the labels callers used, in the Prometheus text format', async () => {
    const metrics = new Metrics();
    metrics.define('t_rejected_total', 'counter', 'Rejections, by reason');
    metrics.define('t_lag', 'gauge', 'Lag');
    metrics.define('t_never_total', 'counter', 'Never counted');
    metrics.inc('t_rejected_total', { reason: 'oversized', source: 'rpc' });
    metrics.inc('t_rejected_total', { source: 'rpc', reason: 'oversized' }, 2);
    metrics.inc('t_rejected_total', { reason: 'a "quoted"\nreason' });
    metrics.set('t_lag', 4);
    const text = await metrics.render();
    assert.match(text, /^# HELP t_rejected_total Rejections, by reason\n# TYPE t_rejected_total counter\n/m);
    assert.match(text, /^t_rejected_total\{reason="oversized",source="rpc"\} 3$/m);
    assert.match(text, /^t_rejected_total\{reason="a \\"quoted\\"\\nreason"\} 1$/m);
    assert.match(text, /^# TYPE t_lag gauge\nt_lag 4$/m);
    assert.doesNotMatch(text, /t_never_total/, 'nothing counted yet, nothing rendered');
    assert.equal(metrics.get('t_rejected_total', { source: 'rpc', reason: 'oversized' }), 3, 'label order does not matter');
  });

  it('takes a label it was not rendered with before, and counters set from elsewhere (onCollect)', async () => {
    const metrics = new Metrics();
    metrics.define('t_ops_total', 'counter', 'Ops');
    let ops = 5;
    metrics.onCollect(() => metrics.set('t_ops_total', ops, { priority: 'import' }));
    assert.match(await metrics.render(), /^t_ops_total\{priority="import"\} 5$/m);
    metrics.inc('t_ops_total', { priority: 'rpc', extra: 'x' });
    ops = 7;
    const text = await metrics.render();
    assert.match(text, /^t_ops_total\{priority="import"\} 7$/m);
    assert.match(text, /^t_ops_total\{priority="rpc",extra="x"\} 1$/m);
    assert.equal(metrics.get('t_ops_total', { priority: 'import' }), 7);
  });

  it('observes histograms; get answers their observation count', async () => {
    const metrics = new Metrics();
    metrics.define('t_seconds', 'histogram', 'Durations', { buckets: [0.1, 1], labelNames: ['method'] });
    metrics.observe('t_seconds', 0.05, { method: 'a' });
    metrics.observe('t_seconds', 0.5, { method: 'a' });
    const text = await metrics.render();
    assert.match(text, /^t_seconds_bucket\{le="0.1",method="a"\} 1$/m);
    assert.match(text, /^t_seconds_bucket\{le="1",method="a"\} 2$/m);
    assert.match(text, /^t_seconds_count\{method="a"\} 2$/m);
    assert.equal(metrics.get('t_seconds', { method: 'a' }), 2);
  });

  it('refuses undefined metrics, the wrong kind of update and a shrinking counter with coded errors', () => {
    const metrics = new Metrics();
    metrics.define('t_total', 'counter', 'c');
    metrics.define('t_h', 'histogram', 'h');
    const code = (fn: () => void, expected: string) => assert.throws(fn, (error: unknown) => error instanceof MetricsError && error.code === expected);
    code(() => metrics.inc('t_missing'), 'METRIC_UNDEFINED');
    code(() => metrics.get('t_missing'), 'METRIC_UNDEFINED');
    code(() => metrics.set('t_h', 1), 'METRIC_WRONG_TYPE');
    code(() => metrics.observe('t_total', 1), 'METRIC_WRONG_TYPE');
    code(() => metrics.inc('t_total', {}, -1), 'METRIC_BAD_VALUE');
  });
});

describe('console: warnings ring', () => {
  it('keeps the last warn/error records of the logger and its children, newest first, whatever the log level', () => {
    const warnings = new WarningLog(3);
    const written: string[] = [];
    const inner: Logger = { ...silentLogger, warn: (msg) => written.push(msg), child: () => inner };
    const log = withWarningLog(inner, warnings);
    log.info('not kept');
    log.child('import').warn('one', { block: 7 });
    log.child('rpc').child('conn').error('two');
    log.warn('three');
    log.warn('four');
    assert.deepEqual(written, ['one', 'three', 'four'], 'still written by the logger');
    assert.equal(warnings.total, 4);
    assert.deepEqual(warnings.recent().map((r) => [r.msg, r.level, r.component]), [['four', 'warn', ''], ['three', 'warn', ''], ['two', 'error', 'rpc.conn']]);
    assert.ok(log.enabled('warn') && !log.enabled('info'));
  });

  it('shows scalars only, long strings cut, and no text at all of Smart Worker records (their authors may quote env values)', () => {
    const warnings = new WarningLog();
    const log = withWarningLog(silentLogger, warnings);
    log.child('import').warn('w', { block: 7, error: new Error('boom'), blob: `0x${'ab'.repeat(200)}`, nested: { a: 1 }, n: 5n });
    log.child('smart-worker').warn('smart worker run failed', { id: 'x', error: 'Error: the-secret', failures: 2 });
    const [author, own] = warnings.recent();
    assert.deepEqual(own!.fields, { block: 7, error: 'boom', blob: `0x${'ab'.repeat(79)}…`, n: '5' });
    assert.equal(own!.textHidden, false);
    assert.deepEqual(author!.fields, { failures: 2 });
    assert.equal(author!.textHidden, true);
  });
});

describe('console: health', () => {
  const sync = (s: Partial<SyncStatus>): SyncStatus => ({ imported: 10, finalized: 10, lag: 0, stalled: null, ...s });
  const of = (s: Partial<SyncStatus>, connected = true, fatal?: Error) => health({ sync: () => sync(s), parentchainConnected: () => connected, fatal: () => fatal });

  it(`is ready when connected, at most ${READY_MAX_LAG} blocks behind and not stalled`, () => {
    assert.deepEqual(of({ finalized: 13, lag: 3 }), { live: true, ready: true, reasons: [], imported: 10, finalized: 13, lag: 3, maxLag: 3, stalled: null, parentchainConnected: true });
    assert.deepEqual(of({ finalized: 14, lag: 4 }).reasons, ['4 finalized blocks not imported yet (at most 3 for ready)']);
    const stalled = of({ stalled: { since: 1_700_000_000, block: 11, reason: 'does not decode' } });
    assert.equal(stalled.ready, false);
    assert.deepEqual(stalled.reasons, ['the import is stalled at block #11 since 2023-11-14T22:13:20.000Z: does not decode']);
    assert.deepEqual(of({}, false).reasons, ['the parentchain is not connected']);
    assert.deepEqual(of({ imported: 0, finalized: 0 }).reasons, ['no finalized parentchain block seen yet']);
    const stopped = of({}, true, new Error('another chain'));
    assert.deepEqual({ live: stopped.live, ready: stopped.ready, reasons: stopped.reasons }, { live: false, ready: false, reasons: ['the import stopped: another chain'] });
  });
});

describe('console: import-rate history', () => {
  it('samples blocks per second and averages the last minute', () => {
    let now = 0;
    let imported = 100;
    const history = new SyncHistory(() => imported, () => now);
    assert.equal(history.perSecondLastMinute(), 0);
    now = 2_000; imported = 120;
    history.sample();
    now = 4_000; imported = 121;
    history.sample();
    assert.deepEqual(history.samples(), [{ at: 2_000, blocksPerSecond: 10 }, { at: 4_000, blocksPerSecond: 0.5 }]);
    assert.equal(history.perSecondLastMinute(), 5.25);
    now = 70_000;
    history.sample();
    assert.equal(history.perSecondLastMinute(), 0, 'older samples are out of the minute');
  });
});
