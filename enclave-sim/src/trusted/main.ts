import { Socket } from 'node:net';

import { Channel, ocallClient, serveEcalls } from '@sealbridge/enclave-api';

import { devMrsigner } from './vendor.js';
import type { Measurement } from '../loader/measurement.js';
import { runThreadEntry } from './threads.js';

/** The channel to the host: fd 3 of this process, a socket pair the host created when it spawned us. */
const CHANNEL_FD = 3;

/**
 * Entry point of the enclave process, called by the loader once it measured every file: serves the ECALLs on the
 * host channel until the host closes it (or dies), then exits. Nothing else of this process is reachable. The
 * enclave's threads start here too and go to their role instead.
 */
export async function start(measurement: Measurement): Promise<void> {
  if (await runThreadEntry()) return;
  // Loaded here, not at the top: the enclave's threads start from this bundle too, and must not each evaluate the
  // whole runtime (the STF, polkadot-js, miniflare) they never use.
  const { enclaveRuntime } = await import('./runtime/enclave-runtime.js');
  const socket = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
  let protocolErrors = 0;
  const channel: Channel = new Channel(socket, {
    side: 'enclave',
    // A frame that could not be answered: said in the host's log, the first ten and then every thousandth.
    onProtocolError: (error) => {
      if (++protocolErrors <= 10 || protocolErrors % 1000 === 0) {
        ocalls.log({ level: 'warn', component: 'enclave.channel', msg: 'boundary message refused', fields: JSON.stringify({ code: error.code, error: error.message, count: protocolErrors }) });
      }
    },
  });
  const ocalls = ocallClient(channel);
  const runtime = enclaveRuntime({ mrenclave: measurement.mrenclave, mrsigner: devMrsigner() }, ocalls);
  serveEcalls(channel, runtime);
  await channel.closed;
  // The host is gone: nothing may outlive it.
  await runtime.close().catch(() => undefined);
  process.exit(0);
}
