import { defineCommand } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { untilAborted } from '../signals.js';

export const devChainCommand = defineCommand<{ port: number; blockTime?: number; db?: string }>({
  command: 'dev-chain',
  describe: 'run the embedded dev parentchain (//Alice…//Ferdie funded) until Ctrl-C',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 9944, describe: 'WebSocket port (0 = any free port)' })
      .option('block-time', { type: 'number', describe: 'milliseconds between empty blocks (default: instant seal only)' })
      .option('db', { type: 'string', describe: 'directory to persist the chain in (default: in memory)' }),
  async run(ctx, { port, blockTime, db }) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(CliErrorCode.BAD_INPUT, `--port must be a port number, got ${port}`);
    const { startDevChain } = await import('@sealbridge/dev-chain');
    const chain = await startDevChain({ port, blockTime, db });
    ctx.defer(() => chain.stop());
    ctx.out.result({ human: [`dev chain listening on ${chain.url} (Ctrl-C to stop)`], quiet: [chain.url], json: { url: chain.url } });
    await untilAborted(ctx.signal);
    ctx.out.progress('stopping the dev chain');
    return undefined;
  },
});
