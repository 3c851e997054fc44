import { defineCommand } from '../context.js';
import { runnerClient } from '../runner-client.js';

export const workerRemoveCommand = defineCommand<{ id: string }>({
  command: 'remove <id>',
  describe: 'stop a Smart Worker\'s schedule, kill its isolate and delete it',
  builder: (y) => y.positional('id', { type: 'string', describe: 'Smart Worker id', demandOption: true }),
  async run(ctx, args) {
    await runnerClient(ctx).remove(args.id);
    return { human: [`removed Smart Worker ${args.id}`], quiet: [args.id], json: { id: args.id, removed: true } };
  },
});
