import assert from 'node:assert/strict';

import { ScaleDecodeError } from '@sealbridge/chain-types';

import { BlockDecodeError } from '@sealbridge/chain-types';
import { blockDecodeFailure, ImportMonitor, STALL_LOG_MAX_REPEAT_MS } from './import-stall.js';
import type { LogFields, Logger, LogLevel } from './log.js';
import { Metrics } from './metrics.js';
import { UndecodableBlockError } from './parentchain.js';

interface Line { level: LogLevel; msg: string; fields: LogFields }

function capturingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: (msg, fields = {}) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields = {}) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => lines.push({ level: 'error', msg, fields }),
    child: () => logger,
    enabled: () => true,
  };
  return logger;
}

const HASH = `0x${'ab'.repeat(32)}`;

/** What the block decoder throws for the amount of a transfer that ends early, as the parentchain client wraps it. */
function undecodable(blockNumber: number): UndecodableBlockError {
  const scale = new ScaleDecodeError('SCALE_TRUNCATED', 'Compact<u128>', 41, 'input ended').within('.value').within('.call::Balances::transfer_keep_alive');
  const decode = new BlockDecodeError('BLOCK_UNDECODABLE', `extrinsic 2: ${scale.message}`, { extrinsicIndex: 2, path: scale.path.join(''), cause: scale });
  return new UndecodableBlockError({ number: blockNumber, hash: HASH }, decode);
}

function setup() {
  const lines: Line[] = [];
  const metrics = new Metrics();
  for (const name of ['sealbridge_last_imported_block', 'sealbridge_last_finalized_block', 'sealbridge_confirmation_lag_blocks', 'sealbridge_import_stalled']) {
    metrics.define(name, 'gauge', name);
  }
  const clock = { now: 1_800_000_000_000 };
  const lookups: number[] = [];
  const monitor = new ImportMonitor({
    log: capturingLogger(lines),
    metrics,
    now: () => clock.now,
    blockHash: async (n) => {
      lookups.push(n);
      return `0x${'cd'.repeat(32)}`;
    },
  });
  return { lines, metrics, clock, monitor, lookups };
}

describe('import stall reporting', () => {
  it('reads block, extrinsic, type path, type and offset off the decoder error chain', () => {
    assert.deepEqual(blockDecodeFailure(undecodable(7)), {
      block: { number: 7, hash: HASH },
      extrinsicIndex: 2,
      eventIndex: undefined,
      path: '.call::Balances::transfer_keep_alive.value',
      typeName: 'Compact<u128>',
      offset: 41,
    });
    const metadata = new BlockDecodeError('METADATA_UNSUPPORTED', 'the metadata has no System.Events storage');
    assert.deepEqual(blockDecodeFailure(new Error('wrapped', { cause: metadata })), { block: undefined, extrinsicIndex: undefined, eventIndex: undefined, path: undefined });
    assert.equal(blockDecodeFailure(new Error('parentchain did not deliver block #7')), undefined);
    assert.equal(blockDecodeFailure(new ScaleDecodeError('SCALE_TRUNCATED', 'u32', 0, 'input ended')), undefined, 'a SCALE error alone is not a block');
  });

  it('logs an undecodable block once at error level, then at 5, 10, 20 … s up to every 10 min, while every failure counts', async () => {
    const { lines, metrics, clock, monitor } = setup();
    monitor.imported(6);
    monitor.finalized(9);
    const start = clock.now;
    const failAt = async (seconds: number) => {
      clock.now = start + seconds * 1000;
      await monitor.failed(undecodable(7), 7);
    };
    await failAt(0);
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0], {
      level: 'error',
      msg: 'parentchain block does not decode; the import stays before it and keeps retrying',
      fields: {
        block: 7,
        hash: HASH,
        extrinsic: 2,
        path: '.call::Balances::transfer_keep_alive.value',
        typeName: 'Compact<u128>',
        offset: 41,
        error: undecodable(7).message,
      },
    });
    // Retries every 0.5 … 5 s as the follower makes them: only the scheduled ones are logged.
    for (const t of [0.5, 1.5, 3.5, 4.9, 5, 7, 12, 14.9, 15, 20, 25, 30, 34.9, 35]) await failAt(t);
    const logged = (from: number) => lines.slice(from).map((l) => [l.fields.stalledSeconds, l.fields.failures]);
    assert.deepEqual(logged(1), [[5, 6], [15, 10], [35, 15]]);
    assert.ok(lines.every((l) => l.level === 'error'));

    // Doubling stops at 10 minutes.
    for (let t = 40; t <= 3 * 3600; t += 5) await failAt(t);
    const times = lines.map((l) => (l.fields.stalledSeconds as number | undefined) ?? 0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.deepEqual(gaps.slice(0, 8), [5, 10, 20, 40, 80, 160, 320, 600]);
    assert.ok(gaps.slice(8).every((g) => g === STALL_LOG_MAX_REPEAT_MS / 1000), `gaps ${gaps}`);

    assert.equal(metrics.get('sealbridge_import_stalled'), start / 1000);
    assert.equal(monitor.status().stalled?.block, 7);
    assert.equal(monitor.status().stalled?.since, start / 1000);
  });

  it('keeps the lag current while stalled and clears the stall when the import moves on', async () => {
    const { lines, metrics, clock, monitor } = setup();
    monitor.imported(6);
    monitor.finalized(8);
    assert.equal(metrics.get('sealbridge_confirmation_lag_blocks'), 2);
    await monitor.failed(undecodable(7), 7);
    monitor.finalized(12);
    monitor.finalized(11); // an older answer racing a newer notification
    assert.equal(metrics.get('sealbridge_confirmation_lag_blocks'), 6);
    assert.deepEqual(monitor.status(), {
      imported: 6,
      finalized: 12,
      lag: 6,
      stalled: { since: clock.now / 1000, block: 7, reason: undecodable(7).message },
    });
    clock.now += 42_000;
    monitor.imported(7);
    assert.equal(metrics.get('sealbridge_import_stalled'), 0);
    assert.equal(monitor.status().stalled, null);
    assert.deepEqual(lines.at(-1), { level: 'info', msg: 'import resumed', fields: { block: 7, failures: 1, stalledSeconds: 42 } });
    assert.equal(metrics.get('sealbridge_confirmation_lag_blocks'), 5);
  });

  it('logs other failures as warnings on the same schedule, a new reason at once, and looks up a hash the error lacks', async () => {
    const { lines, clock, monitor, lookups } = setup();
    monitor.imported(6);
    await monitor.failed(new Error('parentchain not connected'), 7);
    clock.now += 1_000;
    await monitor.failed(new Error('parentchain not connected'), 7);
    assert.deepEqual(lines.map((l) => [l.level, l.msg, l.fields.error]), [['warn', 'import failed, retrying', 'parentchain not connected']]);

    clock.now += 1_000;
    await monitor.failed(new Error('wrapped', { cause: new BlockDecodeError('METADATA_UNSUPPORTED', 'the metadata has no System.Events storage') }), 7);
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.level, 'error');
    assert.equal(lines[1]!.fields.hash, `0x${'cd'.repeat(32)}`);
    assert.deepEqual(lookups, [7]);
    assert.equal(monitor.status().stalled?.since, (clock.now - 2_000) / 1000, 'the same stall: since its first failure');

    monitor.succeeded();
    assert.deepEqual(lines.at(-1)?.msg, 'import resumed');
    await monitor.failed(new Error('parentchain not connected'), 7);
    assert.equal(lines.at(-1)?.msg, 'import failed, retrying', 'a new stall logs at once');
  });
});
