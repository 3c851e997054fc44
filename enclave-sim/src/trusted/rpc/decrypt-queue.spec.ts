import assert from 'node:assert/strict';

import type { RpcRefusal } from './backend.js';
import { DecryptQueue, type DecryptQueueLimits } from './decrypt-queue.js';

/** A backend whose decryptions finish only when the spec says so; records the order they started in. */
function gatedBackend() {
  const started: string[] = [];
  const pending: Array<{ resolve: (p: Uint8Array) => void; reject: (e: Error) => void }> = [];
  return {
    started,
    run: (cyphertext: Uint8Array): Promise<Uint8Array> => {
      started.push(new TextDecoder().decode(cyphertext));
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    /** Finishes the oldest running decryption (echoing nothing) and lets the queue move on. */
    async finishOne(error?: Error): Promise<void> {
      const next = pending.shift();
      assert.ok(next, 'nothing running');
      if (error) next.reject(error);
      else next.resolve(new Uint8Array(0));
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
    get running(): number {
      return pending.length;
    },
  };
}

const job = (name: string): Uint8Array => new TextEncoder().encode(name);

describe('rpc DecryptQueue (fair queue in front of the enclave)', () => {
  const limits: DecryptQueueLimits = { maxRunning: 1, maxPerConnection: 8, maxWaiting: 64 };

  it('serves connections round-robin: one pipelining many requests does not push the others back', async () => {
    const backend = gatedBackend();
    const queue = new DecryptQueue(limits, backend.run);
    const [a, b, c] = [queue.lane(), queue.lane(), queue.lane()];
    const all = [
      ...['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => a.decrypt(job(n))),
      ...['b1', 'b2'].map((n) => b.decrypt(job(n))),
      ...['c1', 'c2'].map((n) => c.decrypt(job(n))),
    ];
    while (backend.running > 0) await backend.finishOne();
    await Promise.all(all);
    // a1 started at once; a2 was queued before b and c arrived, then each connection gets one turn per round.
    assert.deepEqual(backend.started, ['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'c2', 'a4', 'a5', 'a6']);
    assert.equal(queue.waiting, 0);
  });

  it('refuses a connection over its limit and the server over its total at once, with coded errors', async () => {
    const backend = gatedBackend();
    const refusals: RpcRefusal[] = [];
    const queue = new DecryptQueue({ maxRunning: 1, maxPerConnection: 3, maxWaiting: 5 }, backend.run, (r) => refusals.push(r));
    const greedy = queue.lane();
    const accepted = ['g1', 'g2', 'g3'].map((n) => greedy.decrypt(job(n)));
    assert.throws(() => greedy.decrypt(job('g4')), { code: 'DECRYPT_QUEUE_FULL' });

    const others = [queue.lane(), queue.lane()];
    accepted.push(others[0]!.decrypt(job('o1')), others[0]!.decrypt(job('o2')), others[1]!.decrypt(job('o3')));
    assert.equal(queue.waiting, 5);
    assert.throws(() => others[1]!.decrypt(job('o4')), { code: 'SERVER_BUSY' });
    assert.deepEqual(refusals, ['decrypt_queue_full', 'server_busy']);

    // Capacity comes back as decryptions finish.
    await backend.finishOne();
    accepted.push(others[1]!.decrypt(job('o4')));
    while (backend.running > 0) await backend.finishOne();
    await Promise.all(accepted);
    const again = greedy.decrypt(job('g5'));
    await backend.finishOne();
    await again;
  });

  it('drops the waiting requests of a closed connection and frees their places; a running one finishes', async () => {
    const backend = gatedBackend();
    const queue = new DecryptQueue({ maxRunning: 1, maxPerConnection: 8, maxWaiting: 3 }, backend.run);
    const gone = queue.lane();
    const running = gone.decrypt(job('x1'));
    void gone.decrypt(job('x2'));
    void gone.decrypt(job('x3'));
    gone.close();
    assert.equal(queue.waiting, 0);
    const other = queue.lane();
    const next = other.decrypt(job('y1'));
    await backend.finishOne();
    await running;
    await backend.finishOne();
    await next;
    assert.deepEqual(backend.started, ['x1', 'y1']);
  });

  it('passes a failed decryption to its request and moves on', async () => {
    const backend = gatedBackend();
    const queue = new DecryptQueue(limits, backend.run);
    const lane = queue.lane();
    const failing = lane.decrypt(job('bad'));
    const good = lane.decrypt(job('good'));
    const refused = assert.rejects(failing, /DECRYPT_FAILED/);
    await backend.finishOne(new Error('DECRYPT_FAILED'));
    await refused;
    await backend.finishOne();
    await good;
    assert.equal(queue.running, 0);
  });
});
