#!/usr/bin/env node
// npm links a workspace's bins at install time, before `npm run build` has written dist/, and skips a bin whose
// file is missing; this committed shim always exists and loads the built command.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(`sealbridge-dev-chain is not built (${fileURLToPath(built)} is missing): run npm run build\n`);
  process.exit(1);
}
await import(built.href);
