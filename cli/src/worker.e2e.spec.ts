import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runCliJson, spawnCli } from './spawn-cli.js';
import type { Stack } from './stack.js';
import { assertOneLineError, deadPort, useStack } from './test-helpers.js';

const TOKEN = 'spec-runner-token';

/** A module worker: echoes invocations with its config greeting and the block number; logs on every tasks() run. */
const ECHO_WORKER = `
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/invoke') {
      const input = new TextDecoder().decode(await request.arrayBuffer());
      return new Response(env.config.greeting + ' ' + input + ' @' + request.headers.get('x-sealbridge-block-number'));
    }
    return new Response('ok');
  },
  async scheduled(event, env) {
    console.log('tick ' + env.config.greeting);
  },
};`;

interface Info {
  id: string;
  name: string;
  shard?: string;
  type: string;
  schedule?: string;
  identity: string;
  status: string;
  nextRun?: number;
  lastRun?: { ok: boolean; trigger: string };
}

describe('sealbridge worker deploy/list/status/logs/remove and trusted call-worker against a worker stack', function () {
  this.timeout(180_000);
  let stack: Stack & { dir: string; env: Record<string, string> };
  let opts: { env: Record<string, string>; cwd: string };
  let bundle: string;
  let echo: Info;

  before(async () => {
    stack = await useStack({ runnerToken: TOKEN });
    opts = { env: stack.env, cwd: stack.dir };
    bundle = path.join(stack.dir, 'echo-worker.js');
    await fs.writeFile(bundle, ECHO_WORKER);
  });
  after(async () => stack?.stop());

  it('deploy prints the id and identity (human), bound to the shard with a config', async () => {
    const run = await spawnCli(['worker', 'deploy', bundle, '--shard', stack.mrenclave, '--config', '{"greeting":"hello"}'], opts);
    assert.equal(run.code, 0, run.stderr);
    const id = /^deployed Smart Worker (\S+)$/m.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    assert.match(run.stdout, /^identity: {2}0x[0-9a-f]{64}$/m);
    assert.match(run.stdout, /^name: {6}echo-worker\.js$/m); // default name = file name
    assert.match(run.stdout, new RegExp(`^shard: {5}${stack.mrenclave}$`, 'm'));
    echo = await runCliJson<Info>(['worker', 'status', id], opts);
    assert.equal(echo.id, id);
    assert.equal(echo.type, 'module');
    assert.equal(echo.shard, stack.mrenclave);
    assert.match(run.stdout, new RegExp(`^identity: {2}${echo.identity}$`, 'm'));
  });

  it('deploy --json with a name, a config file and a schedule; status shows the next run', async () => {
    const config = path.join(stack.dir, 'config.json');
    await fs.writeFile(config, JSON.stringify({ greeting: 'scheduled' }));
    const before = Date.now();
    const deployed = await runCliJson<Info>(['worker', 'deploy', bundle, '--name', 'cron-echo', '--config', config, '--schedule', '*/5 * * * *'], opts);
    assert.equal(deployed.name, 'cron-echo');
    assert.equal(deployed.schedule, '*/5 * * * *');
    assert.match(deployed.identity, /^0x[0-9a-f]{64}$/);
    assert.notEqual(deployed.identity, echo.identity, 'the name is part of the identity');
    const status = await spawnCli(['worker', 'status', deployed.id], opts);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^schedule: {2}\*\/5 \* \* \* \* \(next run \d{4}-\d\d-\d\dT\d\d:[0-5]\d:00\.000Z\)$/m);
    // The next five-minute boundary after the deploy (compared with the time before it: the boundary may pass meanwhile).
    const fiveMinutes = 5 * 60_000;
    assert.ok(deployed.nextRun && deployed.nextRun > before && deployed.nextRun <= before + fiveMinutes, String(deployed.nextRun));
    assert.equal(deployed.nextRun % fiveMinutes, 0);
    assert.equal((await spawnCli(['worker', 'remove', deployed.id, '--quiet'], opts)).stdout, `${deployed.id}\n`);
  });

  it('list and logs, human and --json', async () => {
    const [listJson, listHuman, logsJson, logsHuman] = await Promise.all([
      runCliJson<{ workers: Info[] }>(['worker', 'list'], opts),
      spawnCli(['worker', 'list'], opts),
      runCliJson<{ id: string; lines: { level: string; message: string }[] }>(['worker', 'logs', echo.id, '--limit', '5'], opts),
      spawnCli(['worker', 'logs', echo.id], opts),
    ]);
    assert.deepEqual(listJson.workers.map((w) => w.id), [echo.id]);
    assert.match(listHuman.stdout, new RegExp(`^${echo.id} +\\w+ +echo-worker\\.js  shard ${stack.mrenclave}  identity ${echo.identity}\\n$`));
    // tasks() runs once right after creation, as in Escrin.
    assert.deepEqual(logsJson.lines.map((l) => [l.level, l.message]), [['log', 'tick hello']]);
    assert.match(logsHuman.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z log {3}tick hello\n$/);
  });

  it('trusted call-worker <identity> returns the worker\'s output (indirect human and --json, direct)', async () => {
    // Distinct callers and xt-signers: the three calls run at once without nonce clashes.
    const [json, human, direct] = await Promise.all([
      runCliJson<{ outputText: string; output: string; workerId: string; callHash: string; invocation: { blockNumber: number } }>(
        ['trusted', 'call-worker', echo.identity, 'world', '--from', '//AliceIncognito'], opts),
      spawnCli(['trusted', '--xt-signer', '//Bob', 'call-worker', echo.identity, 'again', '--from', '//BobIncognito'], opts),
      spawnCli(['trusted', '--direct', 'call-worker', echo.identity, 'directly', '--from', '//DaveIncognito'], opts),
    ]);
    assert.equal(json.workerId, echo.identity);
    assert.match(json.callHash, /^0x[0-9a-f]{64}$/);
    assert.equal(json.outputText, `hello world @${json.invocation.blockNumber}`);
    assert.equal(json.output, `0x${Buffer.from(json.outputText).toString('hex')}`);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^output: hello again @\d+$/m);
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^Trusted call 0x[0-9a-f]{64} is \w+$/m);
    assert.match(direct.stdout, /^output: hello directly @\d+$/m);
  });

  it('trusted call-worker also takes the id worker deploy prints; an unknown id says what it is not', async () => {
    const [byId, unknown] = await Promise.all([
      runCliJson<{ outputText: string; workerId: string }>(['trusted', '--xt-signer', '//Eve', 'call-worker', echo.id, 'by id', '--from', '//EveIncognito'], opts),
      spawnCli(['trusted', 'call-worker', 'no-such-worker', 'x'], opts),
    ]);
    assert.equal(byId.workerId, echo.identity);
    assert.match(byId.outputText, /^hello by id @\d+$/);
    assertOneLineError(unknown, /^error: 'no-such-worker' is neither a Smart Worker identity \(32 bytes, 0x-hex or base58\) nor the id of a worker on the runner at http:/);
  });

  it('call-worker on a worker that is not bound to the shard fails with the STF\'s error', async () => {
    const run = await spawnCli(['trusted', '--xt-signer', '//Charlie', 'call-worker', `0x${'07'.repeat(32)}`, 'x', '--from', '//CharlieIncognito'], opts);
    assertOneLineError(run, /^error: smart worker 0x(07){32} failed: UnknownSmartWorker: no Smart Worker (07){32} is bound to this shard$/);
  });

  it('invalid deploys get the runner\'s (Escrin\'s) message verbatim and exit 1', async () => {
    const empty = path.join(stack.dir, 'empty.js');
    await fs.writeFile(empty, '');
    const [badType, emptyCode, badSchedule] = await Promise.all([
      spawnCli(['worker', 'deploy', bundle, '--type', 'wasm', '--json'], opts),
      spawnCli(['worker', 'deploy', empty], opts),
      spawnCli(['worker', 'deploy', bundle, '--schedule', 'every tuesday'], opts),
    ]);
    assertOneLineError(badType, /: unsupported type: wasm \(expected module or classic\)$/);
    assertOneLineError(emptyCode, /: missing worker code: send the script as `code` \(or `script`\)$/);
    assertOneLineError(badSchedule, /\(400\): unsupported schedule$/);
    assert.deepEqual(JSON.parse(badType.stdout), {
      error: { code: 'ERR_RUNNER_REJECTED', message: 'the Smart Worker runner refused POST /workers (400): unsupported type: wasm (expected module or classic)' },
    });
  });

  it('unknown worker, missing or wrong token, runner down: one clear line each', async () => {
    const port = await deadPort();
    const [unknown, unknownLogs, noToken, wrongToken, down] = await Promise.all([
      spawnCli(['worker', 'status', 'no-such-worker'], opts),
      spawnCli(['worker', 'logs', 'no-such-worker'], opts),
      spawnCli(['worker', 'list'], { ...opts, env: { ...opts.env, SEALBRIDGE_RUNNER_TOKEN: '' } }),
      spawnCli(['worker', 'list', '--runner-token', 'wrong'], opts),
      spawnCli(['worker', 'list', '--runner-url', `http://127.0.0.1:${port}`], opts),
    ]);
    assertOneLineError(unknown, /^error: unknown worker: no-such-worker$/);
    assertOneLineError(unknownLogs, /^error: unknown worker: no-such-worker$/);
    assertOneLineError(noToken, /refused the request \(401 unauthorized\): missing --runner-token/);
    assertOneLineError(wrongToken, /refused the request \(401 unauthorized\): wrong --runner-token/);
    assertOneLineError(down, new RegExp(`^error: cannot reach the Smart Worker runner at http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .* is the worker running`));
  });

  it('remove (human), then the worker is gone', async () => {
    const removed = await spawnCli(['worker', 'remove', echo.id], opts);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `removed Smart Worker ${echo.id}\n`);
    const [list, again] = await Promise.all([spawnCli(['worker', 'list'], opts), spawnCli(['worker', 'remove', echo.id], opts)]);
    assert.equal(list.stdout, 'no Smart Workers deployed\n');
    assertOneLineError(again, new RegExp(`^error: unknown worker: ${echo.id}$`));
  });

  it('worker --help lists the Smart Worker commands and the worker\'s own options', async () => {
    const run = await spawnCli(['worker', '--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const verb of ['deploy <bundle>', 'list', 'status <id>', 'remove <id>', 'logs <id>']) assert.match(run.stdout, new RegExp(`sealbridge worker ${verb} `));
    assert.match(run.stdout, /--runner-url/);
    assert.match(run.stdout, /--runner-port <port> +Smart Worker runner port/);
  });
});
