/**
 * The set_env wire format (docs/olm-set-env.md): what a sender encrypts in its Olm pre-key message and the
 * status the enclave acknowledges on chain. Senders (the CLI) and the enclave both read it from here.
 */

/** Version of the plaintext format `{v, shard, worker, sender, env}` inside the Olm pre-key message. */
export const ENV_MESSAGE_VERSION = 1;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const MAX_ENV_VALUE_CHARS = 4096;
/** Below this many unclaimed one-time keys on chain, the enclave publishes more. */
export const OLM_ENV_LOW_WATER = 10;
/** How many unclaimed one-time keys the enclave keeps on chain: half of libolm's 100, as vodozemac advises. */
export const OLM_ENV_TARGET_KEYS = 50;

/** `WorkerEnv::SetEnvStatus`, the acknowledgement the enclave puts on chain for each claim addressed to it. */
export type SetEnvStatus = 'Stored' | 'Replayed' | 'Undecryptable' | 'Malformed' | 'WrongBinding' | 'NotPermitted' | 'WrongShard';

/** What a sender encrypts (JSON, UTF-8). A null value deletes the variable. The ids bind it to one claim. */
export interface EnvMessage {
  v: typeof ENV_MESSAGE_VERSION;
  /** 0x-hex of the shard, the worker's enclave account and the sender's account, as in the `EnvSet` event. */
  shard: string;
  worker: string;
  sender: string;
  env: Record<string, string | null>;
}

/** Olm's key and message encoding: unpadded base64. */
export const olmBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
