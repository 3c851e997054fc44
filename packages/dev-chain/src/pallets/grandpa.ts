import { u8aToHex } from '@polkadot/util';

import type { DispatchContext, PalletDefinition } from '../runtime/pallet.js';

import {
  GRANDPA_AUTHORITIES_KEY,
  GRANDPA_ENGINE_ID,
  authoritiesFromValue,
  authoritiesToValue,
  encodeConsensusLog,
  encodeVersionedAuthorityList,
  type Authority,
} from '../grandpa/codec.js';
import { depositLog } from './system.js';

/** `MaxAuthorities` of the pallet's config (the bound of `Authorities`). */
export const MAX_AUTHORITIES = 100;
const U64_MAX = (1n << 64n) - 1n;

/** `pallet_grandpa::StoredPendingChange`. */
interface PendingChange {
  scheduled_at: number;
  delay: number;
  next_authorities: [Uint8Array, bigint][];
  forced: number | null;
}

function checkedAuthorities(ctx: DispatchContext, value: unknown): Authority[] {
  const list = authoritiesFromValue(value);
  const seen = new Set<string>();
  let total = 0n;
  for (const a of list) {
    const hex = u8aToHex(a.id);
    if (a.weight === 0n || seen.has(hex)) ctx.fail('Grandpa', 'InvalidAuthorityList');
    seen.add(hex);
    total += a.weight;
  }
  if (!list.length || list.length > MAX_AUTHORITIES || total > U64_MAX) ctx.fail('Grandpa', 'InvalidAuthorityList');
  const holds = ctx.params.holdsGrandpaKey;
  if (holds && !list.every((a) => holds(a.id))) ctx.fail('Grandpa', 'UnknownAuthorityKey');
  return list;
}

/** Authorities, `:grandpa_authorities` and the set id as `pallet_grandpa` keeps them. */
function putAuthorities(ctx: { storage: DispatchContext['storage'] }, list: readonly Authority[]): void {
  ctx.storage.set('Grandpa', 'Authorities', [], authoritiesToValue(list));
  ctx.storage.setRaw(GRANDPA_AUTHORITIES_KEY, encodeVersionedAuthorityList(list));
}

/**
 * `pallet_grandpa` as the dev chain needs it: the authority set (`Authorities`, the well-known `:grandpa_authorities`
 * and `CurrentSetId`), and scheduled set changes — signalled in the header digest as `Consensus(FRNK,
 * ScheduledChange)` by `on_finalize` of the block that scheduled them, enacted by `on_finalize` of block
 * `scheduled_at + delay` (Authorities, `:grandpa_authorities`, CurrentSetId + 1, `NewAuthorities`). The node side
 * (`grandpa/finality.ts`) reads the digest as a Substrate node does. No Session pallet here, so a change is scheduled
 * by root (`Sudo.sudo(Grandpa.schedule_change(..))`), a dev chain extension; equivocation reports, `note_stalled`,
 * forced changes and pause/resume are not implemented.
 */
export const GRANDPA_PALLET: PalletDefinition = {
  name: 'Grandpa',
  index: 3,
  crate: 'pallet_grandpa',
  types: {
    Ed25519Public: { path: 'sp_core::ed25519::Public', fields: ['[u8; 32]'] },
    GrandpaAuthorityId: { path: 'sp_consensus_grandpa::app::Public', fields: ['Ed25519Public'] },
    AuthorityWeight: { alias: 'u64' },
    SetId: { alias: 'u64' },
    AuthorityList: { alias: 'Vec<(GrandpaAuthorityId, AuthorityWeight)>' },
    BoundedAuthorityList: { alias: `WeakBoundedVec<(GrandpaAuthorityId, AuthorityWeight), ${MAX_AUTHORITIES}>` },
    StoredPendingChange: {
      path: 'pallet_grandpa::StoredPendingChange',
      params: { N: 'u32' },
      fields: { scheduled_at: 'BlockNumber', delay: 'BlockNumber', next_authorities: 'BoundedAuthorityList', forced: 'Option<BlockNumber>' },
    },
  },
  calls: [
    {
      name: 'schedule_change',
      index: 3,
      args: [
        ['next_authorities', 'AuthorityList'],
        ['delay', 'BlockNumber'],
      ],
      origin: 'root',
      weight: 20_000_000n,
      docs: [
        'Dev chain extension (root): schedule a GRANDPA authority set change, signalled in this block\'s digest and',
        'enacted `delay` blocks later. The node must hold every key of the new set (it is every authority).',
      ],
      handler: (ctx, args) => {
        const next = checkedAuthorities(ctx, args.next_authorities);
        if (ctx.storage.has('Grandpa', 'PendingChange')) ctx.fail('Grandpa', 'ChangePending');
        const change: PendingChange = { scheduled_at: ctx.blockNumber, delay: args.delay as number, next_authorities: authoritiesToValue(next), forced: null };
        ctx.storage.set('Grandpa', 'PendingChange', [], change);
      },
    },
  ],
  events: [
    { name: 'NewAuthorities', index: 0, fields: { authority_set: 'AuthorityList' }, docs: ['New authority set has been applied.'] },
    { name: 'Paused', index: 1, docs: ['Current authority set has been paused.'] },
    { name: 'Resumed', index: 2, docs: ['Current authority set has been resumed.'] },
  ],
  // pallet_grandpa's errors, then the dev chain's two.
  errors: [
    'PauseFailed',
    'ResumeFailed',
    'ChangePending',
    'TooSoon',
    'InvalidKeyOwnershipProof',
    'InvalidEquivocationProof',
    'DuplicateOffenceReport',
    'InvalidAuthorityList',
    'UnknownAuthorityKey',
  ],
  storage: [
    { name: 'PendingChange', type: 'StoredPendingChange', modifier: 'Optional', docs: ['Pending change: (signaled at, scheduled change).'] },
    { name: 'CurrentSetId', type: 'SetId', modifier: 'Default', docs: ['The number of changes (both in terms of keys and underlying economic responsibilities) in the "set" of Grandpa validators from genesis.'] },
    { name: 'Authorities', type: 'BoundedAuthorityList', modifier: 'Default', docs: ['The current list of authorities.'] },
  ],
  constants: [{ name: 'MaxAuthorities', type: 'u32', value: MAX_AUTHORITIES }],
  genesis: ({ storage, grandpaAuthorities }) => {
    putAuthorities({ storage }, grandpaAuthorities.map(([id, weight]) => ({ id, weight })));
    storage.set('Grandpa', 'CurrentSetId', [], 0n);
  },
  onFinalize: (ctx) => {
    const pending = ctx.storage.get('Grandpa', 'PendingChange') as PendingChange | undefined;
    if (!pending) return;
    const next = authoritiesFromValue(pending.next_authorities);
    if (ctx.blockNumber === pending.scheduled_at) {
      depositLog(ctx.storage, { name: 'Consensus', value: [GRANDPA_ENGINE_ID, encodeConsensusLog({ kind: 'ScheduledChange', next, delay: pending.delay })] });
    }
    if (ctx.blockNumber === pending.scheduled_at + pending.delay) {
      putAuthorities(ctx, next);
      // The set id counts enacted changes here (pallet_grandpa bumps it when a session schedules one, with delay 0 the same block).
      ctx.storage.set('Grandpa', 'CurrentSetId', [], (ctx.storage.get('Grandpa', 'CurrentSetId') as bigint) + 1n);
      ctx.deposit('Grandpa', 'NewAuthorities', { authority_set: pending.next_authorities });
      ctx.storage.remove('Grandpa', 'PendingChange');
    }
  },
};
