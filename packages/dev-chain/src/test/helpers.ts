import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord, DispatchError } from '@polkadot/types/interfaces';

import type { DevChain, DevChainOptions } from '../start.js';

import { startDevChain } from '../start.js';

export interface Harness {
  dev: DevChain;
  api: ApiPromise;
  close(): Promise<void>;
}

/** Chain on an ephemeral port plus an unmodified ApiPromise connected over ws. */
export async function harness(options: DevChainOptions = {}): Promise<Harness> {
  const dev = await startDevChain({ port: 0, ...options });
  const api = await ApiPromise.create({ provider: new WsProvider(dev.url), noInitWarn: true, throwOnConnect: true });
  return {
    dev,
    api,
    close: async () => {
      await api.disconnect();
      await dev.stop();
    },
  };
}

export interface Outcome {
  blockHash: string;
  events: EventRecord[];
  statuses: string[];
  dispatchError?: DispatchError;
}

/** signAndSend and resolve at InBlock or Finalized with the events of that extrinsic. */
export function send(
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  waitFor: 'InBlock' | 'Finalized' = 'InBlock',
  nonce?: number,
): Promise<Outcome> {
  const statuses: string[] = [];
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    tx.signAndSend(signer, nonce === undefined ? {} : { nonce }, (r) => {
      statuses.push(r.status.type);
      if (r.status.isInvalid || r.status.isDropped) {
        unsub?.();
        reject(new Error(`extrinsic ${r.status.type}`));
      }
      if ((waitFor === 'InBlock' && r.status.isInBlock) || (waitFor === 'Finalized' && r.status.isFinalized)) {
        unsub?.();
        const blockHash = (r.status.isInBlock ? r.status.asInBlock : r.status.asFinalized).toHex();
        resolve({ blockHash, events: r.events, statuses, dispatchError: r.dispatchError });
      }
    })
      .then((u) => (unsub = u))
      .catch(reject);
  });
}

export function eventNames(events: EventRecord[]): string[] {
  return events.map(({ event }) => `${event.section}.${event.method}`);
}
