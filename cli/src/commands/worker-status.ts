import { defineCommand } from '../context.js';
import type { SmartWorkerInfo } from '../runner-client.js';
import { runnerClient } from '../runner-client.js';

const time = (ms: number): string => new Date(ms).toISOString();

/** Human lines of one Smart Worker (status and deploy). */
export function describeSmartWorker(w: SmartWorkerInfo): string[] {
  const lines = [
    `id:        ${w.id}`,
    `name:      ${w.name}`,
    `identity:  ${w.identity}`,
    `type:      ${w.type}`,
    `shard:     ${w.shard ?? '(none — not callable with trusted call-worker)'}`,
    `status:    ${w.status}`,
    `created:   ${time(w.createdAt)}`,
  ];
  if (w.schedule) lines.push(`schedule:  ${w.schedule}${w.nextRun === undefined ? '' : ` (next run ${time(w.nextRun)})`}`);
  if (w.lastRun) lines.push(`last run:  ${time(w.lastRun.at)} (${w.lastRun.trigger}) ${w.lastRun.ok ? 'ok' : `failed: ${w.lastRun.error ?? 'unknown error'}`}`);
  if (w.lastError) lines.push(`last error: ${time(w.lastError.at)} ${w.lastError.message}`);
  return lines;
}

export const workerStatusCommand = defineCommand<{ id: string }>({
  command: 'status <id>',
  describe: 'one Smart Worker: identity, status, schedule, last run, last error, next run',
  builder: (y) => y.positional('id', { type: 'string', describe: 'Smart Worker id (as printed by deploy / list)', demandOption: true }),
  async run(ctx, args) {
    const info = await runnerClient(ctx).get(args.id);
    return { human: describeSmartWorker(info), quiet: [info.status], json: { ...info } };
  },
});
