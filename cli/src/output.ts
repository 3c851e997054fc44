import { createLogger, logRecord, formatJson, type Logger } from '@sealbridge/chain-types/log';
import { CliError, messageOf } from './errors.js';

export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface OutputMode {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** Result of a command: the human lines, the bare lines for --quiet, and the single JSON object for --json. */
export interface CommandResult {
  readonly human: readonly string[];
  /** Bare values for scripts (default: the human lines). */
  readonly quiet?: readonly string[];
  readonly json: Record<string, unknown>;
}

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_INTERVAL_MS = 100;

/** JSON.stringify that writes bigints and byte arrays as strings, so big numbers stay exact. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
    return v;
  });
}

/** All terminal output of the CLI goes through here: results on stdout, progress and errors on stderr. */
export class Output {
  readonly mode: OutputMode;
  readonly #streams: OutputStreams;
  /** Stops of the running spinners: an error ends them, also one raised while their wait is abandoned (Ctrl-C). */
  readonly #spinners = new Set<() => void>();

  constructor(mode: OutputMode, streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr }) {
    this.mode = mode;
    this.#streams = streams;
  }

  /** Prints a streamed line in human mode (e.g. one listened event); silent under --json. */
  line(text: string): void {
    if (!this.mode.json) this.#streams.stdout.write(`${text}\n`);
  }

  result(result: CommandResult): void {
    if (this.mode.json) {
      this.#streams.stdout.write(`${toJson(result.json)}\n`);
      return;
    }
    const lines = this.mode.quiet ? (result.quiet ?? result.human) : result.human;
    for (const line of lines) this.#streams.stdout.write(`${line}\n`);
  }

  /** Progress message on stderr, suppressed by --quiet and --json. */
  progress(text: string): void {
    if (!this.mode.quiet && !this.mode.json) this.#streams.stderr.write(`${text}\n`);
  }

  /**
   * A logger for an embedded service (`up`, `dev-chain`) writing the shared log schema on stderr: JSON lines under
   * --json, readable lines otherwise; debug entries under --verbose; nothing under --quiet.
   */
  logger(component: string): Logger {
    return createLogger({
      component,
      format: this.mode.json ? 'json' : 'pretty',
      level: this.mode.verbose ? 'debug' : 'info',
      write: (line) => {
        if (!this.mode.quiet) this.#streams.stderr.write(`${line}\n`);
      },
    });
  }

  /** The CLI's own diagnostics under --verbose: `debug: …`, or a log line of component `cli` under --json. */
  debug(text: string): void {
    if (!this.mode.verbose) return;
    this.#streams.stderr.write(this.mode.json ? `${formatJson(logRecord('debug', 'cli', text))}\n` : `debug: ${text}\n`);
  }

  /** A spinner on stderr when it is a TTY and output is neither quiet nor JSON; otherwise a no-op. */
  spinner(initial: string): Spinner {
    const { stderr } = this.#streams;
    if (!stderr.isTTY || this.mode.quiet || this.mode.json) return { update: () => {}, stop: () => {} };
    let text = initial;
    let frame = 0;
    const draw = (): void => {
      stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
    };
    draw();
    const timer = setInterval(draw, SPIN_INTERVAL_MS);
    const stop = (): void => {
      if (!this.#spinners.delete(stop)) return;
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    };
    this.#spinners.add(stop);
    return {
      update: (next) => {
        text = next;
      },
      stop,
    };
  }

  /** One line `error: …` on stderr (plus the stack under --verbose); in JSON mode also `{"error":…}` on stdout. */
  error(error: unknown): void {
    for (const stop of [...this.#spinners]) stop();
    const code = error instanceof CliError ? error.code : ((error as { code?: unknown })?.code ?? 'ERR_INTERNAL');
    const message = messageOf(error).split('\n')[0];
    this.#streams.stderr.write(`error: ${message}\n`);
    if (this.mode.verbose && error instanceof Error && error.stack) this.#streams.stderr.write(`${error.stack}\n`);
    if (this.mode.json) this.#streams.stdout.write(`${toJson({ error: { code: String(code), message } })}\n`);
  }
}
