// Runs the compiled mocha suites (`dist/**/*.spec.js`) of every workspace in one process and ends with a
// plain "N passed, N failed" line that CI reads. Usage: node scripts/run-tests.mjs [workspace-dir …] [--grep re]
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args.splice(grepAt, 2)[1] : undefined;
const { workspaces } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const selected = args.length ? args.map((a) => path.relative(root, path.resolve(a))) : workspaces;

const specFiles = selected.flatMap((ws) => {
  const dist = path.join(root, ws, 'dist');
  if (!fs.existsSync(dist)) return [];
  return fs.readdirSync(dist, { recursive: true })
    .filter((f) => f.endsWith('.spec.js'))
    .sort()
    .map((f) => path.join(dist, f));
});

const mocha = new Mocha({ timeout: 60_000, reporter: 'spec', grep });
for (const file of specFiles) mocha.addFile(file);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const { passes = 0, pending = 0 } = runner.stats ?? {};
  console.log(`\ntests: ${passes} passed, ${failures} failed, ${pending} skipped`);
  // Open handles (sockets, workers) from a broken suite must not keep CI waiting.
  process.exit(failures > 0 || specFiles.length === 0 ? 1 : 0);
});
