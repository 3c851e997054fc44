// The light client's state as the enclave seals it: SCALE through chain-types' ScaleWriter / ScaleReader.

import { ScaleDecodeError, ScaleReader, ScaleWriter, bytesEqual } from '@sealbridge/chain-types';

import { LightClientError } from './errors.js';
import { HASH_BYTES, checkAuthorities, decodeHeader, readAuthorityList, writeAuthorityList, type Authority } from './header.js';

/** First byte of the encoded state; a different layout gets another number. */
export const LIGHT_CLIENT_STATE_VERSION = 1;

/**
 * A set change signalled in a finalized header, not yet enacted. It enacts at `signalledAt + delay`: a scheduled
 * change once that block is finalized (by the current set), a forced one when that block is imported.
 */
export interface PendingChange {
  kind: 'scheduled' | 'forced';
  signalledAt: number;
  delay: number;
  /** Forced changes: `median_last_finalized` of the log (kept, not used: this client never un-finalizes). */
  median?: number;
  next: Authority[];
}

export interface LightClientState {
  genesisHash: Uint8Array;
  /** The last verified, finalized header (SCALE in `header`). */
  last: { number: number; hash: Uint8Array; header: Uint8Array };
  /** The set that justifies the blocks after `last`. */
  set: { id: bigint; authorities: Authority[] };
  pending?: PendingChange;
  /** Trie layout of extrinsics roots: `extrinsicsRootStateVersion(system_version)`, 0 for system_version 0 and 1. */
  extrinsicsLayout: 0 | 1;
}

export function enactsAt(change: PendingChange): number {
  return change.signalledAt + change.delay;
}

/** Checks the invariants `decodeState` relies on; `code` is what a violation is reported as. */
export function checkState(s: LightClientState, code: 'STATE_INVALID' | 'INVALID_ARGUMENT' = 'STATE_INVALID'): void {
  const fail = (why: string): never => {
    throw new LightClientError(code, `light client state: ${why}`);
  };
  if (!(s.genesisHash instanceof Uint8Array) || s.genesisHash.length !== HASH_BYTES) fail('genesis hash must be 32 bytes');
  let header;
  try {
    header = decodeHeader(s.last.header);
  } catch (cause) {
    throw new LightClientError(code, 'light client state: the last header does not decode', { cause });
  }
  if (header.number !== s.last.number || !bytesEqual(header.hash, s.last.hash)) fail('the last header is not the last block');
  if (s.last.number === 0 && !bytesEqual(s.last.hash, s.genesisHash)) fail('block 0 is not the genesis');
  if (typeof s.set.id !== 'bigint' || s.set.id < 0n || s.set.id >= 1n << 64n) fail('set id must be a u64 bigint');
  checkAuthorities(s.set.authorities, 'light client state set', code);
  if (s.extrinsicsLayout !== 0 && s.extrinsicsLayout !== 1) fail('extrinsics layout must be 0 or 1');
  const p = s.pending;
  if (p) {
    if (p.kind !== 'scheduled' && p.kind !== 'forced') fail(`unknown pending change kind ${String(p.kind)}`);
    for (const [name, v] of [['signalledAt', p.signalledAt], ['delay', p.delay]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) fail(`pending ${name} must be a u32`);
    }
    if ((p.kind === 'forced') !== (p.median !== undefined)) fail('a pending forced change, and only that, has a median');
    if (p.signalledAt > s.last.number || enactsAt(p) <= s.last.number) fail('the pending change is not signalled at or before, and enacted after, the last block');
    checkAuthorities(p.next, 'pending change', code);
  }
}

export function encodeState(s: LightClientState): Uint8Array {
  checkState(s, 'INVALID_ARGUMENT');
  const w = new ScaleWriter(256 + s.last.header.length + 40 * s.set.authorities.length + 40 * (s.pending?.next.length ?? 0));
  w.byte(LIGHT_CLIENT_STATE_VERSION).bytes(s.genesisHash);
  w.u32(s.last.number).bytes(s.last.hash).bytesWithLength(s.last.header);
  writeAuthorityList(w.uint(s.set.id, 8), s.set.authorities);
  w.byte(s.extrinsicsLayout);
  const p = s.pending;
  if (!p) w.byte(0);
  else {
    w.byte(1).byte(p.kind === 'scheduled' ? 0 : 1).u32(p.signalledAt).u32(p.delay);
    if (p.kind === 'forced') w.u32(p.median!);
    writeAuthorityList(w, p.next);
  }
  return w.finish();
}

export function decodeState(bytes: Uint8Array): LightClientState {
  let s: LightClientState;
  try {
    const r = new ScaleReader(bytes, 'LightClientState');
    const version = r.byte('version');
    if (version !== LIGHT_CLIENT_STATE_VERSION) r.fail('SCALE_UNKNOWN_VARIANT', `state version ${version}, expected ${LIGHT_CLIENT_STATE_VERSION}`, 0);
    const genesisHash = r.take(HASH_BYTES, 'genesis hash').slice();
    const last = { number: r.u32('last number'), hash: r.take(HASH_BYTES, 'last hash').slice(), header: r.bytesWithLength('last header').slice() };
    const set = { id: r.uint(8, 'set id'), authorities: readAuthorityList(r) };
    const layout = r.byte('extrinsics layout');
    if (layout > 1) r.fail('SCALE_NON_CANONICAL', `extrinsics layout ${layout}`, r.offset - 1);
    let pending: PendingChange | undefined;
    if (r.bool('pending')) {
      const kindByte = r.byte('pending kind');
      if (kindByte > 1) r.fail('SCALE_UNKNOWN_VARIANT', `pending kind ${kindByte}`, r.offset - 1);
      const kind = kindByte === 0 ? 'scheduled' : 'forced';
      const signalledAt = r.u32('signalled at');
      const delay = r.u32('delay');
      const median = kind === 'forced' ? r.u32('median') : undefined;
      pending = { kind, signalledAt, delay, ...(median === undefined ? {} : { median }), next: readAuthorityList(r) };
    }
    r.end();
    s = { genesisHash, last, set, extrinsicsLayout: layout as 0 | 1, ...(pending ? { pending } : {}) };
  } catch (cause) {
    if (cause instanceof ScaleDecodeError) throw new LightClientError('STATE_INVALID', `light client state does not decode: ${cause.message}`, { cause });
    throw cause;
  }
  checkState(s);
  return s;
}
