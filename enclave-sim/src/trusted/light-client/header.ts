// Substrate headers (`sp_runtime::generic::Header<u32, BlakeTwo256>`) and the GRANDPA (`FRNK`) consensus logs of
// their digests, all through chain-types' ScaleReader / ScaleWriter.

import { ScaleDecodeError, ScaleReader, ScaleWriter } from '@sealbridge/chain-types';
import { blake2b256 } from '@sealbridge/trie';

import { LightClientError } from './errors.js';

export const HASH_BYTES = 32;
/** `GRANDPA_ENGINE_ID`: b"FRNK". */
export const GRANDPA_ENGINE_ID = Uint8Array.of(0x46, 0x52, 0x4e, 0x4b);
const U32_MAX = 2 ** 32 - 1;
const U64_MAX = (1n << 64n) - 1n;

/** `sp_runtime::generic::DigestItem` (indices 0, 4, 5, 6, 8; the others are unused). */
export type DigestItem =
  | { type: 'PreRuntime' | 'Consensus' | 'Seal'; engine: Uint8Array; data: Uint8Array }
  | { type: 'Other'; data: Uint8Array }
  | { type: 'RuntimeEnvironmentUpdated' };

const DIGEST_INDEX = { Other: 0, Consensus: 4, Seal: 5, PreRuntime: 6, RuntimeEnvironmentUpdated: 8 } as const;

export interface Header {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  digest: DigestItem[];
}

/** A decoded header with its hash (blake2-256 of its SCALE encoding) and that encoding. */
export interface DecodedHeader extends Header {
  hash: Uint8Array;
  encoded: Uint8Array;
}

/** An ed25519 GRANDPA authority (`(AuthorityId, AuthorityWeight)`). */
export interface Authority {
  key: Uint8Array;
  weight: bigint;
}

/** `sp_consensus_grandpa::ConsensusLog` (variant 0 is unused). `next` lists are validated (see `checkAuthorities`). */
export type GrandpaLog =
  | { kind: 'ScheduledChange'; next: Authority[]; delay: number }
  | { kind: 'ForcedChange'; median: number; next: Authority[]; delay: number }
  | { kind: 'OnDisabled'; index: bigint }
  | { kind: 'Pause'; delay: number }
  | { kind: 'Resume'; delay: number };

/** Turns a SCALE decode failure into MALFORMED (other errors pass). */
export function malformed<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof ScaleDecodeError) throw new LightClientError('MALFORMED', `${what}: ${cause.message}`, { cause });
    throw cause;
  }
}

export function blockHash(encodedHeader: Uint8Array): Uint8Array {
  return blake2b256(encodedHeader);
}

function readDigestItem(r: ScaleReader): DigestItem {
  const at = r.offset;
  const index = r.byte('DigestItem variant');
  switch (index) {
    case DIGEST_INDEX.Other:
      return { type: 'Other', data: r.bytesWithLength('Other') };
    case DIGEST_INDEX.Consensus:
    case DIGEST_INDEX.Seal:
    case DIGEST_INDEX.PreRuntime: {
      const type = index === DIGEST_INDEX.Consensus ? 'Consensus' : index === DIGEST_INDEX.Seal ? 'Seal' : 'PreRuntime';
      const engine = r.take(4, 'ConsensusEngineId');
      return { type, engine, data: r.bytesWithLength(type) };
    }
    case DIGEST_INDEX.RuntimeEnvironmentUpdated:
      return { type: 'RuntimeEnvironmentUpdated' };
    default:
      return r.fail('SCALE_UNKNOWN_VARIANT', `DigestItem variant ${index}`, at);
  }
}

/** Reads one header from `r` (a `Vec<Header>` element) and hashes the bytes it took. */
export function readHeader(r: ScaleReader): DecodedHeader {
  const start = r.offset;
  const parentHash = r.take(HASH_BYTES, 'parent_hash');
  const number = r.compactU32('number');
  const stateRoot = r.take(HASH_BYTES, 'state_root');
  const extrinsicsRoot = r.take(HASH_BYTES, 'extrinsics_root');
  const count = r.length('digest', 1);
  const digest: DigestItem[] = [];
  for (let i = 0; i < count; i++) digest.push(readDigestItem(r));
  const encoded = r.since(start);
  return { parentHash, number, stateRoot, extrinsicsRoot, digest, encoded, hash: blockHash(encoded) };
}

/** Decodes a complete SCALE header (MALFORMED on bad or trailing bytes). Fields are views of `bytes`. */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  return malformed('header', () => {
    const r = new ScaleReader(bytes, 'Header');
    const header = readHeader(r);
    r.end();
    return header;
  });
}

export function writeHeader(w: ScaleWriter, h: Header): ScaleWriter {
  for (const [name, v] of [['parentHash', h.parentHash], ['stateRoot', h.stateRoot], ['extrinsicsRoot', h.extrinsicsRoot]] as const) {
    if (v.length !== HASH_BYTES) throw new LightClientError('INVALID_ARGUMENT', `header ${name} must be ${HASH_BYTES} bytes, got ${v.length}`);
  }
  if (!Number.isInteger(h.number) || h.number < 0 || h.number > U32_MAX) throw new LightClientError('INVALID_ARGUMENT', `header number ${h.number} is not a u32`);
  w.bytes(h.parentHash).compact(h.number).bytes(h.stateRoot).bytes(h.extrinsicsRoot);
  w.compact(h.digest.length);
  for (const item of h.digest) {
    w.byte(DIGEST_INDEX[item.type]);
    if (item.type === 'RuntimeEnvironmentUpdated') continue;
    if (item.type !== 'Other') {
      if (item.engine.length !== 4) throw new LightClientError('INVALID_ARGUMENT', `a digest engine id has 4 bytes, got ${item.engine.length}`);
      w.bytes(item.engine);
    }
    w.bytesWithLength(item.data);
  }
  return w;
}

export function encodeHeader(h: Header): Uint8Array {
  return writeHeader(new ScaleWriter(160), h).finish();
}

/** Throws MALFORMED unless the list is a usable voter set: not empty, weights > 0, distinct keys, total ≤ u64::MAX. */
export function checkAuthorities(list: readonly Authority[], what: string, code: 'MALFORMED' | 'INVALID_ARGUMENT' | 'AUTHORITIES_PROOF_INVALID' | 'STATE_INVALID' = 'MALFORMED'): void {
  if (list.length === 0) throw new LightClientError(code, `${what}: empty authority set`);
  const seen = new Set<string>();
  let total = 0n;
  for (const a of list) {
    if (!(a.key instanceof Uint8Array) || a.key.length !== 32) throw new LightClientError(code, `${what}: an authority key must be 32 bytes`);
    if (typeof a.weight !== 'bigint' || a.weight <= 0n || a.weight > U64_MAX) throw new LightClientError(code, `${what}: authority weight ${String(a.weight)} is not a positive u64`);
    const hex = Buffer.from(a.key.buffer, a.key.byteOffset, 32).toString('hex');
    if (seen.has(hex)) throw new LightClientError(code, `${what}: authority 0x${hex} listed twice`);
    seen.add(hex);
    total += a.weight;
  }
  if (total > U64_MAX) throw new LightClientError(code, `${what}: total weight exceeds u64`);
}

/** `AuthorityList` (`Vec<(AuthorityId, u64)>`), not yet validated. */
export function readAuthorityList(r: ScaleReader): Authority[] {
  const n = r.length('authority list', 40);
  const out: Authority[] = [];
  for (let i = 0; i < n; i++) out.push({ key: r.take(32, 'AuthorityId').slice(), weight: r.uint(8, 'AuthorityWeight') });
  return out;
}

export function writeAuthorityList(w: ScaleWriter, list: readonly Authority[]): ScaleWriter {
  w.compact(list.length);
  for (const a of list) w.bytes(a.key).uint(a.weight, 8);
  return w;
}

/** Decodes a `ConsensusLog` (MALFORMED on bad bytes or an unusable authority list in a change). */
export function decodeGrandpaLog(bytes: Uint8Array): GrandpaLog {
  const log = malformed('FRNK consensus log', () => {
    const r = new ScaleReader(bytes, 'ConsensusLog');
    const index = r.byte('ConsensusLog variant');
    let out: GrandpaLog;
    switch (index) {
      case 1:
        out = { kind: 'ScheduledChange', next: readAuthorityList(r), delay: r.u32('delay') };
        break;
      case 2: {
        const median = r.u32('median');
        out = { kind: 'ForcedChange', median, next: readAuthorityList(r), delay: r.u32('delay') };
        break;
      }
      case 3:
        out = { kind: 'OnDisabled', index: r.uint(8, 'AuthorityIndex') };
        break;
      case 4:
      case 5:
        out = { kind: index === 4 ? 'Pause' : 'Resume', delay: r.u32('delay') };
        break;
      default:
        return r.fail('SCALE_UNKNOWN_VARIANT', `ConsensusLog variant ${index}`, 0);
    }
    r.end();
    return out;
  });
  if (log.kind === 'ScheduledChange' || log.kind === 'ForcedChange') checkAuthorities(log.next, `FRNK ${log.kind}`);
  return log;
}

export function encodeGrandpaLog(log: GrandpaLog): Uint8Array {
  const w = new ScaleWriter(64);
  switch (log.kind) {
    case 'ScheduledChange':
      writeAuthorityList(w.byte(1), log.next).u32(log.delay);
      break;
    case 'ForcedChange':
      writeAuthorityList(w.byte(2).u32(log.median), log.next).u32(log.delay);
      break;
    case 'OnDisabled':
      w.byte(3).uint(log.index, 8);
      break;
    case 'Pause':
    case 'Resume':
      w.byte(log.kind === 'Pause' ? 4 : 5).u32(log.delay);
      break;
  }
  return w.finish();
}

function isGrandpaEngine(engine: Uint8Array): boolean {
  return engine[0] === 0x46 && engine[1] === 0x52 && engine[2] === 0x4e && engine[3] === 0x4b;
}

/**
 * The GRANDPA logs of a digest: every `Consensus(FRNK, ConsensusLog)` item, in order. An FRNK log that does not
 * decode is MALFORMED (a Substrate node skips it; a light client cannot tell what it would have changed).
 */
export function grandpaLogs(digest: readonly DigestItem[]): GrandpaLog[] {
  const out: GrandpaLog[] = [];
  for (const item of digest) if (item.type === 'Consensus' && isGrandpaEngine(item.engine)) out.push(decodeGrandpaLog(item.data));
  return out;
}
