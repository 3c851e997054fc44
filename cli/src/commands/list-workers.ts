import type { ApiPromise } from '@polkadot/api';
import { hexToString, hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import { base58Encode, decodeAddress } from '@polkadot/util-crypto';
import { toSs58 } from '../accounts.js';
import { defineCommand } from '../context.js';

export interface ShardActivity {
  readonly shard: string;
  readonly lastActivity: number;
}

export interface WorkerInfo {
  readonly account: string;
  readonly accountHex: string;
  readonly mrenclave: string;
  readonly url: string | null;
  readonly attestationMethod: string;
  readonly status: string;
  readonly timestamp: number;
  readonly shards: ShardActivity[];
}

type Json = Record<string, unknown>;

/** `{skip:{proxied:false}}` → `Skip{proxied:false}`, `"ias"` → `Ias`. */
function variantName(value: unknown): string {
  if (typeof value === 'string') return value.charAt(0).toUpperCase() + value.slice(1);
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value)[0] ?? ['?', null];
    const fields = inner && typeof inner === 'object' ? `{${Object.entries(inner).map(([k, v]) => `${k}:${String(v)}`).join(',')}}` : '';
    return variantName(key) + fields;
  }
  return String(value);
}

/** Registered sovereign enclaves with the shards they were last active on (`EnclaveBridge.ShardStatus`). */
export async function listWorkers(api: ApiPromise): Promise<WorkerInfo[]> {
  const [enclaves, statuses] = await Promise.all([
    api.query.teerex.sovereignEnclaves.entries(),
    api.query.enclaveBridge.shardStatus.entries(),
  ]);
  const activity = new Map<string, ShardActivity[]>();
  for (const [key, value] of statuses) {
    const shard = base58Encode(key.args[0].toU8a());
    for (const status of (value.toJSON() ?? []) as Json[]) {
      // AccountIds serialise to SS58 or hex depending on the registry; decodeAddress takes both.
      const signer = toSs58(decodeAddress(status.signer as string));
      activity.set(signer, [...(activity.get(signer) ?? []), { shard, lastActivity: Number(status.lastActivity) }]);
    }
  }
  return enclaves.map(([key, value]) => {
    const accountId = key.args[0].toU8a();
    const account = toSs58(accountId);
    const json = value.toJSON() as Json;
    const sgx = (json.sgx ?? json) as Json;
    const url = typeof sgx.url === 'string' && isHex(sgx.url) ? hexToString(sgx.url) : ((sgx.url as string | null) ?? null);
    return {
      account,
      accountHex: u8aToHex(accountId),
      mrenclave: base58Encode(hexToU8a(sgx.mrEnclave as string)),
      url,
      attestationMethod: variantName(sgx.attestationMethod),
      status: variantName(sgx.status),
      timestamp: Number(sgx.timestamp),
      shards: activity.get(account) ?? [],
    };
  });
}

/**
 * The shards the registered enclaves serve, each with the enclaves serving it: an enclave confirms blocks for the
 * shard named by its MRENCLAVE (`EnclaveBridge` accepts no other without a shard config), and for every shard it was
 * active on (`ShardStatus`).
 */
export function servedShards(workers: readonly WorkerInfo[]): Map<string, WorkerInfo[]> {
  const served = new Map<string, WorkerInfo[]>();
  for (const worker of workers) {
    for (const shard of new Set([worker.mrenclave, ...worker.shards.map((s) => s.shard)])) {
      served.set(shard, [...(served.get(shard) ?? []), worker]);
    }
  }
  return served;
}

export const listWorkersCommand = defineCommand({
  command: 'list-workers',
  describe: 'list the enclaves registered on the parentchain (Teerex) with their MRENCLAVE and shard activity',
  async run(ctx) {
    const workers = await listWorkers(await ctx.parentchain());
    const human = [`number of workers registered: ${workers.length}`];
    workers.forEach((w, i) => {
      human.push(
        `Enclave ${i + 1}`,
        `   AccountId: ${w.account}`,
        `   MRENCLAVE: ${w.mrenclave}`,
        `   URL: ${w.url ?? '(none)'}`,
        `   Attestation: ${w.attestationMethod}, status ${w.status}`,
        `   Timestamp: ${new Date(w.timestamp).toISOString()}`,
        ...w.shards.map((s) => `   Shard ${s.shard}: last activity at block #${s.lastActivity}`),
      );
    });
    return { human, quiet: workers.map((w) => `MRENCLAVE: ${w.mrenclave}`), json: { workers } };
  },
});
