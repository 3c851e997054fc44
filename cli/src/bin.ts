#!/usr/bin/env node
import { muteLibraryConsole } from './console.js';
import { main } from './main.js';

muteLibraryConsole(process.argv);

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
