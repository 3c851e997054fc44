import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defineCommand } from '../context.js';
import { startStack } from '../stack.js';
import { untilAborted } from '../signals.js';

export const upCommand = defineCommand<{ port: number; workerPort: number; runnerPort: number; metricsPort: number; blockTime?: string; dataDir?: string }>({
  command: 'up',
  describe: 'run the dev chain and a worker together with prefixed logs until Ctrl-C',
  runsUntilStopped: true,
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 9944, describe: 'dev chain WebSocket port' })
      .option('worker-port', { type: 'number', default: 2000, describe: 'worker trusted RPC port' })
      .option('runner-port', { type: 'number', default: 8080, describe: 'Smart Worker runner API port (its token: --runner-token)' })
      .option('metrics-port', { type: 'number', default: 8787, describe: 'worker console: status page on /, /health and Prometheus /metrics (0 = any free port)' })
      .option('block-time', { type: 'string', describe: "dev chain blocks: 'instant' (default) or an interval like 6s" })
      .option('data-dir', { type: 'string', describe: 'keep chain and worker data here (default: a temporary directory, removed on exit)' }),
  async run(ctx, args) {
    const dir = args.dataDir ? path.resolve(args.dataDir) : await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-up-'));
    const removeDir = async (): Promise<void> => {
      if (!args.dataDir) await fs.rm(dir, { recursive: true, force: true });
    };
    ctx.defer(removeDir);
    await fs.mkdir(dir, { recursive: true });
    const log = ctx.out.logger('up');
    const stopped = async (): Promise<undefined> => {
      await removeDir();
      log.info('stopped', { signal: String(ctx.signal.reason) });
      return undefined;
    };
    const stack = await startStack({
      dir,
      chainPort: args.port,
      workerRpcPort: args.workerPort,
      runnerPort: args.runnerPort,
      runnerToken: ctx.options.runnerToken || undefined,
      metricsPort: args.metricsPort,
      blockTime: args.blockTime,
      // Logs go to stderr so stdout carries only the result (the URLs); under --json as JSON lines.
      logger: (source) => ctx.out.logger(source),
      // Ctrl-C while starting (registration waits for finality) stops what has started.
      signal: ctx.signal,
    }).catch((error: unknown) => {
      if (ctx.signal.aborted) return undefined;
      throw error;
    });
    if (!stack) return stopped();
    ctx.defer(() => stack.stop());
    ctx.out.result({
      human: [
        `node:      ${stack.nodeUrl}`,
        `worker:    ${stack.workerUrl}`,
        `runner:    ${stack.runnerUrl}`,
        `console:   ${stack.consoleUrl}  (metrics: ${stack.consoleUrl}metrics, health: ${stack.consoleUrl}health)`,
        `MRENCLAVE: ${stack.mrenclave}`,
        'running — Ctrl-C to stop',
      ],
      quiet: [stack.nodeUrl, stack.workerUrl, stack.runnerUrl, stack.mrenclave, stack.consoleUrl!],
      json: { nodeUrl: stack.nodeUrl, workerUrl: stack.workerUrl, runnerUrl: stack.runnerUrl, mrenclave: stack.mrenclave, consoleUrl: stack.consoleUrl, dataDir: dir },
    });
    await untilAborted(ctx.signal);
    log.info('shutting down worker and dev chain', { signal: String(ctx.signal.reason) });
    await stack.stop();
    return stopped();
  },
});
