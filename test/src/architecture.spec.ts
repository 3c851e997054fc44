import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Which Sealbridge packages each package may depend on: the dependency direction of the layout, written down once. */
const ALLOWED: Record<string, string[]> = {
  'chain-types': [],
  trie: ['chain-types'],
  'smart-worker-sdk': [],
  'enclave-api': ['chain-types'],
  'enclave-sim': ['chain-types', 'enclave-api', 'trie', 'stf', 'smart-worker'],
  stf: ['chain-types', 'trie'],
  'dev-chain': ['chain-types', 'trie'],
  client: ['chain-types'],
  'smart-worker': ['smart-worker-sdk', 'chain-types'],
  worker: ['chain-types', 'enclave-api', 'enclave-sim', 'smart-worker'],
  cli: ['chain-types', 'client', 'dev-chain', 'worker', 'enclave-sim', 'stf'],
};

/**
 * Modules of the untrusted host: the enclave process's code (enclave-sim/src/trusted) never imports them. It owns its
 * sockets and sealed files, so it may use the network and the file system; it never talks to the parentchain
 * (@polkadot/api), opens the host's database or imports host packages.
 */
const HOST_ONLY = /^level$|^@polkadot\/api|^@polkadot\/rpc-provider|^@sealbridge\/(worker|client|dev-chain|cli)$/;
/** The STF is a pure function of state and operations: no I/O at all. */
const IO = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process)$|^ws$/;

function workspaces(): string[] {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
}

function importsOf(dir: string): Array<{ file: string; specifier: string }> {
  const found: Array<{ file: string; specifier: string }> = [];
  for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!entry.endsWith('.ts') || entry.endsWith('.spec.ts') || entry.split(path.sep).includes('testing')) continue;
    const text = fs.readFileSync(path.join(dir, entry), 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      found.push({ file: path.join(dir, entry), specifier: match[1] ?? match[2] });
    }
  }
  return found;
}

/**
 * Hand-made SCALE compacts: polkadot-js' compact helpers or the bit patterns of the compact modes. Only
 * chain-types' codec (`chain-types/src/codec/`) may lay them out; specs may use polkadot-js as a reference.
 */
const COMPACT_BY_HAND = /\bcompact(?:FromU8a|FromU8aLim|ToU8a|AddLength|StripLength)\b|&\s*(?:0b11|3)\b\s*\)|<<\s*2\)\s*\|\s*[123]\b|\*\s*4\s*\+\s*2\b/;

function sourcesOf(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((entry) => entry.endsWith('.ts') && !entry.endsWith('.spec.ts') && !entry.split(path.sep).includes('testing'))
    .map((entry) => path.join(dir, entry));
}

describe('architecture', () => {
  it('SCALE compacts are read and written by chain-types’ codec alone', () => {
    const codecDir = path.join(ROOT, 'chain-types', 'src', 'codec');
    const offenders: string[] = [];
    for (const ws of workspaces()) {
      for (const file of sourcesOf(path.join(ROOT, ws, 'src'))) {
        if (file.startsWith(codecDir + path.sep)) continue;
        fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (COMPACT_BY_HAND.test(line)) offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    assert.deepEqual(offenders, [], `SCALE by hand outside chain-types/src/codec:\n${offenders.join('\n')}`);
  });


  it('every workspace depends only on the Sealbridge packages below it', () => {
    for (const ws of workspaces()) {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, ws, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
      const name = pkg.name.replace('@sealbridge/', '');
      if (name === 'test' || name === 'bench') continue;
      assert.ok(name in ALLOWED, `${pkg.name} has no entry in the allow-list`);
      const internal = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@sealbridge/')).map((d) => d.replace('@sealbridge/', ''));
      for (const dep of internal) assert.ok(ALLOWED[name].includes(dep), `${pkg.name} must not depend on @sealbridge/${dep}`);
    }
  });

  it('the trusted side imports nothing of the host side, and the STF does no I/O', () => {
    for (const dir of ['enclave-sim/src/trusted', 'packages/stf/src']) {
      for (const { file, specifier } of importsOf(path.join(ROOT, dir))) {
        assert.doesNotMatch(specifier, HOST_ONLY, `${path.relative(ROOT, file)} imports ${specifier}`);
        if (dir === 'packages/stf/src') assert.doesNotMatch(specifier, IO, `${path.relative(ROOT, file)} imports ${specifier}`);
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          assert.ok(!target.startsWith(path.join(ROOT, 'enclave-sim', 'src', 'host')), `${path.relative(ROOT, file)} imports the host-side loader (${specifier})`);
        }
      }
    }
  });

  it('the host reaches the enclave only through enclave-api and the launcher', () => {
    // enclave-sim's root export is the launcher and public constants; the host never loads trusted code itself.
    const index = fs.readFileSync(path.join(ROOT, 'enclave-sim', 'src', 'index.ts'), 'utf8');
    const trustedExports = [...index.matchAll(/^export (?!type)[^;]*? from '\.\/trusted\/([^']+)'/gm)].map((m) => m[1]);
    assert.deepEqual(trustedExports.filter((file) => !/^(platform-secret|decrypt-pool|errors|olm-adapter|olm-vault|settings|rpc\/index)\.js$/.test(file!)), []);
    assert.doesNotMatch(index, /TrustedEnclave|enclaveRuntime|ShardRuntime/);
    for (const { file, specifier } of importsOf(path.join(ROOT, 'packages', 'worker', 'src'))) {
      assert.doesNotMatch(specifier, /^@sealbridge\/(stf|trie)$|^@sealbridge\/enclave-sim\/(?!rpc-testing$)/, `${path.relative(ROOT, file)} imports ${specifier}`);
    }
  });

  it('no package reaches into another package’s sources', () => {
    for (const ws of workspaces()) {
      for (const { file, specifier } of importsOf(path.join(ROOT, ws, 'src'))) {
        assert.doesNotMatch(specifier, /^@sealbridge\/[^/]+\/(src|dist)\//, `${path.relative(ROOT, file)} imports ${specifier}`);
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          assert.ok(target.startsWith(path.join(ROOT, ws)), `${path.relative(ROOT, file)} imports ${specifier} outside its package`);
        }
      }
    }
  });
});
