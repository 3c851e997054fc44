import { createHmac } from 'node:crypto';

import { u8aEq, u8aToHex } from '@polkadot/util';

import {
  ENV_MESSAGE_VERSION,
  ENV_NAME_PATTERN,
  MAX_ENV_VALUE_CHARS,
  OLM_ENV_LOW_WATER,
  OLM_ENV_TARGET_KEYS,
  olmBase64,
  ScaleReader,
  SealbridgeError,
  shardToBase58,
  type EnvMessage,
  type SetEnvStatus,
} from '@sealbridge/chain-types';
import type { Logger } from '@sealbridge/chain-types/log';
import type { HostOcalls, SealedWrite } from '@sealbridge/enclave-api';

import type { TrustedEnclave } from '../enclave.js';
import { EnclaveError } from '../errors.js';
import { preKeyMessageId as olmPreKeyMessageId } from '../olm-vault.js';
import type { ParentchainBlock } from './block.js';
import type { ChainContext } from './chain.js';
import type { HostStore } from './host.js';
import type { EnclaveMetrics } from './metrics.js';
import type { EnclaveAccount } from './signer.js';

/** libolm holds at most this many unused one-time keys. */
const OLM_KEY_CAPACITY = 100;

interface EnvEntry {
  name: string;
  value: string;
  /** 0x-hex account that set it; only that account may change or delete it. */
  setter: string;
  block: number;
}

interface EnvSet {
  shard: Uint8Array;
  worker: Uint8Array;
  sender: Uint8Array;
  senderIdentityKey: Uint8Array;
  oneTimeKey: Uint8Array;
  preKeyMessage: Uint8Array;
}

/** One block's effect on the env, committed in the block's LevelDB batch. */
export interface EnvBlockChanges {
  writes: SealedWrite[];
  /** SCALE(RuntimeCall) of each `WorkerEnv.set_env_result` acknowledgement. */
  acks: Array<{ kind: string; call: Uint8Array }>;
  /** Once the block's result is final: updates the in-memory env and re-checks the keys if any were claimed. */
  committed(): void;
}

const MESSAGE_ERRORS = new Set<string>(['OLM_BAD_MESSAGE', 'OLM_UNKNOWN_ONE_TIME_KEY', 'INVALID_ARGUMENT']);
/** Host keys: `env/` ‖ HMAC(shard, name) for a variable (the name is inside the sealed value), `env-seen/` ‖ message id. */
const ENV_PREFIX = 'env/';
const SEEN_PREFIX = 'env-seen/';
const sealPurpose = (key: string) => `olm-env:${key}`;
const utf8 = new TextEncoder();

/** Why a claim was refused; the code is the status acknowledged on chain. */
class EnvMessageError extends SealbridgeError<SetEnvStatus> {}

export interface OlmEnvDeps {
  enclave: TrustedEnclave;
  store: HostStore;
  chain: () => ChainContext;
  account: EnclaveAccount;
  ocalls: HostOcalls;
  shard: Uint8Array;
  log: Logger;
  metrics: EnclaveMetrics;
  /** Told after a block changed variables (so running Smart Workers restart with the new env). */
  onChanged?: () => Promise<void>;
}

/**
 * Env secrets delivered through `WorkerEnv.set_env` (Olm v1 pre-key messages to one-time keys the enclave
 * published). Values live only sealed in the worker's store and in memory for the Smart Worker runtime.
 * Crash safety: the enclave consumes the one-time key and seals the plaintext in ONE write (`retain`); the
 * resulting variables, the replay record and the acknowledgement go into the block's LevelDB batch; only once the
 * host says that batch is written (`release`, with a later block) does the enclave forget the plaintext. A crash
 * anywhere re-imports the block and gets the same answer.
 */
export class OlmEnv {
  readonly #deps: OlmEnvDeps;
  readonly #account: Uint8Array;
  readonly #vars: Map<string, EnvEntry>;
  readonly #keyId: Buffer;
  #attached = false;
  /** Plaintexts the enclave retains until the host has committed the block that consumed them. */
  #retained: Array<{ block: number; ids: string[] }> = [];
  /** Hash of our publish_olm_keys extrinsic not yet seen in an imported block. */
  #publishing: string | undefined;
  #replenishing: Promise<void> | undefined;
  #recheck = false;
  #closed = false;
  #revision = 0;

  private constructor(deps: OlmEnvDeps, vars: Map<string, EnvEntry>) {
    this.#deps = deps;
    this.#account = deps.enclave.signerPublicKey();
    this.#vars = vars;
    this.#keyId = deps.enclave.deriveKey('env-key-id');
    deps.metrics.define('sealbridge_env_messages_total', 'counter', 'WorkerEnv.set_env claims addressed to this worker, by status');
    deps.metrics.define('sealbridge_olm_keys_published_total', 'counter', 'Olm one-time keys published on chain');
  }

  /** Loads the sealed variables and forgets retained plaintexts whose block is already committed. */
  static async open(deps: OlmEnvDeps): Promise<OlmEnv> {
    const vars = new Map<string, EnvEntry & { shard: string }>();
    for (const [key, sealed] of await deps.store.scan(ENV_PREFIX)) {
      const entry = JSON.parse(Buffer.from(deps.enclave.unseal(sealPurpose(key), sealed)).toString('utf8')) as EnvEntry & { shard: string };
      if (entry.shard === u8aToHex(deps.shard)) vars.set(entry.name, entry);
    }
    const retained = deps.enclave.olmRetainedPreKeyMessages();
    const done: string[] = [];
    for (const id of retained) if (await deps.store.get(SEEN_PREFIX + id)) done.push(id);
    await deps.enclave.olmReleasePreKeyMessages(done);
    deps.log.info('env loaded', { variables: vars.size, retainedPending: retained.length - done.length });
    return new OlmEnv(deps, vars);
  }

  /** Forgets the plaintexts of set_env claims in blocks up to `committed`: the host has their results durably. */
  async release(committed: number): Promise<void> {
    const done = this.#retained.filter((r) => r.block <= committed);
    if (done.length === 0) return;
    this.#retained = this.#retained.filter((r) => r.block > committed);
    await this.#deps.enclave.olmReleasePreKeyMessages(done.flatMap((r) => r.ids));
  }

  /** Starts publishing Olm keys once the import runs (the env is needed earlier, by the Smart Worker runtime). */
  attach(): void {
    if (!this.#deps.chain().tx.workerEnv) {
      this.#deps.log.info('the parentchain has no WorkerEnv pallet: no Olm keys are published');
      return;
    }
    this.#attached = true;
    this.replenish();
  }

  /** Variables for a Smart Worker bound to `shardLabel` (hex or base58); none for other shards. */
  envFor(shardLabel: string | undefined): Record<string, string> {
    const { shard } = this.#deps;
    if (shardLabel !== u8aToHex(shard) && shardLabel !== shardToBase58(shard)) return {};
    return Object.fromEntries([...this.#vars].map(([name, entry]) => [name, entry.value]));
  }

  /** Counts committed changes of the variables, so cached `env_names` answers can tell they are stale. */
  get revision(): number {
    return this.#revision;
  }

  /** Names `who` (0x-hex account) set, for the `env_names` getter; `scope` is our shard or our enclave account. */
  namesSetBy(who: Uint8Array, scope: Uint8Array): string[] {
    if (!u8aEq(scope, this.#deps.shard) && !u8aEq(scope, this.#account)) return [];
    const setter = u8aToHex(who);
    return [...this.#vars].filter(([, entry]) => entry.setter === setter).map(([name]) => name).sort();
  }

  /** Handles the block's `WorkerEnv.EnvSet` events. Never throws for bad input: every claim gets a status. */
  async processBlock(block: ParentchainBlock): Promise<EnvBlockChanges> {
    const { enclave, store, log, metrics, shard } = this.#deps;
    const writes: SealedWrite[] = [];
    const acks: EnvBlockChanges['acks'] = [];
    const retainedHere: string[] = [];
    const staged = new Map<string, EnvEntry | null>();
    const seenHere = new Set<string>();
    let claimedFromUs = false;
    if (this.#publishing !== undefined && block.extrinsics.some((xt) => xt.hash() === this.#publishing)) {
      this.#publishing = undefined;
      claimedFromUs = true; // re-check the chain's count now that our publish landed (or failed)
    }

    for (const [eventIndex, record] of block.events.entries()) {
      if (record.event.section !== 'workerEnv' || record.event.method !== 'EnvSet') continue;
      let claim: EnvSet;
      try {
        claim = decodeEnvSet(record.event.fields);
      } catch (error) {
        log.warn('unreadable EnvSet event skipped', { block: block.number, event: eventIndex, error: (error as Error).message });
        metrics.inc('sealbridge_env_messages_total', { status: 'unreadable' });
        continue;
      }
      if (!u8aEq(claim.worker, this.#account)) {
        log.info('set_env for another worker ignored', { block: block.number, event: eventIndex, worker: u8aToHex(claim.worker) });
        continue;
      }
      claimedFromUs = true;
      const ciphertext = Buffer.from(claim.preKeyMessage).toString('base64');
      const id = olmPreKeyMessageId(ciphertext);
      const where = { block: block.number, event: eventIndex, sender: u8aToHex(claim.sender), message: id.slice(0, 16) };
      let status: SetEnvStatus;
      try {
        if (!u8aEq(claim.shard, shard)) throw new EnvMessageError('WrongShard', `claim is for shard ${u8aToHex(claim.shard)}`);
        if (seenHere.has(id) || (await store.get(SEEN_PREFIX + id))) throw new EnvMessageError('Replayed', 'pre-key message was delivered before');
        let plaintext: Uint8Array;
        try {
          plaintext = await enclave.olmDecryptPreKey(
            { senderIdentityKey: olmBase64(claim.senderIdentityKey), oneTimeKey: olmBase64(claim.oneTimeKey), ciphertext },
            { retain: true },
          );
        } catch (error) {
          // Anything but a verdict on the message itself (a closed enclave, a storage failure) is retried with the block.
          if (!(error instanceof EnclaveError) || !MESSAGE_ERRORS.has(error.code)) throw error;
          throw new EnvMessageError('Undecryptable', `${error.code}: ${error.message}`);
        }
        retainedHere.push(id);
        const changes = parseEnvMessage(plaintext, claim);
        for (const name of Object.keys(changes)) {
          const current = staged.has(name) ? staged.get(name) : this.#vars.get(name);
          if (current && current.setter !== u8aToHex(claim.sender)) throw new EnvMessageError('NotPermitted', `${name} belongs to another account`);
        }
        for (const [name, value] of Object.entries(changes)) {
          staged.set(name, value === null ? null : { name, value, setter: u8aToHex(claim.sender), block: block.number });
        }
        status = 'Stored';
        log.info('env variables stored', { ...where, variables: Object.keys(changes).length });
      } catch (error) {
        if (!(error instanceof EnvMessageError)) throw error;
        status = error.code;
        log.warn('set_env rejected', { ...where, status, reason: error.message });
        // The chain consumed this one-time key: drop it in the enclave too (a no-op when decryption used it).
        await enclave.olmDiscardOneTimeKey(olmBase64(claim.oneTimeKey));
      }
      metrics.inc('sealbridge_env_messages_total', { status });
      if (status !== 'Replayed') {
        seenHere.add(id);
        writes.push({ key: SEEN_PREFIX + id, value: utf8.encode(JSON.stringify({ block: block.number, event: eventIndex, status })) });
      }
      acks.push({ kind: 'env_result', call: this.#deps.chain().tx.workerEnv!.setEnvResult!(claim.oneTimeKey, status).toU8a() });
    }

    for (const [name, entry] of staged) {
      const key = ENV_PREFIX + createHmac('sha256', this.#keyId).update(shard).update(name).digest('hex');
      writes.push({ key, value: entry === null ? undefined : enclave.seal(sealPurpose(key), utf8.encode(JSON.stringify({ ...entry, shard: u8aToHex(shard) }))) });
    }
    return {
      writes,
      acks,
      // Retained plaintexts are released once the host says it committed this block (`release`), or at the next start.
      committed: () => {
        if (retainedHere.length > 0) this.#retained.push({ block: block.number, ids: retainedHere });
        for (const [name, entry] of staged) {
          if (entry === null) this.#vars.delete(name);
          else this.#vars.set(name, entry);
        }
        if (staged.size > 0) {
          this.#revision++;
          void this.#deps.onChanged?.().catch((error: unknown) => log.warn('reloading Smart Workers after an env change failed', { error }));
        }
        if (claimedFromUs) this.replenish();
      },
    };
  }

  /**
   * Checks the chain's one-time keys (and publishes more) in the background. A trigger that arrives while a check
   * runs makes it run once more: that check may have read the chain before the newest claims landed.
   */
  replenish(): void {
    if (this.#closed) return;
    if (this.#replenishing) {
      this.#recheck = true;
      return;
    }
    this.#replenishing = (async () => {
      do {
        this.#recheck = false;
        await this.#replenish().catch((error: unknown) => this.#deps.log.warn('publishing Olm keys failed, will retry', { error: (error as Error).message }));
      } while (this.#recheck && !this.#closed);
    })().finally(() => {
      this.#replenishing = undefined;
    });
  }

  async #replenish(): Promise<void> {
    if (!this.#attached || this.#publishing) return;
    const { enclave, log, metrics, ocalls, account } = this.#deps;
    const chain = this.#deps.chain();
    const workerEnv = chain.query.workerEnv!;
    const identity = new Uint8Array(Buffer.from(enclave.olmIdentityKey(), 'base64'));
    // polkadot-js' decorated storage gives the key with a length prefix.
    const storageKey = (entry: (arg: Uint8Array) => Uint8Array) => new ScaleReader(entry(this.#account), 'StorageKey').bytesWithLength();
    // Public chain state, read through the host (the light client will prove it).
    const [identityValue, keysValue] = await ocalls.read_storage({ keys: [storageKey(workerEnv.identityKeys as never), storageKey(workerEnv.oneTimeKeys as never)], at: undefined });
    const valueType = (entry: { meta: { type: { asMap: { value: unknown } } } }) => chain.registry.createLookupType(entry.meta.type.asMap.value as never);
    const onChainIdentity = identityValue && chain.registry.createTypeUnsafe(valueType(workerEnv.identityKeys as never), [identityValue]).toU8a();
    const available = identityValue && u8aEq(onChainIdentity!, identity)
      ? keysValue ? (chain.registry.createTypeUnsafe(valueType(workerEnv.oneTimeKeys as never), [keysValue]) as unknown as unknown[]).length : 0
      : 0;
    const sameIdentity = identityValue !== undefined && u8aEq(onChainIdentity!, identity);
    if (sameIdentity && available >= OLM_ENV_LOW_WATER) return;
    const count = Math.min(OLM_ENV_TARGET_KEYS - available, OLM_KEY_CAPACITY - enclave.olmOneTimeKeyCount());
    if (count <= 0) {
      log.warn('cannot publish Olm one-time keys: the enclave holds the maximum number of unused keys', { available });
      return;
    }
    if (this.#closed) return;
    const keys = Object.values(await enclave.olmGenerateOneTimeKeys(count)).map((key) => new Uint8Array(Buffer.from(key, 'base64')));
    // Marked before the extrinsic is persisted: a crash in between strands these keys (capacity), whereas the
    // other order would republish them with the next batch and the chain would refuse it as duplicates forever.
    await enclave.olmMarkKeysAsPublished();
    const call = chain.tx.workerEnv!.publishOlmKeys!(u8aToHex(identity), keys.map((key) => u8aToHex(key))).toU8a();
    const extrinsic = account.sign(call, 'olm_keys');
    this.#publishing = u8aToHex(extrinsic.hash);
    await ocalls.send_extrinsic({ extrinsic, origin: 0 });
    metrics.inc('sealbridge_olm_keys_published_total', {}, keys.length);
    log.info('publishing Olm one-time keys', { keys: keys.length, availableOnChain: available, identityChanged: !sameIdentity });
  }

  /** Waits for a running key check; later triggers are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#replenishing;
  }
}

/** `EnvSet { shard, worker, sender, sender_identity_key, one_time_key, pre_key_message }`, read by position. */
function decodeEnvSet(fields: Readonly<Record<string, unknown>>): EnvSet {
  const values = Object.values(fields);
  const sizes = [32, 32, 32, 32, 32, undefined];
  if (values.length !== sizes.length || values.some((v, i) => !(v instanceof Uint8Array) || (sizes[i] !== undefined && v.length !== sizes[i]))) {
    throw new EnvMessageError('Malformed', `EnvSet fields do not have the expected shape (${values.length} fields)`);
  }
  const [shard, worker, sender, senderIdentityKey, oneTimeKey, preKeyMessage] = values as Uint8Array[];
  return { shard: shard!, worker: worker!, sender: sender!, senderIdentityKey: senderIdentityKey!, oneTimeKey: oneTimeKey!, preKeyMessage: preKeyMessage! };
}

/** Parses and checks the decrypted `EnvMessage` against the claim it came with (unknown key-share defence). */
function parseEnvMessage(plaintext: Uint8Array, claim: EnvSet): Record<string, string | null> {
  let message: EnvMessage;
  try {
    message = JSON.parse(Buffer.from(plaintext).toString('utf8')) as EnvMessage;
  } catch {
    throw new EnvMessageError('Malformed', 'plaintext is not JSON');
  }
  if (typeof message !== 'object' || message === null || message.v !== ENV_MESSAGE_VERSION) throw new EnvMessageError('Malformed', 'unknown message version');
  if (message.shard !== u8aToHex(claim.shard) || message.worker !== u8aToHex(claim.worker) || message.sender !== u8aToHex(claim.sender)) {
    throw new EnvMessageError('WrongBinding', 'shard, worker or sender inside the message differ from the claim');
  }
  const env = message.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.keys(env).length === 0) throw new EnvMessageError('Malformed', 'env must be a non-empty object');
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME_PATTERN.test(name)) throw new EnvMessageError('Malformed', `a variable name does not match ${ENV_NAME_PATTERN}`); // not echoed: it may be a misplaced value
    if (value !== null && (typeof value !== 'string' || value.length > MAX_ENV_VALUE_CHARS)) throw new EnvMessageError('Malformed', `value of ${name} must be a string of at most ${MAX_ENV_VALUE_CHARS} characters or null`);
  }
  return env;
}
