import assert from 'node:assert/strict';
import type { WorkerClient, WorkerSyncStatus } from '@sealbridge/client';
import { CliError, CliErrorCode } from './errors.js';
import { StallWatch, type ImportStall } from './worker-sync.js';

/** A worker whose `syncStatus` answers are scripted (the last one repeats). */
function scripted(answers: (WorkerSyncStatus | Error)[]): { worker: WorkerClient; calls: () => number } {
  let calls = 0;
  const worker = {
    async syncStatus() {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as WorkerClient;
  return { worker, calls: () => calls };
}

const stalledAt = (block: number, since = 1_800_000_000): WorkerSyncStatus => ({
  imported: block - 1, finalized: block + 3, lag: 4, stalled: { since, block, reason: `parentchain block #${block} 0x… does not decode: …` },
});
const fine: WorkerSyncStatus = { imported: 9, finalized: 9, lag: 0, stalled: null };
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StallWatch', () => {
  it('fails a wait with ERR_WORKER_STALLED once the stall before its block outlasts the patience', async () => {
    const seen: ImportStall[] = [];
    const watch = new StallWatch(scripted([stalledAt(7)]).worker, 8, { pollMs: 5, patienceMs: 40, onStall: (s) => seen.push(s) });
    const error = await watch.failed.catch((e: unknown) => e);
    assert.ok(error instanceof CliError);
    assert.equal(error.code, CliErrorCode.WORKER_STALLED);
    assert.match(error.message, /^the worker is stalled at block #7 since 2027-01-15T08:00:00\.000Z: parentchain block #7 .* does not decode: … — block #8 is processed once the import resumes$/);
    assert.equal(seen.length, 1, 'the stall is announced once');
  });

  it('ignores stalls after its block, a stall that clears, and a worker without the method', async () => {
    const later = new StallWatch(scripted([stalledAt(9)]).worker, 8, { pollMs: 5, patienceMs: 20 });
    const clears = new StallWatch(scripted([stalledAt(7), stalledAt(7), fine, stalledAt(7, 1_800_000_100)]).worker, 8, { pollMs: 10, patienceMs: 25 });
    const notFound = Object.assign(new Error('sealbridge_syncStatus: JSON-RPC error -32601: Method not found'), { rpcCode: -32601 });
    const old = scripted([notFound]);
    const oldWatch = new StallWatch(old.worker, 8, { pollMs: 5 });
    let failed = false;
    void Promise.race([later.failed, clears.failed, oldWatch.failed]).catch(() => (failed = true));
    await tick(45);
    assert.equal(failed, false);
    assert.equal(later.stall, undefined);
    assert.equal(clears.stall?.since, 1_800_000_100, 'a new stall starts the patience over');
    assert.equal(old.calls(), 1, 'no more polls after -32601');
    for (const w of [later, clears, oldWatch]) w.stop();
  });

  it('keeps polling through transport errors; without a block any stall counts', async () => {
    const watch = new StallWatch(scripted([new Error('WORKER_TIMEOUT'), stalledAt(50)]).worker, undefined, { pollMs: 5, patienceMs: 20 });
    const error = await watch.failed.catch((e: unknown) => e as CliError);
    assert.match(error.message, /stalled at block #50 .* — the call is processed once the import resumes$/);
  });
});
