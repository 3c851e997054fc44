import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';

import { encodingsOf, formatHits, randomMarker, readableRegions, scanBuffer, scanFiles, scanProcessMemory, scanText, type Hit, type Secret } from './secret-scan.js';

/**
 * A Node process that receives a binary marker (32 bytes) and a text marker on stdin and keeps them as a Buffer,
 * a one-byte hex string and two-byte strings (a leading U+2603 makes V8 store them as UTF-16) of the hex and the
 * text; `ballastMiB` of random bytes make it big. It prints "ready" once it holds them.
 */
const CHILD = String.raw`
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const data = Buffer.concat(chunks);
  const marker = Buffer.from(data.subarray(0, 32));
  const hex = marker.toString('hex');
  const text = data.subarray(32).toString('latin1');
  const wide = (s) => String.fromCharCode(0x2603, ...Array.from(s, (c) => c.charCodeAt(0)));
  const ballast = Buffer.allocUnsafeSlow(Number(process.argv[1]) * 1024 * 1024);
  require('node:crypto').randomFillSync(ballast);
  globalThis.held = { marker, hex, wideHex: wide(hex), wideText: wide(text), ballast };
  process.stdout.write('ready\n');
  setInterval(() => {}, 1 << 30);
});
`;

async function holder(marker: Secret, text: Secret, ballastMiB: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', CHILD, String(ballastMiB)], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(Buffer.concat([marker.bytes, text.bytes]));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`holder exited with ${code} before "ready"`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => line === 'ready' && resolve());
  });
  return child;
}

const encodingsFound = (hits: readonly Hit[], secret: Secret): Set<string> =>
  new Set(hits.filter((h) => h.secret === secret.name).flatMap((h) => h.encoding.split('|')));

describe('hostile: secret scanner', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'));
    dirs.push(dir);
    return dir;
  };

  it('base64 patterns are exactly the characters a secret determines at each of the three alignments', () => {
    const secret = randomMarker('b64');
    const patterns = new Map(encodingsOf(secret).flatMap(({ encoding, pattern }) => encoding.split('|').map((e) => [e, pattern.toString('latin1')] as const)));
    for (let round = 0; round < 50; round++) {
      for (const lead of [0, 1, 2]) {
        // Any neighbours, at any 3-byte border: the pattern is inside, and it is as long as it can be.
        const before = randomBytes(3 * (round % 4) + lead);
        const text = Buffer.concat([before, secret.bytes, randomBytes(round % 5)]).toString('base64');
        const pattern = patterns.get(`base64+${lead}`)!;
        assert.ok(text.includes(pattern), `base64+${lead} not in ${text}`);
        assert.equal(pattern.length, Math.floor((8 * (lead + 32)) / 6) - Math.ceil((8 * lead) / 6));
        assert.ok(Buffer.concat([before, secret.bytes]).toString('base64url').includes(patterns.get(`base64url+${lead}`)!));
      }
    }
    assert.ok(randomMarker('x').bytes.length === 32 && Buffer.from(randomMarker('x').bytes).toString('hex').startsWith('5ea1b21d'));
    assert.throws(() => scanBuffer(Buffer.alloc(8), [{ name: 'tiny', bytes: Uint8Array.of(1, 2), minLength: 64 }]), /no encoding/);
  });

  it('finds a marker a live process holds as raw bytes, hex and UTF-16, and never one it did not hold', async () => {
    const marker = randomMarker('held');
    const text = randomMarker('held-text', { text: true });
    const absent = [randomMarker('never-planted'), randomMarker('never-planted-text', { text: true })];
    const child = await holder(marker, text, 1);
    children.push(child);

    const hits = scanProcessMemory(child.pid!, [marker, text, ...absent]);
    const found = encodingsFound(hits, marker);
    for (const encoding of ['raw', 'hex', 'utf16le-hex']) assert.ok(found.has(encoding), `${encoding} missing; found:\n${formatHits(hits)}`);
    assert.ok(encodingsFound(hits, text).has('utf16le'), `the text's UTF-16 missing; found:\n${formatHits(hits)}`);
    for (const secret of absent) assert.deepEqual(hits.filter((h) => h.secret === secret.name), [], formatHits(hits));
    assert.ok(hits.every((h) => h.where?.startsWith(`pid ${child.pid} `)));
  });

  it('finds a marker written as base64 at each alignment in nested files; nothing of a marker never written', () => {
    const marker = randomMarker('pickled');
    const absent = randomMarker('never-written');
    const dir = tempDir();
    const nested = path.join(dir, 'a', 'b', 'leveldb');
    fs.mkdirSync(nested, { recursive: true });
    for (const lead of [0, 1, 2]) {
      const pickle = Buffer.concat([randomBytes(6 + lead), marker.bytes, randomBytes(7)]).toString(lead === 1 ? 'base64url' : 'base64');
      fs.writeFileSync(path.join(nested, `00000${lead}.ldb`), Buffer.concat([randomBytes(100), Buffer.from(`{"pickle":"${pickle}"}`), randomBytes(100)]));
    }
    fs.writeFileSync(path.join(dir, 'LOG'), 'nothing here\n');

    const hits = scanFiles(dir, [marker, absent]);
    for (const lead of [0, 1, 2]) {
      const inFile = hits.filter((h) => h.where === path.join(nested, `00000${lead}.ldb`));
      assert.equal(inFile.length, 1, formatHits(hits));
      assert.ok(inFile[0]!.encoding.split('|').includes(lead === 1 ? 'base64url+1' : `base64+${lead}`), formatHits(hits));
    }
    assert.equal(hits.length, 3, formatHits(hits));

    const log = `{"level":"info","msg":"sealed","key":"0x${Buffer.from(marker.bytes).toString('hex')}"}\n`;
    assert.deepEqual(scanText(log, [marker, absent]).map((h) => h.encoding), ['0xhex']);
    assert.deepEqual(scanText(log.repeat(100), [absent]), []);
  });

  it('finds uppercase hex and 0x hex in a buffer, and a match across a chunk border once', () => {
    const marker = randomMarker('buffer');
    const hex = Buffer.from(marker.bytes).toString('hex');
    const buffer = Buffer.concat([randomBytes(1000), Buffer.from(`id=${hex.toUpperCase()};`), randomBytes(1000), Buffer.from(`"0x${hex}"`), randomBytes(10)]);
    const hits = scanBuffer(buffer, [marker]);
    assert.deepEqual(hits.map((h) => [h.encoding, h.offset]), [['HEX', 1003], ['0xhex', 1000 + 3 + 64 + 1 + 1000 + 1]], formatHits(hits));

    const dir = tempDir();
    const file = Buffer.concat([randomBytes(4096 - 40), marker.bytes, randomBytes(2), Buffer.from(hex), randomBytes(5000)]);
    fs.writeFileSync(path.join(dir, 'blob'), file);
    // Raw lies before the 4096 border (inside the next chunk's overlap), hex across it: each reported once.
    const chunked = scanFiles(dir, [marker], { chunkSize: 4096 });
    assert.deepEqual(chunked.map((h) => [h.encoding, h.offset]), [['raw', 4056], ['hex', 4090]], formatHits(chunked));
  });

  it('scans a ~300 MB process in reasonable time (logged, not asserted)', async () => {
    const marker = randomMarker('big');
    const text = randomMarker('big-text', { text: true });
    const child = await holder(marker, text, 300);
    children.push(child);
    const bytes = readableRegions(child.pid!).reduce((sum, r) => sum + (r.end - r.start), 0);
    const secrets = [randomMarker('absent-1'), randomMarker('absent-2', { text: true })];
    const patterns = secrets.flatMap(encodingsOf).length;
    const started = performance.now();
    const hits = scanProcessMemory(child.pid!, secrets);
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(hits, []);
    console.log(`      scanned ${(bytes / 2 ** 20).toFixed(0)} MiB of readable mappings for ${patterns} patterns in ${seconds.toFixed(2)} s: ${(bytes / 2 ** 20 / seconds).toFixed(0)} MiB/s`);
  });
});
