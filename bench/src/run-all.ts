// `npm run bench`: every benchmark in its own process, one after another (they would skew each other in
// parallel on a 2-core machine). Each writes bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['shielding', 'enclave', 'boundary', 'dev-chain', 'rpc', 'smart-worker', 'worker-import', 'amplification'];
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const name of BENCHMARKS.filter((b) => only.length === 0 || only.includes(b))) {
  process.stdout.write(`\n== ${name}\n`);
  const run = spawnSync(process.execPath, [path.join(here, `${name}.js`)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stdout.write(`${name} failed (exit ${run.status})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
