#!/usr/bin/env node
import { runWorkerCli } from './run-cli.js';

// Exit with the code even if a library left a handle open: a stopped worker must not linger.
process.exit(await runWorkerCli(process.argv.slice(2)));
