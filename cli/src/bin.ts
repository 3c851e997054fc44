#!/usr/bin/env node
import { main } from './main.js';

// @polkadot/api logs RPC failures itself with console.error/warn; the CLI reports each failure once as `error: …`,
// so library console output is only shown under --verbose. The CLI's own output never goes through console.
if (!process.argv.includes('--verbose')) {
  console.error = () => {};
  console.warn = () => {};
}

const controller = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: let the running command shut down cleanly; second: give up at once.
    if (interrupted++ > 0) process.exit(130);
    controller.abort();
  });
}

const code = await main(process.argv.slice(2), { signal: controller.signal });
// Connections (WebSocket keep-alives, timers of @polkadot/api) must not keep a finished command alive.
process.exit(code);
