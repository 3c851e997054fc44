/**
 * A scanner for planted secrets, used by the hostile-host spec: a spec plants recognisable markers in the enclave
 * (keys, seeds, plaintexts), drives the bridge, and then asserts that none of them shows up where the untrusted host can
 * read it — the worker process's memory (`/proc/<pid>/mem`), its files (LevelDB, sealed data, logs) and its output.
 *
 * A secret is looked for in every form a Node process is likely to hold or write it in ({@link encodingsOf}), each
 * with `Buffer.indexOf` over chunks of the input, so hundreds of MB scan in seconds.
 *
 * Limits (a miss here is a false "no leak", so they are written down):
 *  - base64 wrapped into lines (PEM: every 64 characters) is found only if the secret's characters fall on one line;
 *  - LevelDB `.ldb` tables are Snappy-compressed: a value that repeats data earlier in its block may be stored as a
 *    back-reference, and a `.log` record is cut by a 7-byte header at every 32 KiB block border;
 *  - a process's memory is read while it runs: an object the garbage collector moves from a region not yet read into
 *    one already read is missed (scan an idle process, or stop it with SIGSTOP around the scan);
 *  - only contiguous copies are found: a secret split across a V8 cons-string, or XOR-ed/encrypted, is not.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A value that must not leak. `minLength` (bytes, default 8): encodings shorter than that are not searched (false hits). */
export type Secret = { name: string; bytes: Uint8Array; minLength?: number };

/** One form a secret may take, e.g. `{ encoding: 'hex', pattern: <ASCII of its lowercase hex> }`. */
export type Encoding = { encoding: string; pattern: Buffer };

/** Where a secret was found: `offset` is a byte offset into the buffer/file/text, or a virtual address for a process. */
export type Hit = { secret: string; encoding: string; offset: number; where?: string };

export type ScanOptions = {
  /** Bytes read per step from a file or memory region; consecutive chunks overlap by the longest pattern. */
  chunkSize?: number;
};

const DEFAULT_MIN_LENGTH = 8;
const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;
/** `randomMarker`'s first bytes: hex `5ea1b21d` ("SEALBRIDge"), so a marker is recognisable in a hex dump. */
export const MARKER_PREFIX = Uint8Array.of(0x5e, 0xa1, 0xb2, 0x1d);

/**
 * A fresh value to plant: {@link MARKER_PREFIX} + 28 random bytes, or with `text: true` the ASCII text
 * `sealbridge-marker:<label>:<24 random base64url chars>` (for secrets that live as strings: mnemonics, passwords).
 */
export function randomMarker(label: string, options: { text?: boolean } = {}): Secret {
  const bytes = options.text
    ? Buffer.from(`sealbridge-marker:${label}:${randomBytes(18).toString('base64url')}`, 'utf8')
    : Buffer.concat([MARKER_PREFIX, randomBytes(28)]);
  return { name: label, bytes: new Uint8Array(bytes) };
}

/** The secret as a string if its bytes are printable UTF-8 (a mnemonic, a password), else undefined (a key). */
function asText(bytes: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return /^[^\p{Cc}\p{Cs}\uFFFD]*$/u.test(text.replace(/[\t\n\r]/g, '')) ? text : undefined;
}

/**
 * The base64 characters that only the secret's bytes determine when it sits `lead` (0, 1, 2) bytes after a 3-byte
 * border of a longer base64 text: the first and last characters also carry bits of its neighbours, so they are left off.
 */
function base64Within(bytes: Buffer, lead: number): string {
  const text = Buffer.concat([Buffer.alloc(lead), bytes, Buffer.alloc(2)]).toString('base64');
  return text.slice(Math.ceil((8 * lead) / 6), Math.floor((8 * (lead + bytes.length)) / 6));
}

/**
 * The byte patterns a secret may leave behind, each with why it is there:
 *  - `raw` (`utf8` for a text secret): Buffers, ArrayBuffers, OpenSSL/WASM memory, binary files (LevelDB values);
 *  - `hex`, `HEX`, `0xhex`, `0xHEX`: JSON logs and RPC (polkadot-js `u8aToHex` writes `0x…`), hex dumps; as ASCII,
 *    which is also how V8 keeps a one-byte (Latin-1) string in memory;
 *  - `base64+N`, `base64url+N` (N = 0, 1, 2): Olm pickles and keys, PEM, JWK/JWT, `Buffer.toString('base64')`; a
 *    value inside a longer base64 text starts at one of three bit alignments, each with its own characters;
 *  - `utf16le-hex`, `utf16le-HEX`: V8 keeps a string with any character above U+00FF as UTF-16, so hex concatenated
 *    into such a string (a log line, a JSON body with a non-Latin-1 name) is two bytes a character;
 *  - for a text secret, `utf16le` (the same for the text itself) and `latin1` (a one-byte V8 string of a text with
 *    characters U+0080–U+00FF, which differs from its UTF-8).
 * Identical patterns are merged (`base64+0|base64url+0` when there is no `+` or `/`); shorter than `minLength` are dropped.
 */
export function encodingsOf(secret: Secret): Encoding[] {
  const raw = Buffer.from(secret.bytes);
  const text = asText(raw);
  const hex = raw.toString('hex');
  const HEX = hex.toUpperCase();
  const forms: Array<[string, Buffer]> = [
    [text === undefined ? 'raw' : 'utf8', raw],
    ['hex', Buffer.from(hex, 'latin1')],
    ['HEX', Buffer.from(HEX, 'latin1')],
    ['0xhex', Buffer.from(`0x${hex}`, 'latin1')],
    ['0xHEX', Buffer.from(`0x${HEX}`, 'latin1')],
  ];
  for (const lead of [0, 1, 2]) {
    const b64 = base64Within(raw, lead);
    forms.push([`base64+${lead}`, Buffer.from(b64, 'latin1')], [`base64url+${lead}`, Buffer.from(b64.replace(/\+/g, '-').replace(/\//g, '_'), 'latin1')]);
  }
  forms.push(['utf16le-hex', Buffer.from(hex, 'utf16le')], ['utf16le-HEX', Buffer.from(HEX, 'utf16le')]);
  if (text !== undefined) {
    forms.push(['utf16le', Buffer.from(text, 'utf16le')]);
    if (/[\x80-\xff]/.test(text) && /^[\0-\xff]*$/.test(text)) forms.push(['latin1', Buffer.from(text, 'latin1')]);
  }
  const minLength = secret.minLength ?? DEFAULT_MIN_LENGTH;
  const merged: Encoding[] = [];
  for (const [encoding, pattern] of forms) {
    if (pattern.length < minLength || pattern.length === 0) continue;
    const same = merged.find((e) => e.pattern.equals(pattern));
    if (same) same.encoding += `|${encoding}`;
    else merged.push({ encoding, pattern });
  }
  return merged;
}

type Pattern = { secret: string; encoding: string; pattern: Buffer };
type Found = Hit & { length: number };

function compile(secrets: readonly Secret[]): Pattern[] {
  return secrets.flatMap((secret) => {
    const encodings = encodingsOf(secret);
    // A secret with nothing to look for would pass every "no leak" assertion.
    if (encodings.length === 0) throw new Error(`secret ${secret.name}: no encoding is at least minLength ${secret.minLength ?? DEFAULT_MIN_LENGTH} bytes long`);
    return encodings.map(({ encoding, pattern }) => ({ secret: secret.name, encoding, pattern }));
  });
}

/** Hits of `patterns` in `view` (whose byte 0 is at `base`) that end after its first `skip` bytes (already scanned). */
function searchInto(view: Buffer, base: number, skip: number, patterns: readonly Pattern[], where: string | undefined, found: Found[]): void {
  for (const { secret, encoding, pattern } of patterns) {
    let at = view.indexOf(pattern, Math.max(0, skip - pattern.length + 1));
    while (at !== -1) {
      found.push({ secret, encoding, offset: base + at, ...(where === undefined ? {} : { where }), length: pattern.length });
      at = view.indexOf(pattern, at + 1);
    }
  }
}

/** Drops a hit inside a longer one of the same secret (`hex` inside `0xhex`), orders by place, strips `length`. */
function tidy(found: Found[]): Hit[] {
  found.sort((a, b) => (a.where ?? '').localeCompare(b.where ?? '') || a.secret.localeCompare(b.secret) || a.offset - b.offset || b.length - a.length);
  const hits: Hit[] = [];
  let group = '';
  let reach = -1;
  for (const { length, ...hit } of found) {
    const key = `${hit.where ?? ''}\0${hit.secret}`;
    if (key !== group) [group, reach] = [key, -1];
    if (hit.offset + length <= reach) continue;
    reach = hit.offset + length;
    hits.push(hit);
  }
  return hits;
}

/**
 * Scans `[start, end)` of a source read with `read(buffer, offset, length, position) → bytes read` (throws when it
 * cannot), chunk by chunk, each chunk prefixed by the previous one's last `longest - 1` bytes. A read error or end of
 * file ends the range; returns where it ended.
 */
function scanRange(read: (buffer: Buffer, offset: number, length: number, position: number) => number, start: number, end: number, patterns: readonly Pattern[], buffer: Buffer, chunkSize: number, where: string, found: Found[]): number {
  const overlap = Math.max(...patterns.map((p) => p.pattern.length)) - 1;
  let carried = 0;
  for (let position = start; position < end; ) {
    const want = Math.min(chunkSize, end - position);
    let got = 0;
    let failed = false;
    while (got < want) {
      let n: number;
      try {
        n = read(buffer, carried + got, want - got, position + got);
      } catch {
        failed = true;
        break;
      }
      if (n === 0) break;
      got += n;
    }
    const view = buffer.subarray(0, carried + got);
    searchInto(view, position - carried, carried, patterns, where, found);
    if (failed || got < want) return position + got;
    position += got;
    const keep = Math.min(overlap, view.length);
    buffer.copy(buffer, 0, view.length - keep, view.length);
    carried = keep;
  }
  return end;
}

/** Every place in `buffer` where one of the secrets appears in one of its encodings. */
export function scanBuffer(buffer: Uint8Array, secrets: readonly Secret[], where?: string): Hit[] {
  const found: Found[] = [];
  const view = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  searchInto(view, 0, 0, compile(secrets), where, found);
  return tidy(found);
}

/** {@link scanBuffer} over the UTF-8 of a log or any output; offsets are UTF-8 byte offsets. */
export function scanText(text: string, secrets: readonly Secret[], where = 'text'): Hit[] {
  return scanBuffer(Buffer.from(text, 'utf8'), secrets, where);
}

/** Every regular file under `dir`, recursively (symlinks are not followed; files gone while listing are skipped). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** Scans every regular file under `dir` (LevelDB `.ldb`/`.log`, sealed blobs, logs) as bytes; `where` is the file path. */
export function scanFiles(dir: string, secrets: readonly Secret[], options: ScanOptions = {}): Hit[] {
  const patterns = compile(secrets);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const overlap = Math.max(...patterns.map((p) => p.pattern.length)) - 1;
  const found: Found[] = [];
  let buffer = Buffer.alloc(0);
  for (const file of filesUnder(dir)) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // e.g. a LevelDB compaction removed it
      throw error;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const need = Math.min(chunkSize, size) + overlap;
      if (buffer.length < need) buffer = Buffer.allocUnsafe(need);
      scanRange((b, o, l, p) => fs.readSync(fd, b, o, l, p), 0, size, patterns, buffer, chunkSize, file, found);
    } finally {
      fs.closeSync(fd);
    }
  }
  return tidy(found);
}

/** A mapping of `/proc/<pid>/maps`; `path` is the file, `[heap]`, `[stack]`, … or '' for anonymous memory. */
export type Region = { start: number; end: number; perms: string; path: string };

/** Mappings the scanner can read: readable, not the kernel's `[vvar]`/`[vsyscall]` pages, not device memory. */
export function readableRegions(pid: number): Region[] {
  const regions: Region[] = [];
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (!m) continue;
    const [start, end] = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)];
    const [perms, file] = [m[3]!, m[4]!];
    if (!perms.startsWith('r') || end > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    if (/^\[(vvar|vvar_vclock|vsyscall)\]$/.test(file) || (file.startsWith('/dev/') && !file.startsWith('/dev/shm/'))) continue;
    regions.push({ start: Number(start), end: Number(end), perms, path: file });
  }
  return regions;
}

/**
 * Scans the memory of a live process through `/proc/<pid>/mem` (needs root or ptrace rights over it), region by
 * region; regions that fail to read (unmapped meanwhile, guard pages) are skipped. `offset` is the virtual address,
 * `where` is `pid <pid> <region path or [anon]>`.
 */
export function scanProcessMemory(pid: number, secrets: readonly Secret[], options: ScanOptions = {}): Hit[] {
  const patterns = compile(secrets);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const overlap = Math.max(...patterns.map((p) => p.pattern.length)) - 1;
  const regions = readableRegions(pid);
  const largest = Math.max(0, ...regions.map((r) => r.end - r.start));
  const buffer = Buffer.allocUnsafe(Math.min(chunkSize, largest) + overlap);
  const found: Found[] = [];
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  try {
    // Adjacent mappings (a heap grown in steps, rw-p after r--p) are read as one run, so a value across their border is found.
    for (let first = 0; first < regions.length; ) {
      let last = first;
      while (last + 1 < regions.length && regions[last + 1]!.start === regions[last]!.end) last++;
      const from = found.length;
      const run = regions.slice(first, last + 1);
      const reached = scanRange((b, o, l, p) => fs.readSync(fd, b, o, l, p), run[0]!.start, run.at(-1)!.end, patterns, buffer, chunkSize, '', found);
      for (const hit of found.slice(from)) hit.where = `pid ${pid} ${run.find((r) => hit.offset < r.end)!.path || '[anon]'}`;
      // A region that failed to read is skipped; the run goes on after it.
      first = reached < run.at(-1)!.end ? first + run.findIndex((r) => reached < r.end) + 1 : last + 1;
    }
  } finally {
    fs.closeSync(fd);
  }
  return tidy(found);
}

/** Hits one per line for an assertion message: `<secret> as <encoding> in <where> at <offset> (0x…)`. */
export function formatHits(hits: readonly Hit[], limit = 40): string {
  if (hits.length === 0) return 'no hits';
  const lines = hits.slice(0, limit).map((h) => `${h.secret} as ${h.encoding} in ${h.where ?? 'buffer'} at ${h.offset} (0x${h.offset.toString(16)})`);
  if (hits.length > limit) lines.push(`… and ${hits.length - limit} more`);
  return lines.join('\n');
}
