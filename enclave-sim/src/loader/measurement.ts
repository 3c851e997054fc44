// The enclave's measurement, shared by the bootstrap (inside the enclave process) and the host (before it spawns
// one): manifest.json lists every file the enclave process loads or executes, and MRENCLAVE is the hash of that list.
// Node builtins only: the bootstrap bundles this file and must not load anything unmeasured before its guards are up.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { LoaderError } from './errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const BOOTSTRAP_FILE = 'bootstrap.mjs';
export const BUNDLE_FILE = 'enclave.mjs';

/**
 * `bootstrap`: the loader node starts. `bundle`: the enclave code. `wasm`: modules the bundle reads beside itself.
 * `external`: files of packages that cannot be bundled (miniflare and its dependencies), loaded from node_modules.
 * `binary`: executables the enclave spawns (workerd).
 */
export const MANIFEST_ROLES = ['bootstrap', 'bundle', 'wasm', 'external', 'binary'] as const;
export type ManifestRole = (typeof MANIFEST_ROLES)[number];

export interface ManifestEntry {
  /** POSIX path relative to the manifest's directory (externals start with `../`). */
  path: string;
  role: ManifestRole;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** In the fixed order MRENCLAVE hashes them: bootstrap, bundle, wasm, externals (by path), binaries. */
export type Manifest = readonly ManifestEntry[];

export type EnclaveBinary = 'workerd';

/** What the bootstrap hands to the bundle's `start(measurement)`. */
export interface Measurement {
  /** SHA-256 over the manifest entries (see `mrenclaveOf`). */
  mrenclave: Uint8Array;
  /** Absolute, symlink-free directory of manifest.json, bootstrap.mjs and enclave.mjs. */
  manifestDir: string;
  bundleUrl: URL;
  /** Absolute path of a measured executable; its hash is verified on the first call (a `binary` entry is not checked at start). */
  binary(name: EnclaveBinary): string;
  /** Bytes of a measured `wasm` entry by file name, checked against the manifest as they are read. */
  readWasm(name: string): Uint8Array;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isCleanRelativePath(p: string): boolean {
  return p.length > 0 && !p.includes('\\') && !p.includes('\0') && !path.posix.isAbsolute(p) && path.posix.normalize(p) === p && p !== '.';
}

/** Checks a parsed manifest: well-formed entries, unique paths, exactly one bootstrap and one bundle, unique wasm/binary names. */
export function parseManifest(value: unknown): Manifest {
  const invalid = (why: string): LoaderError => new LoaderError('ENCLAVE_MANIFEST_INVALID', `${MANIFEST_FILE}: ${why}`);
  if (!Array.isArray(value)) throw invalid('not a JSON array of entries');
  const paths = new Set<string>();
  const names = new Set<string>();
  const entries = value.map((raw: unknown, i): ManifestEntry => {
    const e = raw as Partial<ManifestEntry> | null;
    if (typeof e !== 'object' || e === null || Object.keys(e).sort().join() !== 'path,role,sha256') {
      throw invalid(`entry ${i} must have exactly path, role, sha256`);
    }
    if (typeof e.path !== 'string' || !isCleanRelativePath(e.path)) {
      throw invalid(`entry ${i}: path ${JSON.stringify(e.path)} is not a normalised relative POSIX path`);
    }
    if (!(MANIFEST_ROLES as readonly unknown[]).includes(e.role)) throw invalid(`entry ${i}: unknown role ${JSON.stringify(e.role)}`);
    if (typeof e.sha256 !== 'string' || !SHA256_HEX.test(e.sha256)) throw invalid(`entry ${i}: sha256 is not 64 lowercase hex digits`);
    if (paths.has(e.path)) throw invalid(`${e.path} is listed twice`);
    paths.add(e.path);
    if (e.role === 'wasm' || e.role === 'binary') {
      const name = `${e.role}:${path.posix.basename(e.path)}`;
      if (names.has(name)) throw invalid(`two ${e.role} entries are named ${path.posix.basename(e.path)}`);
      names.add(name);
    }
    return { path: e.path, role: e.role as ManifestRole, sha256: e.sha256 };
  });
  for (const role of ['bootstrap', 'bundle'] as const) {
    const count = entries.filter((e) => e.role === role).length;
    if (count !== 1) throw invalid(`has ${count} ${role} entries, expected 1`);
  }
  return Object.freeze(entries.map((e) => Object.freeze(e)));
}

/** Reads and checks `dir/manifest.json`. */
export function readManifest(dir: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (cause) {
    throw new LoaderError('ENCLAVE_MANIFEST_INVALID', `cannot read ${path.join(dir, MANIFEST_FILE)}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LoaderError('ENCLAVE_MANIFEST_INVALID', `${MANIFEST_FILE} is not JSON`, { cause });
  }
  return parseManifest(value);
}

/** The manifest as written by the bundler: one entry per line, so a diff shows which file changed. */
export function formatManifest(manifest: Manifest): string {
  return `[\n${manifest.map((e) => `  ${JSON.stringify({ path: e.path, role: e.role, sha256: e.sha256 })}`).join(',\n')}\n]\n`;
}

/** MRENCLAVE = SHA-256 over the entries in order, each `path ‖ 0x00 ‖ role ‖ 0x00 ‖ sha256 (32 bytes)`. */
export function mrenclaveOf(manifest: Manifest): Uint8Array {
  const hash = createHash('sha256');
  for (const entry of manifest) {
    hash.update(entry.path, 'utf8').update(Uint8Array.of(0)).update(entry.role, 'utf8').update(Uint8Array.of(0)).update(Buffer.from(entry.sha256, 'hex'));
  }
  return new Uint8Array(hash.digest());
}

/** Absolute path of an entry (the manifest's paths are relative to its directory). */
export function entryFile(dir: string, entry: ManifestEntry): string {
  return path.resolve(dir, ...entry.path.split('/'));
}

/** Bytes of a measured file, refused (ENCLAVE_FILE_TAMPERED) when missing or when they do not hash to the manifest's value. */
export function readVerified(dir: string, entry: ManifestEntry): Buffer {
  const file = entryFile(dir, entry);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (cause) {
    throw new LoaderError('ENCLAVE_FILE_TAMPERED', `measured ${entry.role} ${entry.path} cannot be read`, { cause });
  }
  if (sha256Hex(bytes) !== entry.sha256) throw new LoaderError('ENCLAVE_FILE_TAMPERED', `${entry.role} ${entry.path} does not match its measurement`);
  return bytes;
}

const HASH_CHUNK_BYTES = 1 << 20;

/** Hex SHA-256 of a file, read in 1 MiB chunks (workerd is 120 MB). */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Re-hashes one entry's file; throws ENCLAVE_FILE_TAMPERED when it is missing or differs from the manifest. */
export function verifyFile(dir: string, entry: ManifestEntry): void {
  let actual: string;
  try {
    actual = sha256File(entryFile(dir, entry));
  } catch (cause) {
    throw new LoaderError('ENCLAVE_FILE_TAMPERED', `measured ${entry.role} ${entry.path} cannot be read`, { cause });
  }
  if (actual !== entry.sha256) throw new LoaderError('ENCLAVE_FILE_TAMPERED', `${entry.role} ${entry.path} does not match its measurement`);
}

/**
 * The `Measurement` of a verified manifest. `binary` and `readWasm` look entries up by file name; `binary` hashes
 * the executable on its first call only (workerd is 120 MB) unless it is in `checkedBinaries` (absolute paths the
 * caller has verified), `readWasm` checks the very bytes it returns.
 */
export function createMeasurement(dir: string, manifest: Manifest, mrenclave: Uint8Array, checkedBinaries: ReadonlySet<string> = new Set()): Measurement {
  const byName = (role: ManifestRole, name: string): ManifestEntry => {
    const entry = manifest.find((e) => e.role === role && path.posix.basename(e.path) === name);
    if (!entry) throw new LoaderError('ENCLAVE_FILE_NOT_MEASURED', `no ${role} named ${name} in the enclave manifest`);
    return entry;
  };
  const binaries = new Map<string, string>();
  return Object.freeze({
    mrenclave: mrenclave.slice(),
    manifestDir: dir,
    bundleUrl: pathToFileURL(entryFile(dir, byName('bundle', BUNDLE_FILE))),
    binary(name: EnclaveBinary): string {
      let file = binaries.get(name);
      if (file === undefined) {
        const entry = byName('binary', name);
        file = entryFile(dir, entry);
        if (!checkedBinaries.has(file)) verifyFile(dir, entry);
        binaries.set(name, file);
      }
      return file;
    },
    readWasm: (name: string): Uint8Array => new Uint8Array(readVerified(dir, byName('wasm', name))),
  });
}
