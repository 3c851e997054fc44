// Values read out of parentchain state read proofs (`state_getReadProof`), checked with @sealbridge/trie against a
// state root the light client verified.

import { ScaleReader, bytesToHex, hexToBytes } from '@sealbridge/chain-types';
import { TrieError, verifyProof } from '@sealbridge/trie';

import { LightClientError } from './errors.js';
import { HASH_BYTES, checkAuthorities, malformed, readAuthorityList, type Authority } from './header.js';

/** `twox128("System") ‖ twox128("Events")`. */
export const SYSTEM_EVENTS_KEY = hexToBytes('0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7');
/** `sp_consensus_grandpa::GRANDPA_AUTHORITIES_KEY`, b":grandpa_authorities", holding a `VersionedAuthorityList`. */
export const GRANDPA_AUTHORITIES_KEY = hexToBytes('0x3a6772616e6470615f617574686f726974696573');
/** `AUTHORITIES_VERSION`, the first byte of the value under `:grandpa_authorities`. */
export const AUTHORITIES_VERSION = 1;
/** SCALE of an empty `Vec`: what `System.Events` (a ValueQuery) reads as when the proof shows the key absent. */
const EMPTY_VEC = Uint8Array.of(0);

type ProofCode = 'EVENTS_PROOF_INVALID' | 'AUTHORITIES_PROOF_INVALID';

/**
 * The value under `key` as a read proof shows it at `stateRoot` (null: proven absent). Any proof that does not
 * verify — a missing or tampered node, an undecodable one, a root of the wrong size — is `code`.
 */
export function readFromProof(stateRoot: Uint8Array, proofNodes: readonly Uint8Array[], key: Uint8Array, code: ProofCode): Uint8Array | null {
  if (!(stateRoot instanceof Uint8Array) || stateRoot.length !== HASH_BYTES) throw new LightClientError(code, `a state root has ${HASH_BYTES} bytes`);
  try {
    return verifyProof(stateRoot, proofNodes, [key]).get(bytesToHex(key)) ?? null;
  } catch (cause) {
    if (cause instanceof TrieError) throw new LightClientError(code, `read proof of ${bytesToHex(key)} does not verify against state root ${bytesToHex(stateRoot)}: ${cause.message}`, { cause });
    throw cause;
  }
}

/**
 * The SCALE `Vec<EventRecord>` under `System.Events` at `stateRoot`, read out of the proof (the value only ever comes
 * from the verified trie walk, never from the caller). A proof showing the key absent gives an empty Vec (`0x00`),
 * as the ValueQuery reads. EVENTS_PROOF_INVALID when the proof does not verify.
 */
export function eventsFromProof(stateRoot: Uint8Array, proofNodes: readonly Uint8Array[]): Uint8Array {
  return readFromProof(stateRoot, proofNodes, SYSTEM_EVENTS_KEY, 'EVENTS_PROOF_INVALID') ?? EMPTY_VEC.slice();
}

/** Decodes `VersionedAuthorityList` (`0x01 ‖ Vec<(AuthorityId, u64)>`) and checks the set is usable. */
export function decodeVersionedAuthorities(value: Uint8Array, code: 'AUTHORITIES_PROOF_INVALID' | 'MALFORMED' = 'AUTHORITIES_PROOF_INVALID'): Authority[] {
  let list: Authority[];
  try {
    list = malformed(':grandpa_authorities', () => {
      const r = new ScaleReader(value, 'VersionedAuthorityList');
      const version = r.byte('version');
      if (version !== AUTHORITIES_VERSION) r.fail('SCALE_UNKNOWN_VARIANT', `authorities version ${version}, expected ${AUTHORITIES_VERSION}`, 0);
      const out = readAuthorityList(r);
      r.end();
      return out;
    });
  } catch (cause) {
    if (cause instanceof LightClientError && code !== 'MALFORMED') throw new LightClientError(code, cause.message, { cause });
    throw cause;
  }
  checkAuthorities(list, ':grandpa_authorities', code);
  return list;
}

/** The GRANDPA authorities under `:grandpa_authorities` at `stateRoot`; AUTHORITIES_PROOF_INVALID if unproven, absent or unusable. */
export function authoritiesFromProof(stateRoot: Uint8Array, proofNodes: readonly Uint8Array[]): Authority[] {
  const value = readFromProof(stateRoot, proofNodes, GRANDPA_AUTHORITIES_KEY, 'AUTHORITIES_PROOF_INVALID');
  if (value === null) throw new LightClientError('AUTHORITIES_PROOF_INVALID', `the proof shows ${bytesToHex(GRANDPA_AUTHORITIES_KEY)} absent at ${bytesToHex(stateRoot)}`);
  return decodeVersionedAuthorities(value);
}
