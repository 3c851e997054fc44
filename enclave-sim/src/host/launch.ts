import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Duplex } from 'node:stream';

import { Channel, ecallClient, serveOcalls, type EnclaveEcalls, type OcallHandlers } from '@sealbridge/enclave-api';

import { ENCLAVE_DIR } from './measurement.js';

/** What the bootstrap prints on stderr before it exits 78: a log line in the shared schema with a `code`. */
const LOADER_REFUSED_EXIT_CODE = 78;

export interface SpawnEnclaveOptions {
  /** The bundled enclave (bootstrap.mjs, enclave.mjs, manifest.json); default dist/enclave of this package. */
  enclaveDir?: string;
  /** Refuse to run unless the loader measures exactly this MRENCLAVE (`--mrenclave`). */
  expectMrenclave?: Uint8Array;
  /** The host's side of every OCALL. */
  ocalls: OcallHandlers;
  /** Lines the enclave process writes on stderr (the loader's refusals, a crash's stack): for the host's log. */
  onStderr?: (line: string) => void;
  /** Test hook: every frame that crosses the boundary, in both directions. */
  record?: (direction: 'in' | 'out', frame: Uint8Array) => void;
  /** A frame from the enclave that could not be used (the enclave's fault, or a bug): for the host's log. */
  onProtocolError?: (error: Error & { code: string }) => void;
}

export interface EnclaveProcess {
  readonly pid: number;
  readonly ecalls: EnclaveEcalls;
  /** Resolves when the process is gone, with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; refusal?: string }>;
  /** Asks the enclave to shut down (ECALL shutdown), then closes the channel; kills it if it does not exit in time. */
  close(timeoutMs?: number): Promise<void>;
  /** Ends the process at once (SIGKILL): its memory is lost, its sealed data is what the host committed. */
  kill(): void;
}

/**
 * The environment the enclave process starts with: the host's, without what makes Node load code the loader did not
 * measure (NODE_OPTIONS preloads, loaders, policies). A hostile host can still run another node binary — its
 * MRENCLAVE then tells on it only if the verifier pins one.
 */
function enclaveEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^NODE_(OPTIONS|PATH|REPL_EXTERNAL_MODULE)$/.test(name)));
}

/**
 * Spawns the enclave as its own OS process from the measured bundle. The only way in is the channel on its fd 3
 * (a socket pair): the host holds one end and speaks the ECALL list through it; the process has no other input.
 */
export function spawnEnclave(options: SpawnEnclaveOptions): EnclaveProcess {
  const dir = options.enclaveDir ?? ENCLAVE_DIR;
  // Diagnostics of the simulator (a profile of the enclave's CPU): the host chooses how node runs anyway.
  const nodeArgs = process.env.SEALBRIDGE_ENCLAVE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, path.join(dir, 'bootstrap.mjs')];
  if (options.expectMrenclave) args.push('--expect-mrenclave', Buffer.from(options.expectMrenclave).toString('hex'));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: enclaveEnvironment(process.env) });
  const stream = child.stdio[3] as Duplex;
  const channel = new Channel(stream, { side: 'host', record: options.record, onProtocolError: options.onProtocolError });
  serveOcalls(channel, options.ocalls);
  let refusal: string | undefined;
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.includes('"component":"enclave.loader"')) refusal = line;
    options.onStderr?.(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; refusal?: string }>((resolve) => {
    child.once('exit', (code, signal) => {
      channel.close();
      resolve({ code, signal, ...(code === LOADER_REFUSED_EXIT_CODE && refusal && { refusal }) });
    });
  });
  const ecalls = ecallClient(channel);
  return {
    pid: child.pid!,
    ecalls,
    exited,
    kill() {
      child.kill('SIGKILL');
    },
    async close(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await ecalls.shutdown(undefined).catch(() => undefined);
      channel.close();
      await exited;
      clearTimeout(timer);
    },
  };
}
