// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

import { binPath } from './processes.js';

describe('npm run demo', function () {
  this.timeout(600_000);

  it('runs the §7.2 scenario through the CLI and reports success', async () => {
    const demo = path.join(path.dirname(binPath('@sealbridge/cli')), 'demo.js');
    const child = spawn(process.execPath, [demo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output.slice(-3000));
    assert.match(output, /demo passed/);
    assert.match(output, /ProcessedParentchainBlock|confirmed/i);
  });
});
