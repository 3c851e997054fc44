/**
 * @polkadot/api logs RPC failures itself through console.error/warn (also inside an embedded worker). The CLI
 * reports each failure once as `error: …`, so library console output is dropped unless --verbose is given.
 * The CLI's own output never goes through console.
 */
export function muteLibraryConsole(argv: readonly string[]): void {
  if (argv.includes('--verbose')) return;
  console.error = () => {};
  console.warn = () => {};
}
