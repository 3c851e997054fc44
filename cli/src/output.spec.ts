import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseLogLine } from '@sealbridge/chain-types/log';
import { CliError } from './errors.js';
import { Output, toJson } from './output.js';
import type { OutputMode } from './output.js';

function capture(mode: Partial<OutputMode>): { out: Output; stdout: () => string; stderr: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => (chunks.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.stderr += c.toString()));
  const out = new Output({ json: false, quiet: false, verbose: false, ...mode }, { stdout, stderr });
  return { out, stdout: () => chunks.stdout, stderr: () => chunks.stderr };
}

describe('Output', () => {
  const result = { human: ['1200000000000 (1.2 UNIT)'], quiet: ['1200000000000'], json: { free: 1_200_000_000_000n, id: new Uint8Array([1, 2]) } };

  it('prints exactly one JSON object per command with big numbers as strings', () => {
    const { out, stdout, stderr } = capture({ json: true });
    out.line('streamed event');
    out.progress('connecting…');
    out.result(result);
    const lines = stdout().trim().split('\n');
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0]), { free: '1200000000000', id: '0x0102' });
    assert.equal(stderr(), '');
  });

  it('prints human lines by default and bare values under --quiet', () => {
    const human = capture({});
    human.out.result(result);
    assert.equal(human.stdout(), '1200000000000 (1.2 UNIT)\n');
    const quiet = capture({ quiet: true });
    quiet.out.progress('hidden');
    quiet.out.result(result);
    assert.equal(quiet.stdout(), '1200000000000\n');
    assert.equal(quiet.stderr(), '');
  });

  it('prints errors as one line, with code in JSON mode and a stack only under --verbose', () => {
    const plain = capture({});
    plain.out.error(new CliError('ERR_NODE_UNREACHABLE', 'cannot connect\nsecond line'));
    assert.equal(plain.stderr(), 'error: cannot connect\n');
    assert.equal(plain.stdout(), '');
    const json = capture({ json: true });
    json.out.error(new CliError('ERR_BAD_INPUT', 'bad amount'));
    assert.deepEqual(JSON.parse(json.stdout()), { error: { code: 'ERR_BAD_INPUT', message: 'bad amount' } });
    const verbose = capture({ verbose: true });
    verbose.out.error(new Error('boom'));
    assert.match(verbose.stderr(), /^error: boom\nError: boom\n\s+at /);
  });

  it('logs services in the shared schema: readable lines, JSON lines under --json, none under --quiet', () => {
    const human = capture({});
    human.out.logger('dev-chain').info('imported block', { number: 3n });
    human.out.logger('dev-chain').debug('hidden without --verbose');
    assert.match(human.stderr(), /^\d\d:\d\d:\d\d\.\d{3} INFO  \[dev-chain\] imported block number=3\n$/);
    const json = capture({ json: true, verbose: true });
    json.out.logger('worker').child('import').debug('imported block', { block: 1 });
    json.out.debug('cleanup failed: x');
    const records = json.stderr().trim().split('\n').map((line) => parseLogLine(line));
    assert.deepEqual(records.map(({ time: _time, ...rest }) => rest), [
      { level: 'debug', component: 'worker.import', msg: 'imported block', block: 1 },
      { level: 'debug', component: 'cli', msg: 'cleanup failed: x' },
    ]);
    assert.equal(json.stdout(), '');
    const quiet = capture({ quiet: true });
    quiet.out.logger('worker').error('boom');
    assert.equal(quiet.stderr(), '');
  });

  it('draws no spinner when stderr is not a TTY', () => {
    const { out, stderr } = capture({});
    const spinner = out.spinner('waiting');
    spinner.update('still waiting');
    spinner.stop();
    assert.equal(stderr(), '');
  });

  it('an error ends a running spinner first, so nothing is drawn after the error line (Ctrl-C mid-wait)', async () => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let written = '';
    stderr.on('data', (c: Buffer) => (written += c.toString()));
    const out = new Output({ json: false, quiet: false, verbose: false }, { stdout, stderr });
    out.spinner('waiting for the worker');
    out.error(new CliError('ERR_INTERRUPTED', 'interrupted by SIGINT'));
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.ok(written.endsWith('\r\x1b[2Kerror: interrupted by SIGINT\n'), JSON.stringify(written));
  });

  it('serialises nested bigints', () => {
    assert.equal(toJson({ a: [1n, { b: 2n }] }), '{"a":["1",{"b":"2"}]}');
  });
});
