#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { createConsoleLogger } from './log.js';
import { startDevChain } from './start.js';

const USAGE =
  'usage: sealbridge-dev-chain [--port 9944] [--host 127.0.0.1] [--block-time 6s|500ms|instant|manual] [--finality-lag N] [--grandpa-authorities N] [--justification-period N] [--db dir] [--verbose]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9944' },
      host: { type: 'string', default: '127.0.0.1' },
      'block-time': { type: 'string', default: 'instant' },
      'finality-lag': { type: 'string', default: '0' },
      'grandpa-authorities': { type: 'string', default: '1' },
      'justification-period': { type: 'string', default: '512' },
      db: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  const finalityLag = Number(values['finality-lag']);
  const grandpaAuthorities = Number(values['grandpa-authorities']);
  const justificationPeriod = Number(values['justification-period']);
  const logger = createConsoleLogger('dev-chain', values.verbose ? 'debug' : 'info');
  const dev = await startDevChain({ port, host: values.host, blockTime: values['block-time'], finalityLag, grandpaAuthorities, justificationPeriod, db: values.db, logger });
  const shutdown = (signal: string) => {
    logger.log('info', 'stopping', { signal });
    dev.stop().then(
      () => process.exit(0),
      (e) => {
        logger.log('error', 'stop failed', { error: String(e) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(1);
});
