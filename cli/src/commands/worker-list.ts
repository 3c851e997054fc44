import { defineCommand } from '../context.js';
import { runnerClient } from '../runner-client.js';

export const workerListCommand = defineCommand<Record<string, never>>({
  command: 'list',
  describe: 'Smart Workers deployed on the runner (id, status, name, shard, identity)',
  async run(ctx) {
    const workers = await runnerClient(ctx).list();
    return {
      human: workers.length
        ? workers.map((w) => `${w.id}  ${w.status.padEnd(8)} ${w.name}  shard ${w.shard ?? '-'}  identity ${w.identity}${w.schedule ? `  schedule ${w.schedule}` : ''}`)
        : ['no Smart Workers deployed'],
      quiet: workers.map((w) => w.id),
      json: { workers },
    };
  },
});
