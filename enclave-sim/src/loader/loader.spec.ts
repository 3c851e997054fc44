import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseLogLine } from '@sealbridge/chain-types/log';

import { measureEnclave } from '../host/measurement.js';
import { ENCLAVE_REFUSED_EXIT_CODE } from './errors.js';
import type { Manifest, ManifestEntry } from './measurement.js';
import { BOOTSTRAP_FILE, BUNDLE_FILE, formatManifest, MANIFEST_FILE, mrenclaveOf, parseManifest, readManifest } from './measurement.js';
import type { TestEntryReport } from './test-entry.js';

interface BundleResult {
  dir: string;
  manifest: Manifest;
  mrenclave: string;
  warnings: string[];
}
interface Bundler {
  bundleEnclave(options: { entry: string; outDir: string; transform?: (file: { path: string; source: string }) => string | undefined }): Promise<BundleResult>;
}

const SCRIPT = new URL('../../scripts/bundle-enclave.mjs', import.meta.url);
const TEST_ENTRY = fileURLToPath(new URL('./test-entry.js', import.meta.url));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runEnclave(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, BOOTSTRAP_FILE), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one refusal line on stderr, in the log schema. */
function refusal(run: Run): { code: string; msg: string } {
  assert.equal(run.code, ENCLAVE_REFUSED_EXIT_CODE, `exit ${run.code}, stderr: ${run.stderr}`);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  const record = parseLogLine(lines[0]!);
  assert.equal(record.level, 'error');
  assert.equal(record.component, 'enclave.loader');
  return { code: String(record.code), msg: record.msg };
}

/** A copy of the enclave directory beside the original (the externals' relative paths stay valid). */
function copyEnclave(from: string, name: string): string {
  const to = path.join(path.dirname(from), name);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

describe('enclave loader', function () {
  this.timeout(60_000);
  let tmp: string;
  let bundler: Bundler;
  let built: BundleResult;

  before(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-loader-')));
    bundler = (await import(SCRIPT.href)) as Bundler;
    built = await bundler.bundleEnclave({ entry: TEST_ENTRY, outDir: path.join(tmp, 'enclave') });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('measurement', () => {
    it('MRENCLAVE is SHA-256 over path ‖ 0 ‖ role ‖ 0 ‖ sha256 of each entry, in order', () => {
      const a: ManifestEntry = { path: BOOTSTRAP_FILE, role: 'bootstrap', sha256: sha256('b') };
      const b: ManifestEntry = { path: BUNDLE_FILE, role: 'bundle', sha256: sha256('e') };
      const encode = (e: ManifestEntry): Buffer => Buffer.concat([Buffer.from(`${e.path}\0${e.role}\0`), Buffer.from(e.sha256, 'hex')]);
      assert.equal(hex(mrenclaveOf([a, b])), sha256(Buffer.concat([encode(a), encode(b)])));
      assert.notEqual(hex(mrenclaveOf([b, a])), hex(mrenclaveOf([a, b])));
      assert.deepEqual(parseManifest(JSON.parse(formatManifest([a, b]))), [a, b]);
    });

    it('refuses malformed manifests', () => {
      const ok = [
        { path: BOOTSTRAP_FILE, role: 'bootstrap', sha256: sha256('b') },
        { path: BUNDLE_FILE, role: 'bundle', sha256: sha256('e') },
      ];
      const bad: unknown[] = [
        {},
        ok.slice(1),
        [...ok, ok[1]],
        [...ok, { path: '/abs/file.js', role: 'external', sha256: sha256('x') }],
        [...ok, { path: '../a/./b.js', role: 'external', sha256: sha256('x') }],
        [...ok, { path: 'x.js', role: 'plugin', sha256: sha256('x') }],
        [...ok, { path: 'x.js', role: 'external', sha256: 'ab' }],
        [...ok, { path: 'x.js', role: 'external', sha256: sha256('x'), extra: 1 }],
        [...ok, { path: 'a/olm.wasm', role: 'wasm', sha256: sha256('x') }, { path: 'b/olm.wasm', role: 'wasm', sha256: sha256('y') }],
      ];
      for (const value of bad) assert.throws(() => parseManifest(value), { code: 'ENCLAVE_MANIFEST_INVALID' }, JSON.stringify(value));
    });

    it('the manifest lists bootstrap, bundle, WASM, miniflare’s files by path and workerd, in that order', () => {
      const manifest = readManifest(built.dir);
      assert.equal(hex(mrenclaveOf(manifest)), built.mrenclave);
      const roles = manifest.map((e) => e.role);
      assert.deepEqual(roles.slice(0, 4), ['bootstrap', 'bundle', 'wasm', 'wasm']);
      assert.deepEqual(manifest.slice(2, 4).map((e) => e.path), ['olm.wasm', 'ristretto.wasm']);
      const externals = manifest.filter((e) => e.role === 'external').map((e) => e.path);
      assert.deepEqual(externals, [...externals].sort());
      assert.ok(externals.some((p) => p.endsWith('node_modules/miniflare/dist/src/index.js')));
      assert.ok(externals.some((p) => p.endsWith('node_modules/undici/package.json')));
      assert.ok(!externals.some((p) => /@polkadot|node-forge|@matrix-org/.test(p)), 'bundled packages are not external');
      assert.deepEqual(manifest.filter((e) => e.role === 'binary').map((e) => path.posix.basename(e.path)), ['workerd']);
      assert.equal(roles.at(-1), 'binary');
      assert.deepEqual(built.warnings, []);
    });

    it('the host measures the same MRENCLAVE, and refuses a changed file or an unbundled directory', async () => {
      assert.equal(hex(await measureEnclave(built.dir)), built.mrenclave);
      const copy = copyEnclave(built.dir, 'host-tampered');
      fs.appendFileSync(path.join(copy, 'ristretto.wasm'), Uint8Array.of(0));
      await assert.rejects(measureEnclave(copy), { code: 'ENCLAVE_FILE_TAMPERED' });
      await assert.rejects(measureEnclave(path.join(tmp, 'nothing-here')), { code: 'TRUSTED_BUNDLE_MISSING' });
    });

    it('one changed byte in a bundled module gives another MRENCLAVE', async () => {
      const changed = await bundler.bundleEnclave({
        entry: TEST_ENTRY,
        outDir: path.join(tmp, 'changed'),
        transform: ({ path: file, source }) =>
          file.endsWith(path.join('chain-types', 'dist', 'ristretto.js')) ? source.replace('check aborted', 'check abortex') : undefined,
      });
      assert.notEqual(changed.mrenclave, built.mrenclave);
      const differs = changed.manifest.filter((e, i) => e.sha256 !== built.manifest[i]!.sha256).map((e) => e.path);
      assert.deepEqual(differs, [BUNDLE_FILE]);
      fs.rmSync(changed.dir, { recursive: true });
    });
  });

  describe('bootstrap', () => {
    it('runs the bundle: decryption thread, libolm, ristretto, miniflare with the measured workerd', async () => {
      const run = await runEnclave(built.dir, ['--expect-mrenclave', built.mrenclave]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as TestEntryReport;
      const expected = { mrenclave: built.mrenclave, ok: true, decryptedOnThread: true, sr25519Verified: true, miniflare: 'hello from workerd' };
      assert.deepEqual(report, { ...report, ...expected });
      assert.match(report.olmIdentityKey, /^[A-Za-z0-9+/]{43}$/);
    });

    it('refuses a bundle changed after bundling', async () => {
      const copy = copyEnclave(built.dir, 'tampered');
      const bundle = path.join(copy, BUNDLE_FILE);
      const bytes = fs.readFileSync(bundle);
      bytes[bytes.length >> 1] ^= 1;
      fs.writeFileSync(bundle, bytes);
      const { code, msg } = refusal(await runEnclave(copy));
      assert.equal(code, 'ENCLAVE_FILE_TAMPERED');
      assert.match(msg, /enclave\.mjs/);
    });

    it('refuses another MRENCLAVE than the expected one, by flag or environment', async () => {
      const other = sha256('another enclave');
      assert.equal(refusal(await runEnclave(built.dir, ['--expect-mrenclave', other])).code, 'ENCLAVE_MEASUREMENT_MISMATCH');
      assert.equal(refusal(await runEnclave(built.dir, [], { SEALBRIDGE_EXPECT_MRENCLAVE: other })).code, 'ENCLAVE_MEASUREMENT_MISMATCH');
      assert.equal(refusal(await runEnclave(built.dir, ['--expect-mrenclave=nothex'])).code, 'ENCLAVE_MEASUREMENT_MISMATCH');
    });

    it('refuses to import(), require() or start a thread from a file that is not in the manifest', async () => {
      for (const name of ['unmeasured.mjs', 'unmeasured.cjs', 'unmeasured.thread.mjs']) {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, name.endsWith('.cjs') ? 'exports.x = 1;\n' : 'export const x = 1;\n');
        const { code, msg } = refusal(await runEnclave(built.dir, [], { SEALBRIDGE_TEST_ENTRY_LOAD: file }));
        assert.equal(code, 'ENCLAVE_FILE_NOT_MEASURED', name);
        assert.ok(msg.includes(file), msg);
      }
    });

    it('loads a measured external only while its bytes match the manifest', async () => {
      const copy = copyEnclave(built.dir, 'with-probe');
      for (const name of ['probe.mjs', 'probe.cjs']) {
        // The probe throws on loading: exit 1 with its code shows it was allowed to load.
        const source = `throw Object.assign(new Error('probe loaded'), { code: 'PROBE_LOADED' });\n`;
        const file = path.join(copy, name);
        fs.writeFileSync(file, source);
        const manifest = [...readManifest(copy), { path: name, role: 'external' as const, sha256: sha256(source) }];
        fs.writeFileSync(path.join(copy, MANIFEST_FILE), formatManifest(manifest));
        const loaded = await runEnclave(copy, [], { SEALBRIDGE_TEST_ENTRY_LOAD: file });
        assert.equal(loaded.code, 1, loaded.stderr);
        assert.equal(parseLogLine(loaded.stderr.trim()).code, 'PROBE_LOADED');
        fs.appendFileSync(file, '// changed\n');
        assert.equal(refusal(await runEnclave(copy, [], { SEALBRIDGE_TEST_ENTRY_LOAD: file })).code, 'ENCLAVE_FILE_TAMPERED', name);
      }
    });
  });
});
