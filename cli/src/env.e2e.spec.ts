import assert from 'node:assert/strict';
import { runCliJson, spawnCli } from './spawn-cli.js';
import type { Stack } from './stack.js';
import { useStack } from './test-helpers.js';

describe('sealbridge set-env / list-env against a dev chain and a worker', function () {
  this.timeout(180_000);
  let stack: Stack & { dir: string; env: Record<string, string> };
  let opts: { env: Record<string, string>; cwd: string };

  before(async () => {
    stack = await useStack();
    opts = { env: stack.env, cwd: stack.dir };
  });
  after(async () => stack?.stop());

  it('sets secrets by shard, lists names only, and never prints a value', async () => {
    const value = 'cli-secret-7f3a91';
    const set = await spawnCli(['set-env', stack.mrenclave, `API_TOKEN=${value}`, 'EMPTY=', '--json'], opts);
    assert.equal(set.code, 0, set.stderr);
    const result = JSON.parse(set.stdout) as { status: string; names: string[] };
    assert.deepEqual([result.status, result.names], ['Stored', ['API_TOKEN', 'EMPTY']]);
    assert.ok(!set.stdout.includes(value) && !set.stderr.includes(value));

    const deleted = await runCliJson<{ names: string[] }>(['set-env', stack.mrenclave, '--unset', 'EMPTY'], opts);
    assert.deepEqual(deleted.names, ['EMPTY']);
    assert.deepEqual((await runCliJson<{ names: string[] }>(['list-env', stack.mrenclave], opts)).names, ['API_TOKEN']);
    assert.deepEqual((await runCliJson<{ names: string[] }>(['list-env', stack.mrenclave, '--from', '//Bob'], opts)).names, []);
  });

  it('rejects bad input with one clear line', async () => {
    const [none, bad, target] = await Promise.all([
      spawnCli(['set-env', stack.mrenclave], opts),
      spawnCli(['set-env', stack.mrenclave, 'not-an-assignment'], opts),
      spawnCli(['set-env', '0x1234', 'A=b'], opts),
    ]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: nothing to set: give NAME=VALUE or --unset NAME\n$/);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: expected NAME=VALUE \(the value is not echoed\)\n$/);
    assert.equal(target.code, 1);
    assert.match(target.stderr, /neither an account/);
  });
});
