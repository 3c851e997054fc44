// State root of a shard. Temporary until @sealbridge/trie lands: blake2-256 over SCALE Vec<(key, value)>.
import { compactAddLength, compactToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

export function stateRoot(sortedEntries: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  return blake2AsU8a(u8aConcat(compactToU8a(sortedEntries.length), ...sortedEntries.flatMap(([k, v]) => [compactAddLength(k), compactAddLength(v)])), 256);
}
