import assert from 'node:assert/strict';

import { createLogger, formatPretty, logRecord, parseLogLine } from './log.js';

function capture(options: Parameters<typeof createLogger>[0] = {}): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ ...options, write: (line) => lines.push(line) }) };
}

describe('log schema', () => {
  it('writes time, level, component, msg, then the fields, in that order', () => {
    const { lines, log } = capture({ component: 'worker' });
    log.child('import').info('imported block', { block: 7, stateRoot: '0x01' });
    assert.equal(lines.length, 1);
    const record = parseLogLine(lines[0]);
    assert.deepEqual(Object.keys(record), ['time', 'level', 'component', 'msg', 'block', 'stateRoot']);
    assert.deepEqual({ ...record, time: undefined }, { time: undefined, level: 'info', component: 'worker.import', msg: 'imported block', block: 7, stateRoot: '0x01' });
    assert.ok(Math.abs(Date.parse(record.time) - Date.now()) < 5_000);
  });

  it('keeps bigints exact, cuts long hex and shows errors by their message, at any depth', () => {
    const { lines, log } = capture();
    log.warn('transfer', { amount: 2n ** 127n, nested: { fee: 9_008_000_000_000_000n }, xt: `0x${'ab'.repeat(100)}`, error: new Error('boom') });
    const record = parseLogLine(lines[0]);
    assert.equal(record.amount, (2n ** 127n).toString());
    assert.deepEqual(record.nested, { fee: '9008000000000000' });
    assert.equal(record.xt, `0x${'ab'.repeat(36)}…(100 bytes)`);
    assert.equal(record.error, 'boom');
  });

  it('filters by level; enabled() says what is written', () => {
    const { lines, log } = capture({ level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    assert.deepEqual(lines.map((l) => parseLogLine(l).level), ['warn', 'error']);
    assert.equal(log.enabled('info'), false);
    assert.equal(log.child('x').enabled('error'), true);
  });

  it('a component field names a sub-component; time, level and msg fields cannot change the schema', () => {
    const record = logRecord('info', 'worker.enclave', 'created key', { component: 'keys', time: 'x', level: 'y', msg: 'z', file: 'k' }, new Date(0));
    assert.deepEqual(record, { time: '1970-01-01T00:00:00.000Z', level: 'info', component: 'worker.enclave.keys', msg: 'created key', file: 'k' });
    assert.equal(logRecord('info', 'worker.rpc', 'listening', { component: 'rpc' }).component, 'worker.rpc');
  });

  it('renders the same entry as one readable line', () => {
    const record = logRecord('warn', 'dev-chain', 'imported block', { number: 3, hash: '0xab', extra: { a: 1n } }, new Date('2026-01-02T03:04:05.678Z'));
    assert.equal(formatPretty(record), '03:04:05.678 WARN  [dev-chain] imported block number=3 hash=0xab extra={"a":"1"}');
  });

  it('rejects lines of other schemas, e.g. ts/message', () => {
    assert.throws(() => parseLogLine('{"ts":"2026-01-02T03:04:05.678Z","level":"info","component":"dev-chain","message":"x"}'), /time is not ISO-8601/);
    assert.throws(() => parseLogLine('{"time":"2026-01-02T03:04:05.678Z","level":30,"component":"c","msg":"x"}'), /level is not one of/);
    assert.throws(() => parseLogLine('{"level":"info","time":"2026-01-02T03:04:05.678Z","component":"c","msg":"x"}'), /order/);
    assert.throws(() => parseLogLine('{"time":"2026-01-02T03:04:05.678Z","level":"info","component":"c"}'), /no msg/);
  });
});
