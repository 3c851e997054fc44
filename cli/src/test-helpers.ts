// Fixtures for specs that run the real binary: a dev chain, or dev chain + worker, in a temporary directory,
// torn down by the returned `stop()`. Trusted/E2E specs use `useStack()` and pass `stack.env` to `runCliJson`.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Stack } from './stack.js';
import { startStack } from './stack.js';

export interface ChainFixture {
  readonly url: string;
  readonly dir: string;
  /** SEALBRIDGE_* variables pointing the CLI at this chain and at keystores in `dir`. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

function cliEnv(dir: string, nodeUrl: string, stack?: { workerUrl: string; runnerUrl: string; runnerToken?: string }): Record<string, string> {
  return {
    SEALBRIDGE_NODE_URL: nodeUrl,
    ...(stack ? { SEALBRIDGE_WORKER_URL: stack.workerUrl, SEALBRIDGE_RUNNER_URL: stack.runnerUrl } : {}),
    ...(stack?.runnerToken ? { SEALBRIDGE_RUNNER_TOKEN: stack.runnerToken } : {}),
    SEALBRIDGE_KEYSTORE: path.join(dir, 'my_keystore'),
    SEALBRIDGE_TRUSTED_KEYSTORE: path.join(dir, 'my_trusted_keystore'),
    SEALBRIDGE_CONNECT_TIMEOUT: '5',
  };
}

/** An embedded dev chain on 127.0.0.1, port 0 (in memory). */
export async function useDevChain(blockTime: string | number = 'instant'): Promise<ChainFixture> {
  const { startDevChain } = await import('@sealbridge/dev-chain');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-cli-spec-'));
  const chain = await startDevChain({ port: 0, host: '127.0.0.1', blockTime });
  return {
    url: chain.url,
    dir,
    env: cliEnv(dir, chain.url),
    stop: async () => {
      await chain.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Dev chain + worker (see startStack); `env` also carries SEALBRIDGE_WORKER_URL, SEALBRIDGE_RUNNER_URL and, when
 * the runner requires `runnerToken`, SEALBRIDGE_RUNNER_TOKEN.
 */
export async function useStack(options: { runnerToken?: string } = {}): Promise<Stack & { dir: string; env: Record<string, string> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-cli-stack-'));
  let stack: Stack;
  try {
    stack = await startStack({ dir, runnerToken: options.runnerToken });
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...stack,
    dir,
    env: cliEnv(dir, stack.nodeUrl, { ...stack, runnerToken: options.runnerToken }),
    stop: async () => {
      await stack.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port with nothing listening on it. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Asserts the CLI failed the way users see it: exit 1, exactly one `error: …` line, no stack trace. */
export function assertOneLineError(run: { code: number | null; stderr: string }, message: RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
}
