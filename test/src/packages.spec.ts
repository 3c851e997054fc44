import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { runCliJson } from '@sealbridge/cli';
import { useStack } from '@sealbridge/cli/testing';

import { REPO_ROOT, run } from './npm.js';

/** The packages a Smart Worker author or a client application installs, and what they must ship. */
const PACKED = {
  '@sealbridge/smart-worker-sdk': { dir: 'packages/smart-worker-sdk', ships: ['dist/index.js', 'dist/index.d.ts'] },
  '@sealbridge/client': { dir: 'packages/client', ships: ['dist/index.js', 'dist/index.d.ts'] },
  '@sealbridge/chain-types': { dir: 'chain-types', ships: ['dist/index.js', 'dist/index.d.ts', 'dist/log.js', 'dist/ristretto.wasm'] },
} as const;
type PackedName = keyof typeof PACKED;
/** Installed beside the tarballs at the repository's locked versions. */
const TOOLS = ['esbuild', 'typescript', '@types/node'];

/** A Smart Worker as its author writes it: TypeScript against the SDK's types. */
const SMART_WORKER = `
import { readInvocation, smartWorker } from '@sealbridge/smart-worker-sdk';

export default smartWorker({
  async tasks() {},
  async invoke(request, rnr) {
    const { greeting } = (await rnr.getConfig()) as { greeting: string };
    const { blockNumber } = readInvocation(request);
    return \`\${greeting} \${await request.text()} @\${blockNumber}\`;
  },
});
`;

/** A Node application of the client: reads the worker's MRENCLAVE over the trusted RPC. */
const CLIENT_APP = `
import { shardToBase58 } from '@sealbridge/chain-types';
import { connectWorker } from '@sealbridge/client';

const worker = await connectWorker(process.argv[2], { tls: 'insecure' });
try {
  process.stdout.write(JSON.stringify({ mrenclave: shardToBase58(await worker.getFingerprint()) }));
} finally {
  await worker.close();
}
`;

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Packed {
  name: PackedName;
  file: string;
  files: string[];
  manifest: { version: string; dependencies?: Record<string, string> };
  integrity: string;
}

/**
 * The lockfile of a project that depends on the tarballs and TOOLS: every package at the path and version this
 * repository's lockfile has it, so `npm ci --offline` installs from npm's cache what `npm ci` put there. It is
 * reached from the tarballs' own `dependencies`, so a missing declaration fails the install or the bundle.
 */
function projectLock(repo: Record<string, LockEntry>, packed: Packed[], tarballPath: (p: Packed) => string): { dependencies: Record<string, string>; lock: object } {
  const dependencies: Record<string, string> = {};
  const packages: Record<string, LockEntry> = {};
  const queue: Array<[from: string, dep: string]> = [];
  for (const p of packed) {
    dependencies[p.name] = `file:${tarballPath(p)}`;
    packages[`node_modules/${p.name}`] = { version: p.manifest.version, resolved: dependencies[p.name], integrity: p.integrity, dependencies: p.manifest.dependencies };
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) if (!(dep in PACKED)) queue.push([PACKED[p.name].dir, dep]);
  }
  for (const tool of TOOLS) {
    dependencies[tool] = repo[`node_modules/${tool}`]!.version!;
    queue.push(['', tool]);
  }
  // Node's lookup: <from>/node_modules/<dep>, then each enclosing node_modules, then the root's.
  const locate = (from: string, dep: string): string | undefined => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const key = dir ? `${dir}/node_modules/${dep}` : `node_modules/${dep}`;
      if (repo[key]) return key;
      if (!dir) return undefined;
    }
  };
  // A dependency nested under a workspace folder moves under that package's folder in node_modules.
  const inProject = (key: string): string => {
    const owner = packed.find((p) => key.startsWith(`${PACKED[p.name].dir}/`));
    return owner ? `node_modules/${owner.name}/${key.slice(PACKED[owner.name].dir.length + 1)}` : key;
  };
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [from, dep] = next;
    const key = locate(from, dep);
    if (!key) continue; // an optional peer nobody installed
    const target = inProject(key);
    if (packages[target]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repo[key]!;
    assert.ok(!entry.link, `${dep} resolves to a workspace (${key}): it must be packed too`);
    packages[target] = entry;
    for (const d of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) queue.push([key, d]);
  }
  return { dependencies, lock: { name: 'smart-worker-app', lockfileVersion: 3, requires: true, packages: { '': { name: 'smart-worker-app', dependencies }, ...packages } } };
}

describe('the SDK and the client, packed and used by a project outside the repository', function () {
  this.timeout(600_000);
  let tmp: string;
  let app: string;
  let packed: Packed[];
  let stack: Awaited<ReturnType<typeof useStack>> | undefined;
  const bin = (name: string) => path.join(app, 'node_modules', '.bin', name);

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-packages-'));
    app = path.join(tmp, 'app');
    await fs.mkdir(path.join(tmp, 'pack'));
    await fs.mkdir(app);
    const workspaces = Object.values(PACKED).flatMap(({ dir }) => ['--workspace', dir]);
    const { stdout } = await run('npm', ['pack', ...workspaces, '--pack-destination', path.join(tmp, 'pack'), '--json'], { cwd: REPO_ROOT });
    packed = await Promise.all(
      (JSON.parse(stdout) as Array<{ name: PackedName; filename: string; files: Array<{ path: string }> }>).map(async (p) => {
        const file = path.join(tmp, 'pack', p.filename);
        const manifest = JSON.parse(await fs.readFile(path.join(REPO_ROOT, PACKED[p.name].dir, 'package.json'), 'utf8')) as Packed['manifest'];
        return { name: p.name, file, files: p.files.map((f) => f.path), manifest, integrity: `sha512-${createHash('sha512').update(await fs.readFile(file)).digest('base64')}` };
      }),
    );
  });

  after(async () => {
    await stack?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('npm pack gives a tarball of each: dist, types and README, no specs or test helpers', () => {
    assert.deepEqual(packed.map((p) => p.name).sort(), Object.keys(PACKED).sort());
    for (const p of packed) {
      for (const file of [...PACKED[p.name].ships, 'README.md', 'package.json']) assert.ok(p.files.includes(file), `${p.name} lacks ${file}`);
      assert.deepEqual(p.files.filter((f) => /\.spec\.|^dist\/test\/|tsbuildinfo|^src\//.test(f)), [], p.name);
    }
  });

  it('installs offline, type-checks and bundles a Smart Worker; the CLI deploys it and call-worker returns its output', async () => {
    const repoLock = (JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
    const { dependencies, lock } = projectLock(repoLock, packed, (p) => path.relative(app, p.file));
    await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'smart-worker-app', private: true, type: 'module', dependencies }, null, 2));
    await fs.writeFile(path.join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app });

    await fs.writeFile(path.join(app, 'worker.ts'), SMART_WORKER);
    // The SDK's own environment: workerd's web platform, no Node types.
    const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler' };
    await fs.writeFile(path.join(app, 'tsconfig.worker.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, lib: ['ES2022', 'WebWorker'], types: [] }, files: ['worker.ts'] }));
    await run(bin('tsc'), ['-p', 'tsconfig.worker.json'], { cwd: app });
    await run(bin('esbuild'), ['worker.ts', '--bundle', '--format=esm', '--target=es2022', '--outfile=dist/worker.js', '--log-level=warning'], { cwd: app });

    stack = await useStack();
    const opts = { env: stack.env, cwd: stack.dir };
    const deployed = await runCliJson<{ id: string; identity: string; shard: string }>(
      ['worker', 'deploy', path.join(app, 'dist', 'worker.js'), '--shard', stack.mrenclave, '--config', '{"greeting":"hi"}'], opts);
    assert.equal(deployed.shard, stack.mrenclave);
    const called = await runCliJson<{ outputText: string; invocation: { blockNumber: number } }>(
      ['trusted', 'call-worker', deployed.identity, 'from outside', '--from', '//AliceIncognito'], opts);
    assert.equal(called.outputText, `hi from outside @${called.invocation.blockNumber}`);
  });

  it('type-checks and bundles a Node application of the client, which reads the worker\'s MRENCLAVE', async () => {
    assert.ok(stack, 'needs the stack of the previous test');
    await fs.writeFile(path.join(app, 'client.ts'), CLIENT_APP);
    const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'] };
    await fs.writeFile(path.join(app, 'tsconfig.client.json'), JSON.stringify({ compilerOptions, files: ['client.ts'] }));
    await run(bin('tsc'), ['-p', 'tsconfig.client.json'], { cwd: app });
    // As the client's README says: ESM with a `require` for CommonJS dependencies, the WASM file beside the bundle.
    await run(bin('esbuild'), [
      'client.ts', '--bundle', '--platform=node', '--format=esm', '--outfile=dist/client.mjs', '--log-level=error',
      "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    ], { cwd: app });
    // Run from a folder of its own: the bundle needs nothing of node_modules.
    const standalone = path.join(tmp, 'standalone');
    await fs.mkdir(standalone);
    await fs.copyFile(path.join(app, 'dist', 'client.mjs'), path.join(standalone, 'client.mjs'));
    await fs.copyFile(path.join(app, 'node_modules', '@sealbridge', 'chain-types', 'dist', 'ristretto.wasm'), path.join(standalone, 'ristretto.wasm'));
    const { stdout } = await run(process.execPath, [path.join(standalone, 'client.mjs'), stack.workerUrl], { cwd: standalone });
    assert.deepEqual(JSON.parse(stdout), { mrenclave: stack.mrenclave });
  });
});
