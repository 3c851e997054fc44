#!/usr/bin/env node
import { muteLibraryConsole } from './console.js';
import { STOP_SIGNALS, type StopSignal } from './stop-signals.js';

// Listening before the command's modules load (about a second): an early Ctrl-C also ends in a clean one-line stop.
const controller = new AbortController();
for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
  process.on(sig, () => {
    // First signal: the command stops (a wait is abandoned at once, a service shuts down cleanly); second: exit now.
    if (controller.signal.aborted) process.exit(STOP_SIGNALS[sig]);
    controller.abort(sig);
  });
}
muteLibraryConsole(process.argv);

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2), { signal: controller.signal });
// Connections (WebSocket keep-alives, timers of @polkadot/api) must not keep a finished command alive.
process.exit(code);
