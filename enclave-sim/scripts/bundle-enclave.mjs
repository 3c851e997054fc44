// Bundles the enclave into one measured directory (default enclave-sim/dist/enclave/), run by the root `npm run
// build` after tsc: enclave.mjs (the trusted code and its dependencies in one ES module), bootstrap.mjs (the loader
// node starts, src/loader/bootstrap.ts), the WASM files the bundle reads beside itself, and manifest.json, the
// fixed-order list of every file the enclave process loads or executes. MRENCLAVE is the hash of that list
// (src/loader/measurement.ts). Packages that cannot be bundled stay external and are measured file by file where
// they are installed: miniflare (reads its worker scripts from its own directory), native addons, and their
// dependencies; plus the workerd executable miniflare spawns.
//
// Usage: node enclave-sim/scripts/bundle-enclave.mjs   (entry dist/trusted/main.js: run after tsc -b)
import fs from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as esbuild from 'esbuild';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.resolve(PACKAGE_DIR, '..');
export const DEFAULT_ENTRY = path.join(PACKAGE_DIR, 'dist', 'trusted', 'main.js');
export const DEFAULT_OUT_DIR = path.join(PACKAGE_DIR, 'dist', 'enclave');
const LOADER_SRC = path.join(PACKAGE_DIR, 'src', 'loader');
const MEASUREMENT_JS = path.join(PACKAGE_DIR, 'dist', 'loader', 'measurement.js');
const HASH_CACHE_FILE = path.join(ROOT, 'node_modules', '.cache', 'sealbridge-enclave', 'sha256.json');

/** Packages kept out of the bundle by name: miniflare reads `__dirname/workers/*.worker.js` at run time. */
const EXTERNAL_PACKAGES = new Set(['miniflare']);
/** A package depending on one of these loads a native addon from its own directory, so it stays external too. */
const NATIVE_LOADERS = ['node-gyp-build', 'node-gyp-build-optional-packages', 'bindings', 'prebuild-install'];
/** Executables an external package spawns, each named after the package whose package.json `bin` provides it. */
const SPAWNED_BINARIES = new Map([['miniflare', ['workerd']]]);
/** WASM files bundled modules read beside themselves (inside the bundle: beside enclave.mjs): [package, module, wasm]. */
const WASM_BESIDE_MODULES = [
  ['@matrix-org/olm', 'olm.js', 'olm.wasm'], // emscripten loader: `__dirname + "/olm.wasm"`
  ['@sealbridge/chain-types', 'dist/ristretto.js', 'dist/ristretto.wasm'], // new URL('./ristretto.wasm', import.meta.url)
];
/** `new URL('./x', import.meta.url)` references that are only used unbundled (the bundle starts its threads from the bootstrap). */
const UNBUNDLED_ONLY_URLS = new Set(['./decrypt-worker.js']);
const RUNTIME_FILE = /\.(js|cjs|mjs|json|wasm|node)$/;

// CommonJS dependencies inside an ES module: `require` for their own requires, and __dirname/__filename (olm locates
// its WASM with them) as the bundle's. define renames only free uses, so a module's own `__dirname` stays its own.
const BANNER = [
  "import { createRequire as __sealbridgeCreateRequire } from 'node:module';",
  "import { dirname as __sealbridgeDirnameOf } from 'node:path';",
  "import { fileURLToPath as __sealbridgeFileURLToPath } from 'node:url';",
  'const require = __sealbridgeCreateRequire(import.meta.url);',
  'const __sealbridgeFilename = __sealbridgeFileURLToPath(import.meta.url);',
  'const __sealbridgeDirname = __sealbridgeDirnameOf(__sealbridgeFilename);',
].join('\n');

const posix = (p) => p.split(path.sep).join('/');

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const packageJsonCache = new Map();
/** The nearest package.json at or above `dir`: { dir, json }. */
function packageOf(dir) {
  if (packageJsonCache.has(dir)) return packageJsonCache.get(dir);
  const file = path.join(dir, 'package.json');
  let found;
  if (fs.existsSync(file)) {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    // Some packages ship package.json files in subdirectories ({ "type": "module" }): only a named one is the root.
    found = json.name ? { dir, json } : undefined;
  }
  const parent = path.dirname(dir);
  found ??= parent === dir ? undefined : packageOf(parent);
  packageJsonCache.set(dir, found);
  return found;
}

/** Where node finds package `name` from `fromDir`: the nearest node_modules/name, real path. */
function installedPackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(candidate)) return fs.realpathSync(path.dirname(candidate));
    if (path.dirname(dir) === dir) return undefined;
  }
}

function loadsNativeAddon(pkg) {
  const deps = { ...pkg.json.dependencies, ...pkg.json.optionalDependencies };
  return pkg.json.gypfile === true || fs.existsSync(path.join(pkg.dir, 'binding.gyp')) || NATIVE_LOADERS.some((n) => n in deps);
}

/** Import specifier of an external file from the bundle: relative, so the bundle does not depend on where the repo is. */
function specifierFrom(outDir, file) {
  const rel = posix(path.relative(outDir, file));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** esbuild plugin: externals by name or native addon, imported by their path relative to the bundle. */
function externalsPlugin(outDir, externalDirs) {
  const installed = new Map();
  /** Whether bare `specifier` imported from `resolveDir` is an external package (memoised: thousands of imports). */
  const isExternal = (specifier, resolveDir) => {
    const name = packageNameOf(specifier);
    const key = `${resolveDir}\0${name}`;
    if (!installed.has(key)) {
      const dir = installedPackageDir(name, resolveDir);
      installed.set(key, dir !== undefined && (EXTERNAL_PACKAGES.has(name) || loadsNativeAddon(packageOf(dir))));
    }
    return installed.get(key);
  };
  return {
    name: 'sealbridge-externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.sealbridgeExternals || isBuiltin(args.path) || !isExternal(args.path, args.resolveDir)) return undefined;
        // The file node would load, with the conditions of this import (import/require).
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { sealbridgeExternals: true },
        });
        if (resolved.errors.length > 0 || !path.isAbsolute(resolved.path)) return undefined;
        const file = fs.realpathSync(resolved.path);
        externalDirs.add(packageOf(path.dirname(file)).dir);
        return { path: specifierFrom(outDir, file), external: true };
      });
    },
  };
}

/** esbuild plugin: lets a caller change a module's source before it is bundled (specs: one byte → another MRENCLAVE). */
function transformPlugin(transform) {
  return {
    name: 'sealbridge-transform',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        const changed = transform({ path: args.path, source });
        return typeof changed === 'string' && changed !== source ? { contents: changed, loader: 'js' } : undefined;
      });
    },
  };
}

/** External package directories and every installed package they depend on (dependencies + optionalDependencies). */
function withDependencies(dirs) {
  const seen = new Set();
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) {
      const dep = installedPackageDir(name, dir);
      if (dep) visit(dep);
    }
  };
  for (const dir of dirs) visit(dir);
  return [...seen];
}

/** A package's runtime files, without nested node_modules (those are packages of their own). */
function runtimeFilesOf(dir) {
  const files = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(p);
      } else if (entry.isFile() && RUNTIME_FILE.test(entry.name)) files.push(p);
    }
  };
  walk(dir);
  return files;
}

function binaryOf(pkgName, fromDir) {
  const main = createRequire(path.join(fromDir, 'package.json')).resolve(pkgName);
  const pkg = packageOf(path.dirname(main));
  const bin = typeof pkg.json.bin === 'string' ? pkg.json.bin : pkg.json.bin?.[pkgName];
  if (!bin) throw new Error(`${pkgName} declares no bin`);
  return fs.realpathSync(path.join(pkg.dir, bin));
}

/** SHA-256 of files outside the output directory, cached by inode, size and times (workerd alone is 120 MB). */
function hashCache(sha256File) {
  let cache = {};
  try {
    cache = JSON.parse(fs.readFileSync(HASH_CACHE_FILE, 'utf8'));
  } catch {
    // first build, or an unreadable cache: hash everything
  }
  let dirty = false;
  return {
    hash(file) {
      const s = fs.statSync(file);
      const key = `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      const hit = cache[file];
      if (hit?.key === key) return hit.sha256;
      const sha256 = sha256File(file);
      cache[file] = { key, sha256 };
      dirty = true;
      return sha256;
    },
    save() {
      if (!dirty) return;
      fs.mkdirSync(path.dirname(HASH_CACHE_FILE), { recursive: true });
      const tmp = `${HASH_CACHE_FILE}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(cache));
      fs.renameSync(tmp, HASH_CACHE_FILE);
    },
  };
}

/**
 * A fresh sibling of `outDir` to build in, renamed over it when done: a failed or concurrent build never leaves a
 * half-written enclave, and a sibling has the same relative paths to node_modules, so it yields the same bytes.
 */
function stagingDirFor(outDir, manifestFile) {
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, manifestFile))) {
    throw new Error(`${outDir} is not empty and holds no ${manifestFile}: not overwriting it`);
  }
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(outDir), `.${path.basename(outDir)}-`));
  fs.chmodSync(staging, 0o755);
  return fs.realpathSync(staging);
}

function replaceDir(staging, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
  return fs.realpathSync(outDir);
}

async function buildBootstrap(outDir, bootstrapFile) {
  const hooks = await esbuild.build({
    entryPoints: [path.join(LOADER_SRC, 'hooks.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const result = await esbuild.build({
    entryPoints: [path.join(LOADER_SRC, 'bootstrap.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(outDir, bootstrapFile),
    define: { SEALBRIDGE_LOADER_HOOKS_SOURCE: JSON.stringify(hooks.outputFiles[0].text) },
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const foreign = imports.filter((p) => !p.startsWith('node:'));
  if (foreign.length > 0) throw new Error(`bootstrap must import node builtins only, imports ${foreign.join(', ')}`);
}

function unmeasuredUrlReferences(bundleText, measuredBeside) {
  const refs = [...bundleText.matchAll(/new URL\(\s*["'](\.{1,2}\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]);
  return [...new Set(refs)].filter((ref) => !UNBUNDLED_ONLY_URLS.has(ref) && !measuredBeside.has(path.posix.normalize(ref)));
}

/**
 * Bundles `entry` (an ES module exporting `start(measurement)`) into `outDir` and writes its manifest.
 * Returns the manifest, its MRENCLAVE (hex), the bundle's size, warnings and the time taken.
 */
export async function bundleEnclave({ entry, outDir, transform } = {}) {
  if (!fs.existsSync(MEASUREMENT_JS)) throw new Error(`${MEASUREMENT_JS} is missing: run tsc -b enclave-sim first`);
  const m = await import(pathToFileURL(MEASUREMENT_JS).href);
  entry = path.resolve(entry ?? DEFAULT_ENTRY);
  if (!fs.existsSync(entry)) throw new Error(`${entry} does not exist: compile enclave-sim (tsc -b) before bundling it`);
  const finalDir = path.resolve(outDir ?? DEFAULT_OUT_DIR);
  const dir = stagingDirFor(finalDir, m.MANIFEST_FILE);
  try {
    return { ...(await bundleInto(dir, entry, transform, m)), dir: replaceDir(dir, finalDir) };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function bundleInto(dir, entry, transform, m) {
  const started = performance.now();
  const externalDirs = new Set();
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: ROOT, // paths in the bundle's comments are repo-relative: the same bundle in every checkout
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(dir, m.BUNDLE_FILE),
    banner: { js: BANNER },
    define: {
      __dirname: '__sealbridgeDirname',
      __filename: '__sealbridgeFilename',
      SEALBRIDGE_THREAD_ENTRY: JSON.stringify(`./${m.BOOTSTRAP_FILE}`),
    },
    plugins: [externalsPlugin(dir, externalDirs), ...(transform ? [transformPlugin(transform)] : [])],
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  if (!output.exports.includes('start')) throw new Error(`${entry} exports no start(measurement)`);
  const warnings = result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`);

  // WASM files beside the modules that read them, copied beside the bundle.
  const wasmFiles = [];
  const inputs = new Set(Object.keys(result.metafile.inputs).map((p) => path.resolve(ROOT, p)));
  for (const [pkgName, module, wasm] of WASM_BESIDE_MODULES) {
    const reader = [...inputs].find((file) => {
      const pkg = packageOf(path.dirname(file));
      return pkg?.json.name === pkgName && posix(path.relative(pkg.dir, file)) === module;
    });
    if (!reader) continue;
    const name = path.basename(wasm);
    if (wasmFiles.includes(name)) throw new Error(`two WASM files are named ${name}`);
    fs.copyFileSync(path.join(packageOf(path.dirname(reader)).dir, wasm), path.join(dir, name));
    wasmFiles.push(name);
  }
  await buildBootstrap(dir, m.BOOTSTRAP_FILE);

  const bundleText = fs.readFileSync(path.join(dir, m.BUNDLE_FILE), 'utf8');
  for (const ref of unmeasuredUrlReferences(bundleText, new Set([m.BOOTSTRAP_FILE, ...wasmFiles]))) {
    warnings.push(`${m.BUNDLE_FILE} refers to ${ref} beside itself (new URL(…, import.meta.url)), which is not in the bundle's directory`);
  }

  const cache = hashCache(m.sha256File);
  const entryOf = (file, role, hash = m.sha256File) => ({ path: posix(path.relative(dir, file)), role, sha256: hash(file) });
  const externalPackages = withDependencies([...externalDirs]);
  const externals = externalPackages
    .flatMap(runtimeFilesOf)
    .map((file) => entryOf(file, 'external', cache.hash))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const binaries = [...externalDirs].flatMap((pkgDir) => {
    const name = packageOf(pkgDir).json.name;
    return (SPAWNED_BINARIES.get(name) ?? []).map((provider) => entryOf(binaryOf(provider, pkgDir), 'binary', cache.hash));
  });
  cache.save();
  const manifest = m.parseManifest([
    entryOf(path.join(dir, m.BOOTSTRAP_FILE), 'bootstrap'),
    entryOf(path.join(dir, m.BUNDLE_FILE), 'bundle'),
    ...wasmFiles.sort().map((name) => entryOf(path.join(dir, name), 'wasm')),
    ...externals,
    ...binaries,
  ]);
  fs.writeFileSync(path.join(dir, m.MANIFEST_FILE), m.formatManifest(manifest));
  return {
    entry,
    manifest,
    mrenclave: Buffer.from(m.mrenclaveOf(manifest)).toString('hex'),
    bundleBytes: Buffer.byteLength(bundleText),
    externalPackages: externalPackages.length,
    warnings,
    millis: Math.round(performance.now() - started),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = await bundleEnclave();
    for (const warning of r.warnings) console.warn(`bundle-enclave: warning: ${warning}`);
    const mb = (r.bundleBytes / 1e6).toFixed(1);
    console.log(
      `bundle-enclave: ${path.relative(process.cwd(), r.dir)}/ from ${path.relative(process.cwd(), r.entry)}: ${mb} MB bundle, ` +
        `${r.manifest.length} files measured (${r.externalPackages} external packages), MRENCLAVE ${r.mrenclave}, ${r.millis} ms`,
    );
  } catch (error) {
    console.error(`bundle-enclave: ${error.message}`);
    for (const e of error.errors ?? []) console.error(`  ${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`);
    process.exit(1);
  }
}
