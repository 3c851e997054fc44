import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { shardToBase58 } from '@sealbridge/chain-types';
import { parseLogLine } from '@sealbridge/chain-types/log';
import { startWorker } from '@sealbridge/worker';
import { toSs58 } from './accounts.js';
import { runCliJson, spawnCli, type CliRun } from './spawn-cli.js';
import { deadPort, useDevChain, type ChainFixture } from './test-helpers.js';

const ECHO_WORKER = `export default { async fetch(request) { return new Response('ok'); } };`;
const IDENTITY = `0x${'07'.repeat(32)}`;

/** A spawned CLI with its output so far, the time of its exit, and its result. */
interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<CliRun & { exitedAt: number }>;
}

function start(args: string[], env: Record<string, string>, cwd: string): Running {
  let child!: ChildProcess;
  let exitedAt = 0;
  const done = spawnCli(args, { env, cwd, onSpawn: (c) => {
    child = c;
    c.once('exit', () => (exitedAt = Date.now()));
  } }).then((run) => ({ ...run, exitedAt }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pids of the workerd processes a process spawned (its Smart Workers, through miniflare). */
/** workerd processes below `pid` (the enclave process, a child of the worker, starts them). */
function workerdChildren(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map((line) => line.trim().split(/\s+/)).map(([p, pp, comm]) => ({ pid: Number(p), ppid: Number(pp), comm: comm ?? '' }));
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of table) if (below.has(row.ppid) && !below.has(row.pid)) (below.add(row.pid), (grew = true));
  }
  return table.filter((row) => row.pid !== pid && below.has(row.pid) && /workerd/.test(row.comm)).map((row) => row.pid);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stopping: Ctrl-C, --timeout and clean shutdowns through the real binary', function () {
  this.timeout(300_000);

  describe('waiting commands against a worker whose import is stalled', () => {
    let chain: ChainFixture;
    let worker: Awaited<ReturnType<typeof startWorker>>;
    let api: ApiPromise;
    let env: Record<string, string>;
    let shard: string;
    /** Blocks from this number on do not decode for the worker (test hook): its import stops before them. */
    let stallFrom = Number.POSITIVE_INFINITY;
    const events: { name: string; at: number }[] = [];

    before(async () => {
      await cryptoWaitReady();
      chain = await useDevChain();
      worker = await startWorker({
        parentchainUrl: chain.url, dataDir: path.join(chain.dir, 'worker'), platformSecretPath: path.join(chain.dir, 'platform-secret'),
        rpcPort: 0, runnerPort: -1,
        testUndecodable: (block) => (block.number >= stallFrom ? { message: 'stalled by the stop spec' } : undefined),
      });
      api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
      await api.query.system.events((records) => {
        for (const { event } of records) events.push({ name: `${event.section}.${event.method}`, at: Date.now() });
      });
      shard = shardToBase58(worker.shard);
      env = { ...chain.env, SEALBRIDGE_WORKER_URL: worker.rpcUrl! };
      stallFrom = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    });
    after(async () => {
      await api?.disconnect();
      await worker?.stop();
      await chain?.stop();
    });

    /** Starts a command, waits until it waits (its extrinsic is on chain, or a line printed), and interrupts it. */
    async function interrupt(args: string[], waitingWhen: (r: Running, since: number) => boolean): Promise<CliRun & { stoppedInMs: number }> {
      const since = Date.now();
      const running = start(args, env, chain.dir);
      await until(() => waitingWhen(running, since) || running.child.exitCode !== null, `${args.join(' ')} to wait`);
      assert.equal(running.child.exitCode, null, `${args.join(' ')} ended before it was interrupted: ${running.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = Date.now();
      running.child.kill('SIGINT');
      const run = await running.done;
      return { ...run, stoppedInMs: run.exitedAt - signalledAt };
    }
    const onChain = (name: string) => (_: Running, since: number) => events.some((e) => e.name === name && e.at >= since);

    for (const [label, args, waitingWhen] of [
      ['shield-funds (waiting for the confirmation)', () => ['shield-funds', '//Alice', '//AliceIncognito', '1UNIT', shard], onChain('enclaveBridge.ShieldFunds')],
      ['trusted transfer (indirect)', () => ['trusted', 'transfer', '//AliceIncognito', '//Bob', '1UNIT'], onChain('enclaveBridge.IndirectInvocationRegistered')],
      ['trusted --direct transfer', () => ['trusted', '--direct', 'transfer', '//AliceIncognito', '//Bob', '1UNIT'], (r: Running) => r.stdout().includes(' is ')],
      ['trusted call-worker', () => ['trusted', 'call-worker', IDENTITY, 'hi'], onChain('enclaveBridge.IndirectInvocationRegistered')],
      ['trusted --direct call-worker', () => ['trusted', '--direct', 'call-worker', IDENTITY, 'hi'], (r: Running) => r.stdout().includes(' is ')],
      ['set-env (waiting for the EnvResult)', () => ['set-env', toSs58(worker.account), 'A=1'], onChain('workerEnv.EnvSet')],
    ] as const) {
      it(`SIGINT during ${label} exits 130 within 1 s with one line`, async () => {
        const run = await interrupt([...args()], waitingWhen);
        assert.equal(run.code, 130, run.stderr);
        assert.equal(run.stderr, 'error: interrupted by SIGINT\n');
        assert.ok(run.stoppedInMs < 1_000, `stopped ${run.stoppedInMs} ms after SIGINT`);
      });
    }

    it('SIGINT ends listen as its normal end: exit 0, no error', async () => {
      const run = await interrupt(['listen'], (r) => r.stderr().includes('listening to'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^listening to ws:\/\/\S+ \(Ctrl-C to stop\)\n$/);
    });

    it('--timeout 5 bounds every wait on the stalled worker, direct calls included', async () => {
      const timed = async (args: string[], waitingWhen: (r: Running, since: number) => boolean) => {
        const since = Date.now();
        const running = start(['--timeout', '5', ...args], env, chain.dir);
        await until(() => waitingWhen(running, since) || running.child.exitCode !== null, `${args.join(' ')} to wait`);
        const waitingAt = Date.now();
        const run = await running.done;
        return { ...run, args, waitedMs: run.exitedAt - waitingAt };
      };
      const runs = await Promise.all([
        timed(['shield-funds', '//Charlie', '//CharlieIncognito', '1UNIT', shard], onChain('enclaveBridge.ShieldFunds')),
        timed(['trusted', '--xt-signer', '//Dave', 'transfer', '//CharlieIncognito', '//Bob', '1UNIT'], onChain('enclaveBridge.IndirectInvocationRegistered')),
        timed(['trusted', '--direct', 'transfer', '//EveIncognito', '//Bob', '1UNIT'], (r) => r.stdout().includes(' is ')),
        timed(['trusted', '--direct', 'call-worker', IDENTITY, 'hi', '--from', '//FerdieIncognito'], (r) => r.stdout().includes(' is ')),
      ]);
      for (const run of runs) {
        assert.equal(run.code, 1, run.stdout + run.stderr);
        // At the deadline the worker has reported its stall, so the error says where it is stuck.
        assert.match(run.stderr, /^error: the worker is stalled at block #\d+ since .*: .*stalled by the stop spec — .* once the import resumes\n$/);
        // Well before the 15 s a stall is otherwise given, and the 60 s default.
        assert.ok(run.waitedMs < 9_000, `${run.args.join(' ')} gave up ${run.waitedMs} ms after it started waiting`);
      }
    });
  });

  describe('services shut down cleanly with a Smart Worker running', () => {
    let dir: string;
    let bundle: string;
    const children: ChildProcess[] = [];

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-cli-stop-'));
      bundle = path.join(dir, 'echo.js');
      await fs.writeFile(bundle, ECHO_WORKER);
    });
    after(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    });

    /** JSON log records of a child's stderr as they arrive. */
    function records(child: ChildProcess): Record<string, unknown>[] {
      const seen: Record<string, unknown>[] = [];
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.startsWith('{')) seen.push(parseLogLine(line) as Record<string, unknown>);
      });
      return seen;
    }

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`up: ${signal} stops worker, Smart Worker and chain; removes its data directory; logs stopped; exit 0`, async () => {
        // Its own TMPDIR: whatever temporary directory it (or miniflare) creates must be gone when it has stopped.
        const tmp = await fs.mkdtemp(path.join(dir, 'tmp-'));
        const running = start(['up', '--json', '--port', '0', '--worker-port', '0', '--runner-port', '0', '--metrics-port', '0'], { TMPDIR: tmp }, dir);
        children.push(running.child);
        const logs = records(running.child);
        const up = await until(() => (running.stdout().includes('\n') ? JSON.parse(running.stdout()) as { runnerUrl: string; nodeUrl: string; dataDir: string } : undefined), 'up to start');
        const runnerEnv = { SEALBRIDGE_RUNNER_URL: up.runnerUrl, SEALBRIDGE_NODE_URL: up.nodeUrl };
        await runCliJson(['worker', 'deploy', bundle], { env: runnerEnv, cwd: dir });
        const workerd = await until(() => workerdChildren(running.child.pid!)[0], 'a workerd child');
        assert.ok(existsSync(path.join(up.dataDir, 'worker', 'enclave', 'enclave.lock')));
        assert.equal((await fs.readdir(tmp)).length, 2, 'the data directory and the Smart Worker\'s scratch directory');

        // One SS58 encoding: the worker logs the enclave account as the CLI prints it (the chain's ss58Format).
        const { workers } = await runCliJson<{ workers: { account: string }[] }>(['list-workers'], { env: runnerEnv, cwd: dir });
        const registered = logs.find((r) => r.msg === 'enclave registered');
        assert.equal(registered?.account, workers[0]!.account);

        running.child.kill(signal);
        const run = await running.done;
        assert.equal(run.code, 0, run.stderr.slice(-2_000));
        const last = logs.at(-1);
        assert.deepEqual([last?.component, last?.msg, last?.signal], ['up', 'stopped', signal]);
        assert.ok(!existsSync(up.dataDir), `${up.dataDir} was left behind`);
        assert.deepEqual(await fs.readdir(tmp), [], 'temporary directories left behind');
        assert.ok(!alive(workerd), `workerd ${workerd} still runs`);
      });
    }

    it('sealbridge worker: SIGTERM with a Smart Worker running releases the enclave lock, stops workerd, logs stopped; exit 0', async () => {
      const chain = await useDevChain();
      try {
        const data = path.join(dir, 'worker-data');
        const tmp = await fs.mkdtemp(path.join(dir, 'tmp-'));
        const running = start(['worker', '--parentchain', chain.url, '--data-dir', data, '--platform-secret', `${data}.secret`, '--rpc-port', '0', '--runner-port', '0', '--log-format', 'json'], { TMPDIR: tmp }, dir);
        children.push(running.child);
        const logs = records(running.child);
        const runner = await until(() => logs.find((r) => r.msg === 'Smart Worker runner listening')?.url as string | undefined, 'the runner');
        await until(() => logs.some((r) => r.msg === 'enclave registered'), 'the registration');
        await runCliJson(['worker', 'deploy', bundle], { env: { SEALBRIDGE_RUNNER_URL: runner }, cwd: dir });
        const workerd = await until(() => workerdChildren(running.child.pid!)[0], 'a workerd child');
        const lock = path.join(data, 'enclave', 'enclave.lock');
        assert.ok(existsSync(lock));

        running.child.kill('SIGTERM');
        const run = await running.done;
        assert.equal(run.code, 0, run.stderr.slice(-2_000));
        assert.ok(logs.some((r) => r.msg === 'shutting down' && r.signal === 'SIGTERM'));
        assert.deepEqual([logs.at(-1)?.msg, logs.at(-1)?.signal], ['stopped', 'SIGTERM']);
        assert.ok(!existsSync(lock), 'enclave.lock left behind');
        assert.ok(!alive(workerd), `workerd ${workerd} still runs`);
        assert.deepEqual(await fs.readdir(tmp), [], 'temporary directories left behind');
      } finally {
        await chain.stop();
      }
    });

    it('sealbridge-worker: SIGINT while it still waits for the parentchain stops at once, no enclave started; exit 0', async () => {
      const data = path.join(dir, 'worker-no-chain');
      const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('@sealbridge/worker')), 'bin.js');
      const child = spawn(process.execPath, [bin, '--parentchain', `ws://127.0.0.1:${await deadPort()}`, '--data-dir', data, '--platform-secret', `${data}.secret`, '--rpc-port', '0', '--runner-port=-1', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const logs = records(child);
      await until(() => logs.some((r) => r.msg === 'parentchain not reachable yet, retrying'), 'the connection retries');
      // The enclave process starts once the chain answers: its init takes the chain's genesis and metadata.
      const lock = path.join(data, 'enclave', 'enclave.lock');
      assert.ok(!existsSync(lock), 'no enclave before the parentchain answers');
      child.kill('SIGINT');
      assert.equal(await exited, 0, JSON.stringify(logs.slice(-3)));
      assert.ok(logs.some((r) => r.msg === 'shutting down' && r.signal === 'SIGINT'));
      assert.deepEqual([logs.at(-1)?.msg, logs.at(-1)?.signal], ['stopped', 'SIGINT']);
      assert.ok(!existsSync(lock), 'enclave.lock left behind');
    });
  });
});
