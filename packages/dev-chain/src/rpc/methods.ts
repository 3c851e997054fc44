import { hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

import type { BlockRecord, Chain, HeaderJson } from '../chain.js';
import type { TxStatus } from '../pool.js';

import { RUNTIME_VERSION, runtimeApiIds } from '../runtime/runtime.js';
import { SS58_PREFIX } from '../pallets/system.js';
import { invalidParams } from './errors.js';

export const CHAIN_PROPERTIES = { ss58Format: SS58_PREFIX, tokenDecimals: 12, tokenSymbol: 'TEER' } as const;
export const NODE_NAME = 'Sealbridge Dev Chain';
export const NODE_VERSION = '0.1.0';
export const CHAIN_NAME = 'Sealbridge Development';
const MAX_KEYS_PAGED = 1000;

/** A subscription a handler asks for; the server sends the id first, then calls `start`. */
export class Subscription {
  constructor(
    readonly notification: string,
    readonly start: (emit: (result: unknown) => void, close: () => void) => () => void,
  ) {}
}

export type Handler = (chain: Chain, params: unknown[]) => unknown;

// --- param helpers ------------------------------------------------------------------------------------------

function hexParam(v: unknown, what: string): string {
  if (typeof v !== 'string' || !isHex(v)) throw invalidParams(`${what} must be a 0x-prefixed hex string`);
  return v.toLowerCase();
}
function optHash(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : hexParam(v, 'block hash');
}
function keyList(v: unknown): string[] {
  if (!Array.isArray(v)) throw invalidParams('keys must be an array of hex strings');
  return v.map((k) => hexParam(k, 'storage key'));
}
function blockNumberParam(v: unknown): number {
  const n = typeof v === 'string' && isHex(v) ? parseInt(v, 16) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidParams('block number must be a non-negative integer or hex');
  return n;
}

// --- shapes ---------------------------------------------------------------------------------------------------

export function runtimeVersionJson() {
  const v = RUNTIME_VERSION;
  return {
    specName: v.specName,
    implName: v.implName,
    authoringVersion: v.authoringVersion,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    apis: runtimeApiIds(),
    transactionVersion: v.transactionVersion,
    stateVersion: v.stateVersion,
  };
}

const header = (b: BlockRecord): HeaderJson => b.header;
const value = (b: BlockRecord, key: string): string | null => {
  const v = b.state.get(hexToU8a(key));
  return v === undefined ? null : u8aToHex(v);
};

function headsSubscription(chain: Chain, notification: string, which: 'best' | 'finalized'): Subscription {
  return new Subscription(notification, (emit) => {
    emit(header(which === 'best' ? chain.best : chain.finalized));
    return which === 'best' ? chain.onNewBlock((b) => emit(header(b))) : chain.onFinalized((b) => emit(header(b)));
  });
}

function storageSubscription(chain: Chain, keys: string[]): Subscription {
  return new Subscription('state_storage', (emit) => {
    let last = chain.best;
    // Current values first: the api's derives (e.g. the nonce of signAndSend) wait for them.
    if (keys.length) emit({ block: last.hash, changes: keys.map((k) => [k, value(last, k)]) });
    return chain.onNewBlock((block) => {
      const changes = keys.length
        ? keys.filter((k) => value(block, k) !== value(last, k)).map((k) => [k, value(block, k)])
        : [...block.changes].map(([k, v]) => [k, v === null ? null : u8aToHex(v)]);
      last = block;
      if (changes.length) emit({ block: block.hash, changes });
    });
  });
}

async function submitAndWatch(chain: Chain, params: unknown[]): Promise<Subscription> {
  const buffered: TxStatus[] = [];
  let forward: ((s: TxStatus) => void) | undefined;
  await chain.submit(hexToU8a(hexParam(params[0], 'extrinsic')), (status) => (forward ? forward(status) : buffered.push(status)));
  return new Subscription('author_extrinsicUpdate', (emit, close) => {
    forward = (status) => {
      emit(status);
      if (typeof status === 'string' ? status === 'invalid' || status === 'dropped' : 'finalized' in status) close();
    };
    buffered.splice(0).forEach(forward);
    return () => (forward = undefined);
  });
}

function queryStorage(chain: Chain, keys: string[], from: BlockRecord, to: BlockRecord) {
  const out: { block: string; changes: [string, string | null][] }[] = [];
  let previous: BlockRecord | undefined;
  for (let n = from.number; n <= to.number; n++) {
    const block = chain.blockByNumber(n)!;
    const changes = keys.filter((k) => !previous || value(block, k) !== value(previous, k)).map((k): [string, string | null] => [k, value(block, k)]);
    if (changes.length || !previous) out.push({ block: block.hash, changes });
    previous = block;
  }
  return out;
}

function nextIndex(chain: Chain, address: unknown): number {
  let account: Uint8Array;
  try {
    account = typeof address === 'string' && isHex(address) ? hexToU8a(address) : decodeAddress(address as string);
  } catch {
    throw invalidParams('account must be an SS58 address or 0x-hex AccountId');
  }
  const onChain = (chain.storageAt(chain.best).get('System', 'Account', [account]) as { nonce: number }).nonce;
  const sender = u8aToHex(account);
  // Pool-aware like the node: the next nonce after this sender's ready extrinsics.
  const mine = chain.pool.ready().filter((e) => e.sender === sender);
  return mine.length ? Math.max(onChain, ...mine.map((e) => e.nonce + 1)) : onChain;
}

// --- the method table -------------------------------------------------------------------------------------

const getBlockHash: Handler = (chain, [n]) => {
  if (n === undefined || n === null) return chain.best.hash;
  if (Array.isArray(n)) return n.map((x) => chain.blockByNumber(blockNumberParam(x))?.hash ?? null);
  return chain.blockByNumber(blockNumberParam(n))?.hash ?? null;
};
const getFinalizedHead: Handler = (chain) => chain.finalized.hash;
const getRuntimeVersion: Handler = (chain, [at]) => (chain.blockAt(optHash(at)), runtimeVersionJson());
const stateCall: Handler = (chain, [method, data, at]) => {
  if (typeof method !== 'string') throw invalidParams('method must be a string');
  const block = chain.blockAt(optHash(at));
  return u8aToHex(chain.runtime.call(method, hexToU8a(hexParam(data ?? '0x', 'call data')), chain.storageAt(block)));
};
const getStorage: Handler = (chain, [key, at]) => value(chain.blockAt(optHash(at)), hexParam(key, 'storage key'));
const getStorageHash: Handler = (chain, [key, at]) => {
  const v = value(chain.blockAt(optHash(at)), hexParam(key, 'storage key'));
  return v === null ? null : u8aToHex(blake2AsU8a(hexToU8a(v), 256));
};
const getStorageSize: Handler = (chain, [key, at]) => {
  const v = value(chain.blockAt(optHash(at)), hexParam(key, 'storage key'));
  return v === null ? null : (v.length - 2) / 2;
};
const getKeysPaged: Handler = (chain, [prefix, count, startKey, at]) => {
  const limit = typeof count === 'number' && count >= 0 ? Math.min(count, MAX_KEYS_PAGED) : undefined;
  if (limit === undefined) throw invalidParams(`count must be a number ≤ ${MAX_KEYS_PAGED}`);
  const start = startKey === undefined || startKey === null ? undefined : hexToU8a(hexParam(startKey, 'start key'));
  const keys = chain.blockAt(optHash(at)).state.keys(hexToU8a(hexParam(prefix ?? '0x', 'prefix')), { startAfter: start, limit });
  return keys.map((k) => u8aToHex(k));
};
const subscribeNewHeads: Handler = (chain) => headsSubscription(chain, 'chain_newHead', 'best');
const subscribeFinalizedHeads: Handler = (chain) => headsSubscription(chain, 'chain_finalizedHead', 'finalized');
const subscribeRuntimeVersion: Handler = () =>
  new Subscription('state_runtimeVersion', (emit) => {
    emit(runtimeVersionJson());
    return () => undefined;
  });
const createBlock: Handler = async (chain, [createEmpty, finalize, parentHash]) => {
  if (typeof createEmpty !== 'boolean' || typeof finalize !== 'boolean') throw invalidParams('expected [createEmpty: bool, finalize: bool, parentHash?]');
  const block = await chain.createBlock({ createEmpty, finalize, parentHash: optHash(parentHash) });
  return { hash: block.hash, aux: { header_only: false } };
};

/** Subscription method → its unsubscribe method(s); `rpc_methods` lists both. */
export const UNSUBSCRIBE: Record<string, string> = {
  chain_unsubscribeNewHead: 'chain_newHead',
  chain_unsubscribeNewHeads: 'chain_newHead',
  unsubscribe_newHead: 'chain_newHead',
  chain_unsubscribeAllHeads: 'chain_allHead',
  chain_unsubscribeFinalizedHeads: 'chain_finalizedHead',
  chain_unsubscribeFinalisedHeads: 'chain_finalizedHead',
  state_unsubscribeStorage: 'state_storage',
  state_unsubscribeRuntimeVersion: 'state_runtimeVersion',
  chain_unsubscribeRuntimeVersion: 'state_runtimeVersion',
  author_unwatchExtrinsic: 'author_extrinsicUpdate',
  grandpa_unsubscribeJustifications: 'grandpa_justifications',
};

export const METHODS: Record<string, Handler> = {
  chain_getBlockHash: getBlockHash,
  chain_getHead: getBlockHash,
  chain_getHeader: (chain, [at]) => {
    const h = optHash(at);
    return (h === undefined ? chain.best : chain.blockByHash(h))?.header ?? null;
  },
  chain_getBlock: (chain, [at]) => {
    const h = optHash(at);
    const b = h === undefined ? chain.best : chain.blockByHash(h);
    return b ? { block: { header: b.header, extrinsics: b.extrinsics.map((x) => u8aToHex(x)) }, justifications: chain.justificationsOf(b) } : null;
  },
  chain_getFinalizedHead: getFinalizedHead,
  chain_getFinalisedHead: getFinalizedHead,
  chain_subscribeNewHead: subscribeNewHeads,
  chain_subscribeNewHeads: subscribeNewHeads,
  subscribe_newHead: subscribeNewHeads,
  chain_subscribeAllHeads: (chain) => headsSubscription(chain, 'chain_allHead', 'best'),
  chain_subscribeFinalizedHeads: subscribeFinalizedHeads,
  chain_subscribeFinalisedHeads: subscribeFinalizedHeads,
  chain_getRuntimeVersion: getRuntimeVersion,
  chain_subscribeRuntimeVersion: subscribeRuntimeVersion,

  state_getRuntimeVersion: getRuntimeVersion,
  state_subscribeRuntimeVersion: subscribeRuntimeVersion,
  state_getMetadata: (chain, [at]) => (chain.blockAt(optHash(at)), u8aToHex(chain.runtime.meta.bytes)),
  state_call: stateCall,
  state_callAt: stateCall,
  state_getStorage: getStorage,
  state_getStorageAt: getStorage,
  state_getStorageHash: getStorageHash,
  state_getStorageHashAt: getStorageHash,
  state_getStorageSize: getStorageSize,
  state_getStorageSizeAt: getStorageSize,
  state_getKeys: (chain, [prefix, at]) =>
    chain
      .blockAt(optHash(at))
      .state.keys(hexToU8a(hexParam(prefix ?? '0x', 'prefix')))
      .map((k) => u8aToHex(k)),
  state_getKeysPaged: getKeysPaged,
  state_getKeysPagedAt: getKeysPaged,
  state_queryStorageAt: (chain, [keys, at]) => {
    const b = chain.blockAt(optHash(at));
    return [{ block: b.hash, changes: keyList(keys).map((k) => [k, value(b, k)]) }];
  },
  state_queryStorage: (chain, [keys, from, to]) => {
    const fromBlock = chain.blockAt(hexParam(from, 'from block'));
    const toBlock = chain.blockAt(optHash(to));
    if (chain.blockByNumber(fromBlock.number)?.hash !== fromBlock.hash || fromBlock.number > toBlock.number) {
      throw invalidParams('from must be a canonical ancestor of to');
    }
    return queryStorage(chain, keyList(keys), fromBlock, toBlock);
  },
  state_getReadProof: (chain, [keys, at]) => {
    const b = chain.blockAt(optHash(at));
    return { at: b.hash, proof: b.state.proof(keyList(keys).map((k) => hexToU8a(k))).map((n) => u8aToHex(n)) };
  },
  state_subscribeStorage: (chain, [keys]) => storageSubscription(chain, keys === undefined || keys === null ? [] : keyList(keys)),

  system_name: () => NODE_NAME,
  system_version: () => NODE_VERSION,
  system_chain: () => CHAIN_NAME,
  system_chainType: () => 'Development',
  system_properties: () => ({ ...CHAIN_PROPERTIES }),
  system_health: () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }),
  system_peers: () => [],
  system_nodeRoles: () => ['Full'],
  system_localPeerId: () => '12D3KooWSealbridgeDevChain',
  system_localListenAddresses: () => [],
  system_syncState: (chain) => ({ startingBlock: 0, currentBlock: chain.bestNumber, highestBlock: chain.bestNumber }),
  system_accountNextIndex: (chain, [who]) => nextIndex(chain, who),
  account_nextIndex: (chain, [who]) => nextIndex(chain, who),

  author_submitExtrinsic: (chain, [xt]) => chain.submit(hexToU8a(hexParam(xt, 'extrinsic'))),
  author_submitAndWatchExtrinsic: submitAndWatch,
  author_pendingExtrinsics: (chain) => chain.pool.all().map((e) => u8aToHex(e.xt.bytes)),

  grandpa_proveFinality: (chain, [n]) => {
    const proof = chain.proveFinality(blockNumberParam(n));
    return proof ? u8aToHex(proof) : null;
  },
  grandpa_subscribeJustifications: (chain) =>
    new Subscription('grandpa_justifications', (emit) => chain.grandpa.onJustification((justification) => emit(u8aToHex(justification)))),
  grandpa_roundState: (chain) => chain.grandpa.roundState(),

  engine_createBlock: createBlock,
  engine_finalizeBlock: async (chain, [hash]) => {
    await chain.finalize(hexParam(hash, 'block hash'));
    return true;
  },
};

export function rpcMethodNames(): string[] {
  return [...Object.keys(METHODS), ...Object.keys(UNSUBSCRIBE), 'rpc_methods'].sort();
}
