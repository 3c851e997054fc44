import type { ApiPromise } from '@polkadot/api';
import type { EventRecord, Header } from '@polkadot/types/interfaces';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode } from '../errors.js';
import { rejectOnDisconnect } from '../parentchain.js';

export interface ListenedEvent {
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly section: string;
  readonly method: string;
  readonly data: unknown;
}

function describeEvent({ event }: EventRecord, blockNumber: number, blockHash: string): ListenedEvent {
  return { blockNumber, blockHash, section: event.section, method: event.method, data: event.data.toHuman() };
}

export const listenCommand = defineCommand<{ events?: number; blocks?: number }>({
  command: 'listen',
  describe: 'print the events of new parentchain blocks until interrupted (or a count is reached)',
  runsUntilStopped: true,
  builder: (y) =>
    y
      .option('events', { type: 'number', describe: 'stop after this many events' })
      .option('blocks', { type: 'number', describe: 'stop after this many blocks' })
      .conflicts('events', 'blocks'),
  async run(ctx, { events: maxEvents, blocks: maxBlocks }) {
    for (const [name, n] of [['events', maxEvents], ['blocks', maxBlocks]] as const) {
      if (n !== undefined && (!Number.isInteger(n) || n <= 0)) throw new CliError(CliErrorCode.BAD_INPUT, `--${name} must be a positive integer`);
    }
    const api: ApiPromise = await ctx.parentchain();
    const seen: ListenedEvent[] = [];
    let blocks = 0;
    ctx.out.progress(`listening to ${ctx.options.nodeUrl}${maxBlocks ? ` for ${maxBlocks} blocks` : maxEvents ? ` for ${maxEvents} events` : ' (Ctrl-C to stop)'}`);
    await new Promise<void>((resolve, reject) => {
      let chain = Promise.resolve();
      const onHead = async (header: Header): Promise<void> => {
        if (ctx.signal.aborted) return;
        const hash = header.hash.toHex();
        const number = header.number.toNumber();
        const records = await (await api.at(hash)).query.system.events();
        ctx.out.line(`block #${number} ${hash}: ${records.length} event(s)`);
        for (const record of records) {
          const event = describeEvent(record, number, hash);
          seen.push(event);
          ctx.out.line(`  ${event.section}.${event.method} ${JSON.stringify(event.data)}`);
          if (maxEvents && seen.length >= maxEvents) return resolve();
        }
        blocks++;
        if (maxBlocks && blocks >= maxBlocks) resolve();
      };
      // Heads are handled one after another so the output stays in block order.
      api.rpc.chain
        .subscribeNewHeads((header) => {
          chain = chain.then(() => onHead(header)).catch(reject);
        })
        .then((unsubscribe) => ctx.defer(unsubscribe))
        .catch(reject);
      ctx.defer(rejectOnDisconnect(api, reject));
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const listened = maxEvents ? seen.slice(0, maxEvents) : seen;
    return { human: [], json: { blocks, events: listened } };
  },
});
