// Worker threads of the enclave. Unbundled (tsc output, unit specs), a thread runs its own module file. Bundled, the
// enclave is one measured file: a thread starts the bootstrap beside the bundle, which re-checks and loads that same
// bundle and calls its start(), and start() hands the thread to its role here (runThreadEntry) before anything else.
import { isMainThread, workerData } from 'node:worker_threads';

/**
 * Set by the enclave bundler (esbuild `define`) to the bootstrap's path relative to the bundle; not declared in the
 * unbundled build.
 */
declare const SEALBRIDGE_THREAD_ENTRY: string | undefined;

export const ENCLAVE_THREAD_ROLES = ['decrypt', 'verify'] as const;
export type EnclaveThreadRole = (typeof ENCLAVE_THREAD_ROLES)[number];

/** `workerData` of an enclave thread. */
export interface EnclaveThreadData {
  sealbridgeThread: EnclaveThreadRole;
}

/** The file a thread is started from: `unbundledUrl` (the role's own module) unless running bundled. */
export function enclaveThreadUrl(unbundledUrl: URL): URL {
  return typeof SEALBRIDGE_THREAD_ENTRY === 'string' ? new URL(SEALBRIDGE_THREAD_ENTRY, import.meta.url) : unbundledUrl;
}

/** The workerData telling a bundled thread its role (harmless unbundled, where the file is the role). */
export function enclaveThreadData(role: EnclaveThreadRole): EnclaveThreadData {
  return { sealbridgeThread: role };
}

/**
 * In a bundled enclave thread: runs the thread's role and returns true (the thread then lives on its message port).
 * In the main thread, or a thread that is not the enclave's: returns false.
 */
export async function runThreadEntry(): Promise<boolean> {
  if (isMainThread) return false;
  const role = (workerData as Partial<EnclaveThreadData> | null | undefined)?.sealbridgeThread;
  switch (role) {
    case 'decrypt':
      await import('./decrypt-worker.js');
      return true;
    case 'verify':
      await import('./verify-worker.js');
      return true;
    default:
      return false;
  }
}
