#!/usr/bin/env node
import { runWorkerCli } from './run-cli.js';

process.exitCode = await runWorkerCli(process.argv.slice(2));
