import assert from 'node:assert/strict';
import { workerRunArgs } from './worker.js';

describe('sealbridge worker dispatch', () => {
  it('passes everything after `worker` to the worker parser', () => {
    assert.deepEqual(workerRunArgs(['worker', '--parentchain', 'ws://x:1', '--data-dir', 'w']), ['--parentchain', 'ws://x:1', '--data-dir', 'w']);
    assert.deepEqual(workerRunArgs(['worker']), []);
  });

  it('leaves Smart Worker subcommands and `worker --help` (which lists them) to yargs', () => {
    assert.equal(workerRunArgs(['worker', 'deploy', 'bundle.js', '--name', 'x']), undefined);
    assert.equal(workerRunArgs(['--runner-url', 'http://127.0.0.1:1', 'worker', 'list']), undefined);
    assert.equal(workerRunArgs(['worker', '--help']), undefined);
    assert.equal(workerRunArgs(['worker', '--data-dir', 'w', '-h']), undefined);
  });

  it('skips global options (and their values) before `worker`', () => {
    assert.deepEqual(workerRunArgs(['--node-url', 'ws://worker:1', '--json', 'worker', '--rpc-port', '0']), ['--rpc-port', '0']);
    assert.deepEqual(workerRunArgs(['--config', 'worker', 'worker']), []);
  });

  it('leaves every other command to yargs', () => {
    assert.equal(workerRunArgs(['balance', 'worker']), undefined);
    assert.equal(workerRunArgs(['trusted', 'worker']), undefined);
    assert.equal(workerRunArgs([]), undefined);
  });
});
