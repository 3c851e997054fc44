// Smart Worker sources used by the specs; bundled with esbuild at test time.

/**
 * Written against @escrin/worker's interface (via the sdk's escrinWorker-compatible `smartWorker`), following the
 * compatibility script of docs/smart-workers.md §7, plus an `invoke` handler for chain invocations.
 */
export const ESCRIN_STYLE_WORKER = `
import { smartWorker, readInvocation } from '@sealbridge/smart-worker-sdk';

const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
let runs = 0; // module state persists between runs of one isolate

export default smartWorker({
  async tasks(rnr) {
    runs++;
    const config = await rnr.getConfig();
    const again = await rnr.getConfig();
    const key = await rnr.getOmniKey(config.store);
    const derive = () => crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-512', salt: new Uint8Array(0), info: new TextEncoder().encode(config.label) }, key, 256);
    const derived = hex(await derive());
    const deterministic = derived === hex(await derive());
    let exportRejected = false;
    try { await crypto.subtle.exportKey('raw', key); } catch { exportRejected = true; }
    let bogus;
    try { await rnr.getOmniKey('bogus-store'); } catch (e) { bogus = { statusCode: e.statusCode, message: e.message }; }
    const before = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waited = Date.now() - before;
    let denied;
    try { const r = await fetch(config.deniedUrl); denied = { status: r.status, text: await r.text() }; }
    catch (e) { denied = { threw: String(e) }; }
    const res = await fetch(config.reportUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        nonce: config.nonce, sameConfig: again === config, derived, deterministic,
        key: { type: key.type, algorithm: key.algorithm.name, extractable: key.extractable, usages: [...key.usages].sort() },
        exportRejected, bogus, waited, denied, runs, env: config.env ?? null,
      }),
    });
    if (!res.ok) throw new Error('report failed: ' + res.status);
  },

  async invoke(request) {
    const inv = readInvocation(request);
    const text = new TextDecoder().decode(await request.arrayBuffer());
    if (text === 'loop') for (;;) {}
    if (text === 'throw') throw new Error('invoke boom');
    console.log('invoked with', text);
    return JSON.stringify({
      echo: text, block: inv.blockNumber.toString(), blockHash: hex(inv.blockHash), timestamp: inv.timestamp,
      sender: hex(inv.sender), seed: hex(inv.seed),
    });
  },
});
`;

/** A raw module worker (no sdk) with a named `invoke` export that probes its sandbox and the escrin binding. */
export const PROBE_WORKER = `
import { connect } from 'cloudflare:sockets';

async function rpc(env, body, contentType = 'application/json') {
  const res = await env.escrin.fetch('http://escrin', { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.json() };
}

export async function invoke(request, env) {
  const out = {};
  out.process = typeof process === 'undefined' ? 'undefined' : JSON.stringify(process.env ?? null);
  try { out.file = await (await fetch('file:///etc/passwd')).text(); } catch (e) { out.file = 'threw: ' + e.message; }
  try { const r = await fetch(env.config.deniedUrl); out.loopback = r.status; }
  catch (e) { out.loopback = 'threw: ' + e.message; }
  try {
    const socket = connect({ hostname: '127.0.0.1', port: env.config.socketPort });
    await socket.opened;
    out.socket = 'open';
  } catch (e) { out.socket = 'threw: ' + e.message; }
  out.bindings = Object.keys(env).sort();
  out.key = await rpc(env, JSON.stringify({ method: 'get-key', params: { keyStore: 'sapphire-testnet', keyId: 'omni', proof: '' } }));
  // Asking for another identity's key is not expressible: extra params are ignored, the caller's own key comes back.
  out.otherKey = await rpc(env, JSON.stringify({ method: 'get-key', params: { keyStore: 'sapphire-testnet', keyId: 'omni', proof: '', identity: '0x00' } }));
  out.unknownMethod = await rpc(env, JSON.stringify({ method: 'get-account', params: {} }));
  out.unknownStore = await rpc(env, JSON.stringify({ method: 'get-key', params: { keyStore: 'bogus', keyId: 'omni' } }));
  out.unknownKeyId = await rpc(env, JSON.stringify({ method: 'get-key', params: { keyStore: 'sapphire-mainnet', keyId: 'other' } }));
  out.badContentType = await rpc(env, '{}', 'text/plain');
  out.badJson = await rpc(env, '{');
  out.noMethod = await rpc(env, JSON.stringify({ params: {} }));
  out.noParams = await rpc(env, JSON.stringify({ method: 'get-key' }));
  return Response.json(out);
}

export default { async fetch() { return new Response('plain fetch'); } };
`;

/** A classic (service-worker) script: bindings are globals. */
export const CLASSIC_WORKER = `
addEventListener('fetch', (event) => event.respondWith((async () => {
  const body = await event.request.text();
  return new Response(JSON.stringify({ classic: true, body, label: config.label }));
})()));
addEventListener('scheduled', (event) => event.waitUntil(
  fetch(config.reportUrl, { method: 'POST', body: JSON.stringify({ classic: true, cron: event.cron }) })));
`;
