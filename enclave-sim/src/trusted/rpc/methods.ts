import { u8aConcat } from '@polkadot/util';
import { ScaleWriter, bytesEqual, encodeShieldingKeyValue, encodeStr, encodeVecOfEncoded, topHash, withCompactLength } from '@sealbridge/chain-types';
import { MAX_SHIELDED_BYTES } from '../settings.js';

import type { RpcBackend, TopWatcher } from './backend.js';
import { RpcServerError } from './errors.js';
import type { GetterReplies } from './getter-replies.js';
import { decodeRequestParam, parseAccountParam, parseShardParam, stringParams } from './params.js';
import { rpcOkHex, rpcTopStatusHex, scaleOptionBytes, scaleVecOfBytes } from './wire.js';

export interface CallContext {
  backend: RpcBackend;
  /** Registers a watch for `topHash` on this request's connection and id; frames flow after the reply. */
  openWatch(topHash: Uint8Array): TopWatcher;
  getterReplies: GetterReplies;
  /**
   * Decrypts a request's cyphertext in the enclave through the server's fair queue (this connection's turn);
   * throws DECRYPT_QUEUE_FULL or SERVER_BUSY at once when the connection or the server has too much waiting.
   */
  decrypt(cyphertext: Uint8Array): Promise<Uint8Array>;
}

/** A handler returns the JSON `result` value: hex of an RpcReturnValue, or a plain string for the stubs. */
export type RpcHandler = (params: unknown, ctx: CallContext) => string | Promise<string>;

/** Stub answer of several Integritee methods (docs/integritee-protocol.md §2.2). */
export const HELLO_WORLD = 'hello, world';
/** Version reported by `system_version` in the v0.15.1+ form `enclave-runtime: <ver>`. */
export const SERVER_VERSION = 'sealbridge-0.1.0';

const getterResultHex = (value: Uint8Array | null): string => rpcOkHex(scaleOptionBytes(value));

const noParams = (method: string) => (params: unknown) => stringParams(params, method, { min: 0, max: 0 });

function knownShard(backend: RpcBackend, shard: Uint8Array): void {
  if (!backend.shards().some((s) => bytesEqual(s, shard))) {
    throw new RpcServerError('SHARD_NOT_FOUND');
  }
}

function firstShard(backend: RpcBackend): Uint8Array {
  const [shard] = backend.shards();
  if (shard === undefined) throw new RpcServerError('NO_SHARD');
  return shard;
}

/** Variant of a decrypted SCALE(TrustedOperation) (docs/integritee-protocol.md §3.1); the full decode and signature check are the backend's. */
function topVariant(top: Uint8Array): 'indirect_call' | 'direct_call' | 'get' {
  const variant = top.length > 1 ? (['indirect_call', 'direct_call', 'get'] as const)[top[0]] : undefined;
  if (variant === undefined) throw new RpcServerError('TOP_BAD_FORMAT');
  return variant;
}

/** Longest request param whose cyphertext is within the cap: hex of shard ‖ compact(len) (2 bytes below 2^14) ‖ cyphertext. */
const MAX_SUBMIT_PARAM_CHARS = 2 + 2 * (32 + 2 + MAX_SHIELDED_BYTES);

function submit(method: string, doWatch: boolean): RpcHandler {
  return async (params, ctx) => {
    const [raw] = stringParams(params, method, { min: 1, max: 1 });
    // Padding costs the sender one encryption and the enclave one private-key operation per block: refused unread,
    // on the param's length (compacts are canonical, so nothing longer carries a cyphertext within the cap).
    if (raw.length > MAX_SUBMIT_PARAM_CHARS) {
      ctx.backend.onRefused?.('oversized');
      throw new RpcServerError('TOP_TOO_LARGE');
    }
    const { shard, cyphertext } = decodeRequestParam(raw);
    knownShard(ctx.backend, shard);
    const decryption = ctx.decrypt(cyphertext);
    let top: Uint8Array;
    try {
      top = await decryption;
    } catch (cause) {
      throw new RpcServerError('TOP_UNDECIPHERABLE', undefined, { cause });
    }
    // Offchain-worker flavour: only direct calls are accepted on RPC (indirect ones come from the parentchain).
    if (topVariant(top) !== 'direct_call') throw new RpcServerError('UNSUPPORTED_OPERATION');
    const hash = topHash(top);
    const watcher = doWatch ? ctx.openWatch(hash) : undefined;
    await ctx.backend.submitTrustedOperation(shard, top, watcher);
    return rpcTopStatusHex(hash, { kind: 'Submitted' }, doWatch);
  };
}

const handlers: Record<string, RpcHandler> = {
  author_getShieldingKey: (p, { backend }) => {
    noParams('author_getShieldingKey')(p);
    // Double wrapping (docs/integritee-protocol.md §2.5): the value is SCALE(String json), then length-prefixed again as Vec<u8>.
    return rpcOkHex(encodeShieldingKeyValue(backend.shieldingKeyJson()));
  },
  author_getFingerprint: (p, { backend }) => {
    noParams('author_getFingerprint')(p);
    return rpcOkHex(backend.mrenclave());
  },
  author_getShard: (p, { backend }) => {
    noParams('author_getShard')(p);
    return rpcOkHex(firstShard(backend));
  },
  author_getShardVault: (p, { backend }) => {
    noParams('author_getShardVault')(p);
    const vault = backend.shardVault?.(firstShard(backend)) ?? null;
    if (vault === null) throw new RpcServerError('NO_SHARD_VAULT');
    return rpcOkHex(u8aConcat(vault.account, Uint8Array.of(vault.parentchainId)));
  },
  author_getMuRaUrl: (p, { backend }) => {
    noParams('author_getMuRaUrl')(p);
    return rpcOkHex(encodeStr(backend.muRaUrl()));
  },
  author_getUntrustedUrl: (p, { backend }) => {
    noParams('author_getUntrustedUrl')(p);
    return rpcOkHex(encodeStr(backend.untrustedUrl()));
  },
  state_executeGetter: (params, { backend, getterReplies }) => {
    const [raw] = stringParams(params, 'state_executeGetter', { min: 1, max: 1 });
    const cached = getterReplies.get(raw, backend);
    if (cached !== undefined) return cached;
    const { shard, cyphertext: getter } = decodeRequestParam(raw);
    knownShard(backend, shard);
    const epoch = backend.getterEpoch?.(shard);
    const answer = (value: Uint8Array | null): string => {
      const result = getterResultHex(value);
      getterReplies.set(raw, shard, epoch, result);
      return result;
    };
    const value = backend.executeGetter(shard, getter);
    return value instanceof Promise ? value.then(answer) : answer(value);
  },
  author_submitExtrinsic: submit('author_submitExtrinsic', false),
  author_submitAndWatchExtrinsic: submit('author_submitAndWatchExtrinsic', true),
  author_pendingExtrinsics: (params, { backend }) => {
    const shards = stringParams(params, 'author_pendingExtrinsics', { min: 0, max: 64 }).map(parseShardParam);
    return rpcOkHex(encodeVecOfEncoded(shards.map((s) => scaleVecOfBytes(backend.pendingOperations?.(s) ?? []))));
  },
  author_pendingTrustedCallsFor: (params, { backend }) => {
    const [shardB58, accountHex] = stringParams(params, 'author_pendingTrustedCallsFor', { min: 2, max: 2 });
    const shard = parseShardParam(shardB58);
    const account = parseAccountParam(accountHex);
    knownShard(backend, shard);
    return rpcOkHex(encodeVecOfEncoded(backend.pendingTrustedCallsFor(shard, account)));
  },
  state_getMetadata: (p, { backend }) => {
    noParams('state_getMetadata')(p);
    return rpcOkHex(backend.metadata());
  },
  state_getRuntimeVersion: (p) => (noParams('state_getRuntimeVersion')(p), HELLO_WORLD),
  system_health: (p) => (noParams('system_health')(p), HELLO_WORLD),
  system_name: (p) => (noParams('system_name')(p), HELLO_WORLD),
  chain_subscribeAllHeads: (p) => (noParams('chain_subscribeAllHeads')(p), HELLO_WORLD),
  system_version: (p) => {
    noParams('system_version')(p);
    // v0.15.1+ form: raw UTF-8, no SCALE prefix.
    return rpcOkHex(new TextEncoder().encode(`enclave-runtime: ${SERVER_VERSION}`));
  },
  rpc_methods: (p) => (noParams('rpc_methods')(p), `methods: [${METHOD_NAMES.join(', ')}]`),
  /** Sealbridge extension: RRV(SCALE `(u32 imported, u32 finalized, u32 lag, Option<(u64 since, u32 block, String reason)>)`). */
  sealbridge_syncStatus: async (p, { backend }) => {
    noParams('sealbridge_syncStatus')(p);
    const { imported, finalized, lag, stalled } = await backend.syncStatus();
    const w = new ScaleWriter().u32(imported).u32(finalized).u32(lag);
    if (stalled) w.byte(1).uint(stalled.since, 8).u32(stalled.block).str(stalled.reason);
    else w.byte(0);
    return rpcOkHex(w.finish());
  },
  /** Sealbridge extension: RRV(SCALE `(Vec<u8> quote, String certPem)`). */
  sealbridge_attestation: (p, { backend }) => {
    noParams('sealbridge_attestation')(p);
    const { quote, certPem } = backend.attestation();
    return rpcOkHex(withCompactLength(quote, undefined, encodeStr(certPem)));
  },
};

export const METHOD_NAMES: readonly string[] = Object.freeze(Object.keys(handlers));

export const WATCH_METHODS: ReadonlySet<string> = new Set(['author_submitAndWatchExtrinsic']);

export function lookupHandler(method: string): RpcHandler | undefined {
  return Object.hasOwn(handlers, method) ? handlers[method] : undefined;
}
