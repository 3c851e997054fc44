import type { KeyringPair } from '@polkadot/keyring/types';
import { resolveSigner } from '../accounts.js';
import type { Context } from '../context.js';
import type { TrustedTarget } from './target.js';

/** Incognito signers are looked up in the shard's trusted keystore first, then the parentchain keystore. */
export async function resolveTrustedSigner(ctx: Context, target: TrustedTarget, arg: string): Promise<KeyringPair> {
  try {
    return await resolveSigner(arg, target.keystore);
  } catch (error) {
    return resolveSigner(arg, ctx.keystore).catch(() => Promise.reject(error));
  }
}
