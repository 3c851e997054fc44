import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { foreignEnv, REPO_ROOT, run } from './npm.js';

const BINS = ['sealbridge', 'sealbridge-worker', 'sealbridge-dev-chain'];

/** `npx --no-install <bin> --help` in `dir`, with its exit code instead of a rejection. */
function npxHelp(dir: string, bin: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return run('npx', ['--no-install', bin, '--help'], { cwd: dir, env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: Error) => ({ code: 1, output: error.message }),
  );
}

describe('a fresh clone', function () {
  // npm ci (from npm's cache), the full build and the demo: minutes on a 2-core machine.
  this.timeout(1_800_000);
  let tmp: string | undefined;
  after(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('npm ci && npm run demo, then npx sealbridge --help works (bins linked before the build, working after it)', async function () {
    try {
      await run('git', ['rev-parse', '--git-dir'], { cwd: REPO_ROOT });
    } catch {
      this.skip(); // not a git checkout: nothing to clone
    }
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-clone-'));
    const clone = path.join(tmp, 'sealbridge');
    // HEAD as committed: the main checkout's work tree, node_modules and dist are not read or written.
    await run('git', ['clone', '--quiet', REPO_ROOT, clone], { cwd: tmp });
    const env = foreignEnv({ CI: 'true' });

    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env });
    for (const bin of BINS) {
      await fs.access(path.join(clone, 'node_modules', '.bin', bin)).catch(() => assert.fail(`npm ci linked no node_modules/.bin/${bin}`));
    }
    // Not built yet: the shim says what to do instead of a stack trace.
    const unbuilt = await npxHelp(clone, 'sealbridge', env);
    assert.equal(unbuilt.code, 1);
    assert.match(unbuilt.output, /sealbridge is not built .*: run npm run build/);

    const demo = await run('npm', ['run', 'demo'], { cwd: clone, env });
    assert.match(demo.stdout + demo.stderr, /demo passed/);

    const help = await npxHelp(clone, 'sealbridge', env);
    assert.equal(help.code, 0, help.output);
    assert.match(help.output, /^sealbridge <command>/);
    for (const bin of ['sealbridge-worker', 'sealbridge-dev-chain']) {
      const other = await npxHelp(clone, bin, env);
      assert.equal(other.code, 0, other.output);
      assert.match(other.output, new RegExp(`^(Usage|usage): ${bin}`));
    }
  });
});
