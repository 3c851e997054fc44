import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench package root (bench/), whatever the working directory. */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Writes `bench/results/<name>.json` and returns its path. */
export function writeResult(name: string, result: unknown): string {
  const file = path.join(BENCH_DIR, 'results', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  return file;
}

/** Peak resident set size (VmHWM) of a process, in MiB, from /proc. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them (in clock ticks).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
/**
 * The worker is two processes (the host and the enclave it spawned, whose pid its `enclave opened` record gives):
 * their CPU seconds together, undefined once either is gone.
 */
export function workerCpuSeconds(pids: { host: number; enclave: number }): number | undefined {
  const [host, enclave] = [cpuSeconds(pids.host), cpuSeconds(pids.enclave)];
  return host === undefined || enclave === undefined ? undefined : host + enclave;
}

/** Peak RSS of the worker's two processes in MiB, and their sum (an upper bound of their peak together). */
export function workerPeakRssMiB(pids: { host: number; enclave: number }): { total: number | undefined; host: number | undefined; enclave: number | undefined } {
  const [host, enclave] = [peakRssMiB(pids.host), peakRssMiB(pids.enclave)];
  return { total: host === undefined || enclave === undefined ? undefined : host + enclave, host, enclave };
}

/** USER_HZ: 100 on every Linux configuration Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * RSA-3072 private operations per second from `openssl speed` (per second of CPU time, as openssl reports;
 * with `processes` > 1 the total of `-multi` processes), the yardstick of the decryption benchmarks.
 */
export function opensslRsa3072(seconds: number, processes = 1): number {
  const multi = processes > 1 ? ['-multi', String(processes)] : [];
  const run = spawnSync('openssl', ['speed', '-seconds', String(seconds), ...multi, 'rsa3072'], { encoding: 'utf8' });
  // e.g. "rsa 3072 bits 0.002467s 0.000042s    405.4  24061.7" — columns sign, verify, sign/s, verify/s
  const match = /rsa\s+3072 bits\s+\S+\s+\S+\s+([\d.]+)\s+[\d.]+/.exec(run.stdout);
  if (!match) throw new Error(`cannot parse openssl speed output:\n${run.stdout}\n${run.stderr}`);
  return Number(match[1]);
}
