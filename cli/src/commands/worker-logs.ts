import { defineCommand } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { runnerClient } from '../runner-client.js';

export const workerLogsCommand = defineCommand<{ id: string; limit?: number }>({
  command: 'logs <id>',
  describe: 'the last console lines of a Smart Worker (the runner keeps up to 500)',
  builder: (y) =>
    y
      .positional('id', { type: 'string', describe: 'Smart Worker id', demandOption: true })
      .option('limit', { type: 'number', describe: 'number of lines, 1–500 [default: 100]' }),
  async run(ctx, args) {
    if (args.limit !== undefined && !Number.isInteger(args.limit)) {
      throw new CliError(CliErrorCode.BAD_INPUT, `--limit must be an integer, got ${args.limit}`);
    }
    const lines = await runnerClient(ctx).logs(args.id, args.limit);
    return {
      human: lines.map((l) => `${new Date(l.timestamp).toISOString()} ${l.level.padEnd(5)} ${l.message}`),
      json: { id: args.id, lines },
    };
  },
});
