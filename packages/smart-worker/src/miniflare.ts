/**
 * miniflare, loaded on first use. It is large (its own undici, workerd glue), and the process that hosts this
 * runtime — the enclave — starts threads from the same bundle that must not each load it.
 */
let loaded: Promise<typeof import('miniflare')> | undefined;

export function miniflare(): Promise<typeof import('miniflare')> {
  loaded ??= import('miniflare');
  return loaded;
}
