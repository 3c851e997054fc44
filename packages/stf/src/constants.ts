// Fees of Integritee worker v0.14.0 (`app-libs/stf/src/lib.rs`): paid to the enclave account before dispatch.
export const STF_TX_FEE = 100_000_000n;
export const STF_UNSHIELD_FEE = 3n * STF_TX_FEE;
/**
 * Blocks an operation's outcome stays in shard state: recorded while executing block b, removed by block b + 256.
 * Long enough for a client to read it after the confirmation, short enough to keep the state bounded.
 */
export const OUTCOME_RETENTION_BLOCKS = 256;
export const MAX_U128 = (1n << 128n) - 1n;
export const MAX_U32 = 0xffff_ffff;
export const ACCOUNT_ID_BYTES = 32;
export const HASH_BYTES = 32;
/** Text stored with the `publish_hash` parentchain call after a shield (Integritee v0.14.0 uses the same text). */
export const SHIELD_PUBLISH_DATA = new TextEncoder().encode('shielded some funds!');
