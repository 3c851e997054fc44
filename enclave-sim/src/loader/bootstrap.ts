// Entry point of the enclave process, bundled to dist/enclave/bootstrap.mjs: `node bootstrap.mjs [--expect-mrenclave
// <hex>]`. It checks the measured files beside it against manifest.json, refuses a measurement the host did not
// expect, makes every later module load go through the manifest, and only then imports enclave.mjs and calls its
// `start(measurement)`. Threads start this file too (see trusted/threads.ts): each thread re-checks the
// bundle it is about to load and installs its own guards, since node gives a worker thread its own module loaders.
// A refusal is one JSON log line on stderr and exit code 78. It writes nothing to stdout and leaves fd 3 alone.
import fs from 'node:fs';
import Module, { createRequire, register, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import { isMainThread, Worker } from 'node:worker_threads';

import { formatJson, logRecord } from '@sealbridge/chain-types/log';

import { ENCLAVE_REFUSED_EXIT_CODE, LoaderError, loaderErrorIn } from './errors.js';
import type { HooksData } from './hooks.js';
import type { Manifest, ManifestEntry, ManifestRole, Measurement } from './measurement.js';
import { BOOTSTRAP_FILE, createMeasurement, entryFile, mrenclaveOf, readManifest, verifyFile } from './measurement.js';

/** hooks.ts bundled to one ES module; the bundler inlines it (esbuild `define`), so the hooks are part of this file. */
declare const SEALBRIDGE_LOADER_HOOKS_SOURCE: string;

const EXPECT_FLAG = '--expect-mrenclave';
/** Also set by the main thread to its own MRENCLAVE, so every thread loads exactly what the main thread measured. */
const EXPECT_ENV = 'SEALBRIDGE_EXPECT_MRENCLAVE';
/** miniflare spawns `process.env.MINIFLARE_WORKERD_PATH ?? require('workerd')` (miniflare 4, getRuntimeCommand). */
const WORKERD_ENV = 'MINIFLARE_WORKERD_PATH';
const COMPONENT = 'enclave.loader';

/** Checked before anything is imported. Externals are checked as they load, the workerd binary when it is asked for. */
const CHECKED_AT_START: ReadonlySet<ManifestRole> = new Set(['bootstrap', 'bundle', 'wasm']);
/** Entries that may be loaded as modules. */
const LOADABLE: ReadonlySet<ManifestRole> = new Set(['bootstrap', 'bundle', 'external']);

/**
 * Hashes one file (workerData) on a thread of its own, while the main thread loads the bundle: workerd is 120 MB,
 * about 0.5 s of SHA-256 on one core. Inline source, not a file: a file would be one more thing to load unchecked.
 */
const SHA256_THREAD_SOURCE = `
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { parentPort, workerData: file } = require('node:worker_threads');
const hash = createHash('sha256');
const chunk = Buffer.allocUnsafe(1 << 20);
const fd = fs.openSync(file, 'r');
try {
  for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

interface EnclaveBundle {
  start?: (measurement: Measurement) => unknown;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function normaliseMrenclave(value: string, source: string): string {
  const normalised = value.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(normalised)) {
    throw new LoaderError('ENCLAVE_MEASUREMENT_MISMATCH', `${source} is not a 32-byte hex MRENCLAVE: ${JSON.stringify(value)}`);
  }
  return normalised;
}

/** The MRENCLAVEs the host asked for: `--expect-mrenclave` (main thread only) and SEALBRIDGE_EXPECT_MRENCLAVE. */
function expectedMrenclaves(): string[] {
  const expected: string[] = [];
  if (isMainThread) {
    const args = process.argv.slice(2);
    args.forEach((arg, i) => {
      if (arg === EXPECT_FLAG) {
        const value = args[i + 1];
        if (value === undefined) throw new LoaderError('ENCLAVE_MEASUREMENT_MISMATCH', `${EXPECT_FLAG} needs a value`);
        expected.push(normaliseMrenclave(value, EXPECT_FLAG));
      } else if (arg.startsWith(`${EXPECT_FLAG}=`)) {
        expected.push(normaliseMrenclave(arg.slice(EXPECT_FLAG.length + 1), EXPECT_FLAG));
      }
    });
  }
  const fromEnv = process.env[EXPECT_ENV];
  if (fromEnv) expected.push(normaliseMrenclave(fromEnv, EXPECT_ENV));
  return expected;
}

/** ESM: the hooks module of hooks.ts, given the loadable entries. */
function guardEsModules(files: Map<string, ManifestEntry>): void {
  const data: HooksData = { files: [...files].map(([file, entry]) => [file, entry.sha256]) };
  register(`data:text/javascript,${encodeURIComponent(SEALBRIDGE_LOADER_HOOKS_SOURCE)}`, { data });
}

type ExtensionLoader = (this: unknown, module: unknown, filename: string) => unknown;

/**
 * CommonJS (miniflare and its dependencies `require` each other): every file extension's loader first checks that
 * the file is a loadable entry and, the first time, that its bytes hash to the manifest's sha256.
 */
function guardCommonJs(dir: string, files: Map<string, ManifestEntry>): void {
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionLoader> })._extensions;
  const verified = new Set<string>();
  for (const [extension, original] of Object.entries(extensions)) {
    extensions[extension] = function measuredLoad(module, filename) {
      const entry = files.get(filename);
      if (!entry) throw new LoaderError('ENCLAVE_FILE_NOT_MEASURED', `enclave refused to load ${filename}: not in the enclave manifest`);
      if (!verified.has(filename)) {
        verifyFile(dir, entry);
        verified.add(filename);
      }
      return original.call(this, module, filename);
    };
  }
}

/**
 * Threads: a new thread has loaders of its own, without the guards, so a thread may only start from this file (which
 * checks the bundle again and installs the guards there; trusted/threads.ts) or from inline source (`eval`: code the
 * measured bundle carries, like miniflare's fetch proxy and the hashing thread below). The ES module view of
 * node:worker_threads is synced to the guarded class.
 */
function guardThreads(self: string): void {
  const threads = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof Worker };
  const refuse = (what: string): LoaderError =>
    new LoaderError('ENCLAVE_FILE_NOT_MEASURED', `enclave refused to start a thread from ${what}: threads start from ${BOOTSTRAP_FILE}`);
  threads.Worker = class MeasuredWorker extends Worker {
    constructor(filename: string | URL, options?: WorkerOptions) {
      if (!options?.eval) {
        let file: string;
        if (typeof filename === 'string' && !filename.startsWith('file:')) file = path.resolve(filename);
        else {
          const url = new URL(filename);
          if (url.protocol !== 'file:') throw refuse(url.href.slice(0, 80));
          file = fileURLToPath(url);
        }
        if ((fs.existsSync(file) ? fs.realpathSync(file) : file) !== self) throw refuse(file);
      }
      super(filename, options);
    }
  };
  syncBuiltinESMExports();
}

/** Resolves once `entry`'s file hashes to its manifest value (ENCLAVE_FILE_TAMPERED otherwise), hashing on another thread. */
function verifyOffThread(dir: string, entry: ManifestEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SHA256_THREAD_SOURCE, { eval: true, workerData: entryFile(dir, entry) });
    worker.once('message', (sha256: string) => {
      if (sha256 === entry.sha256) resolve();
      else reject(new LoaderError('ENCLAVE_FILE_TAMPERED', `${entry.role} ${entry.path} does not match its measurement`));
    });
    worker.once('error', (cause) => reject(new LoaderError('ENCLAVE_FILE_TAMPERED', `measured ${entry.role} ${entry.path} cannot be read`, { cause })));
  });
}

async function boot(): Promise<void> {
  const self = fs.realpathSync(fileURLToPath(import.meta.url));
  const dir = path.dirname(self);
  const manifest: Manifest = readManifest(dir);
  const bootstrapEntry = manifest.find((e) => e.role === 'bootstrap')!;
  if (entryFile(dir, bootstrapEntry) !== self) {
    throw new LoaderError('ENCLAVE_MANIFEST_INVALID', `the manifest's bootstrap is ${bootstrapEntry.path}, not ${BOOTSTRAP_FILE} running now`);
  }
  for (const entry of manifest) if (CHECKED_AT_START.has(entry.role)) verifyFile(dir, entry);
  const mrenclave = mrenclaveOf(manifest);
  for (const expected of expectedMrenclaves()) {
    if (expected !== hex(mrenclave)) throw new LoaderError('ENCLAVE_MEASUREMENT_MISMATCH', `MRENCLAVE ${hex(mrenclave)} is not the expected ${expected}`);
  }

  const loadable = new Map(manifest.filter((e) => LOADABLE.has(e.role)).map((e) => [entryFile(dir, e), e] as const));
  guardEsModules(loadable);
  guardCommonJs(dir, loadable);
  guardThreads(self);

  // The main thread checks workerd while the bundle loads; nothing of the bundle runs but its module bodies before
  // start(), and miniflare reads MINIFLARE_WORKERD_PATH only when it spawns workerd.
  const workerd = isMainThread ? manifest.find((e) => e.role === 'binary' && path.posix.basename(e.path) === 'workerd') : undefined;
  const checked = new Set<string>();
  const measurement = createMeasurement(dir, manifest, mrenclave, checked);
  if (isMainThread) process.env[EXPECT_ENV] = hex(mrenclave);
  const [bundle] = await Promise.all([import(measurement.bundleUrl.href) as Promise<EnclaveBundle>, workerd && verifyOffThread(dir, workerd)]);
  if (workerd) {
    checked.add(entryFile(dir, workerd));
    process.env[WORKERD_ENV] = measurement.binary('workerd');
  }
  if (typeof bundle.start !== 'function') throw new Error(`${measurement.bundleUrl.pathname} exports no start(measurement)`);
  await bundle.start(measurement);
}

function log(msg: string, fields: Record<string, unknown>): void {
  fs.writeSync(2, `${formatJson(logRecord('error', COMPONENT, msg, fields))}\n`);
}

boot().catch((error: unknown) => {
  // A thread's failure reaches the main thread (as the cause of the pool's error), which reports it.
  if (!isMainThread) throw error;
  const refusal = loaderErrorIn(error);
  if (refusal) {
    log(refusal.message, { code: refusal.code });
    process.exit(ENCLAVE_REFUSED_EXIT_CODE);
  }
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  log(`enclave failed to start: ${String(e?.message ?? error)}`, { ...(typeof e?.code === 'string' && { code: e.code }), stack: String(e?.stack ?? '') });
  process.exit(1);
});
