import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import readline from 'node:readline';

import { parseLogLine, type LogRecord } from '@sealbridge/chain-types/log';

import { tempDir } from './harness.js';
import { binPath, WorkerProcess } from './processes.js';

/** Every stderr line of `child` as a log record (a line off the schema throws), until `done` says enough. */
function collect(child: ChildProcess, done: (records: LogRecord[]) => boolean): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      try {
        records.push(parseLogLine(line));
      } catch (error) {
        reject(error as Error);
      }
      if (done(records)) resolve(records); // later lines are still read, so the child never blocks on a full pipe
    });
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}; logged: ${JSON.stringify(records.slice(-3))}`)));
  });
}

const exited = (child: ChildProcess) => (child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)));

describe('one JSON log schema: dev chain, worker and CLI', function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  it('sealbridge-dev-chain and sealbridge-worker --log-format json write time, level, component, msg, then fields', async () => {
    const chain = spawn(process.execPath, [binPath('@sealbridge/dev-chain'), '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(chain);
    const [listening] = (await collect(chain, (r) => r.some((x) => x.msg === 'dev chain listening'))).slice(-1);
    assert.equal(listening!.component, 'dev-chain');
    assert.match(String(listening!.url), /^ws:\/\/127\.0\.0\.1:\d+$/);

    const dir = tempDir('log-schema');
    dirs.push(dir);
    // WorkerProcess checks each of its lines against the schema (parseLogLine) and fails waitFor otherwise.
    const worker = new WorkerProcess(['--parentchain', String(listening!.url), '--data-dir', dir, '--platform-secret', `${dir}.platform-secret`, '--rpc-port', '0', '--runner-port', '0']);
    children.push(worker.child);
    dirs.push(`${dir}.platform-secret`);
    await worker.waitFor((r) => r.msg === 'imported block');
    const components = new Set(worker.records.map((r) => String(r.component)));
    assert.ok([...components].every((c) => c === 'worker' || c.startsWith('worker.')), [...components].join());
    assert.ok(components.has('worker.enclave') && components.has('worker.import'), [...components].join());
    await worker.kill('SIGTERM');
    chain.kill('SIGTERM');
  });

  it('sealbridge up --json logs both services in the same schema on stderr, its result alone on stdout', async () => {
    const up = spawn(process.execPath, [binPath('@sealbridge/cli'), 'up', '--json', '--port', '0', '--worker-port', '0', '--runner-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(up);
    let stdout = '';
    // The result is printed once the stack is ready, which may be after the registration is logged.
    const result = new Promise<void>((resolve) =>
      up.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.endsWith('\n')) resolve();
      }),
    );
    const records = await collect(up, (r) => r.some((x) => x.component === 'worker' && x.msg === 'enclave registered'));
    const components = new Set(records.map((r) => r.component));
    assert.ok(components.has('dev-chain') && components.has('worker.enclave'), [...components].join());
    await result;
    up.kill('SIGINT');
    await exited(up);
    assert.equal(up.exitCode, 0);
    assert.match((JSON.parse(stdout) as { workerUrl: string }).workerUrl, /^wss:\/\/127\.0\.0\.1:\d+$/);
  });
});
