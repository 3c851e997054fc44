import { defineCommand } from '../context.js';
import { untilAborted } from '../signals.js';

export const devChainCommand = defineCommand<{ port: number; blockTime?: string; db?: string }>({
  command: 'dev-chain',
  describe: 'run the embedded dev parentchain (//Alice…//Ferdie funded, sudo //Alice) until Ctrl-C',
  runsUntilStopped: true,
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 9944, describe: 'WebSocket port (0 = any free port)' })
      .option('block-time', { type: 'string', describe: "'instant' (default: a block per submission), 'manual', or an interval like 6s / 500ms" })
      .option('db', { type: 'string', describe: 'LevelDB directory to persist the chain in (default: in memory)' }),
  async run(ctx, { port, blockTime, db }) {
    const { startDevChain, chainLogger } = await import('@sealbridge/dev-chain');
    const chain = await startDevChain({ port, blockTime, db, logger: chainLogger(ctx.out.logger('dev-chain')) });
    ctx.defer(() => chain.stop());
    ctx.out.result({ human: [`dev chain listening on ${chain.url} (Ctrl-C to stop)`], quiet: [chain.url], json: { url: chain.url } });
    await untilAborted(ctx.signal);
    ctx.out.progress('stopping the dev chain');
    return undefined;
  },
});
