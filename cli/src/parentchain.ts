import '@polkadot/api-augment';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { CliError, CliErrorCode, messageOf } from './errors.js';

/**
 * Connects once, without the provider's endless reconnect loop: a node that is not running is an error after
 * `timeoutMs`, not a hang; a node that stops answering fails each request after `requestTimeoutMs` (--timeout).
 */
export async function connectParentchain(url: string, timeoutMs: number, requestTimeoutMs?: number): Promise<ApiPromise> {
  const unreachable = (why: string, cause?: unknown): CliError =>
    new CliError(CliErrorCode.NODE_UNREACHABLE, `cannot connect to the parentchain node at ${url}: ${why} — is the node running?`, { cause });
  let provider: WsProvider;
  try {
    provider = new WsProvider(url, false, {}, requestTimeoutMs);
  } catch (error) {
    throw new CliError(CliErrorCode.BAD_INPUT, `invalid --node-url '${url}': ${messageOf(error)}`, { cause: error });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        provider.on('connected', () => resolve());
        provider.on('error', (event: unknown) => reject(unreachable(messageOf((event as { error?: unknown })?.error ?? 'connection refused'))));
        provider.connect().catch((error: unknown) => reject(unreachable(messageOf(error), error)));
      }),
      timeout,
    ]);
    return await Promise.race([ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true }), timeout]);
  } catch (error) {
    await provider.disconnect().catch(() => {});
    throw error instanceof CliError ? error : unreachable(messageOf(error), error);
  } finally {
    clearTimeout(timer);
  }
}

/** `balances.InsufficientBalance` → "insufficient funds: …"; other module errors keep their pallet/name. */
function dispatchErrorMessage(api: ApiPromise, error: DispatchError): { code: CliErrorCode; message: string } {
  if (error.isModule) {
    const { section, name, docs } = api.registry.findMetaError(error.asModule);
    const text = `${section}.${name}${docs.length ? ` (${docs.join(' ').trim()})` : ''}`;
    const funds = /InsufficientBalance|FundsUnavailable|ExistentialDeposit|KeepAlive/.test(name);
    return { code: funds ? CliErrorCode.INSUFFICIENT_FUNDS : CliErrorCode.EXTRINSIC_FAILED, message: funds ? `insufficient funds: ${text}` : text };
  }
  if (error.isToken && /FundsUnavailable|BelowMinimum/.test(error.asToken.type)) {
    return { code: CliErrorCode.INSUFFICIENT_FUNDS, message: `insufficient funds: Token.${error.asToken.type}` };
  }
  return { code: CliErrorCode.EXTRINSIC_FAILED, message: error.toString() };
}

export interface Inclusion {
  readonly blockHash: string;
  readonly blockNumber: number;
  readonly extrinsicHash: string;
  readonly events: EventRecord[];
}

/**
 * Signs and submits, resolving when the extrinsic is InBlock or Finalized (as asked) and succeeded.
 * Pool rejections ("Inability to pay some fees") and dispatch errors become CliErrors.
 */
export async function signAndWait(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  until: 'InBlock' | 'Finalized',
  timeoutMs: number,
  nonce?: number,
): Promise<Inclusion> {
  const subscription = new Subscription();
  let timer: NodeJS.Timeout | undefined;
  let stopWatching: (() => void) | undefined;
  try {
    return await new Promise<Inclusion>((resolve, reject) => {
      stopWatching = rejectOnDisconnect(api, reject);
      timer = setTimeout(
        () => reject(new CliError(CliErrorCode.TIMEOUT, `extrinsic ${tx.hash.toHex()} not ${until} after ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      tx.signAndSend(signer, { nonce: nonce ?? -1 }, (result) => {
        const { status, dispatchError, events } = result;
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          reject(new CliError(CliErrorCode.EXTRINSIC_FAILED, `extrinsic ${tx.hash.toHex()} is ${status.type}`));
          return;
        }
        const reached = until === 'InBlock' ? status.isInBlock || status.isFinalized : status.isFinalized;
        if (!reached) return;
        if (dispatchError) {
          const { code, message } = dispatchErrorMessage(api, dispatchError);
          reject(new CliError(code, message));
          return;
        }
        const blockHash = status.isInBlock ? status.asInBlock.toHex() : status.asFinalized.toHex();
        api.rpc.chain
          .getHeader(blockHash)
          .then((header) => resolve({ blockHash, blockNumber: header.number.toNumber(), extrinsicHash: tx.hash.toHex(), events }))
          .catch(reject);
      })
        .then(subscription.set)
        .catch((error: unknown) => {
          // "1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low" → the reason only.
          const message = messageOf(error).replace(/^\d+: Invalid Transaction: /, '').replace(/\s+,/g, ',');
          const funds = /Inability to pay|InsufficientBalance|FundsUnavailable/.test(message);
          reject(new CliError(funds ? CliErrorCode.INSUFFICIENT_FUNDS : CliErrorCode.EXTRINSIC_FAILED,
            funds ? `insufficient funds: ${message}` : `extrinsic rejected: ${message}`, { cause: error }));
        });
    });
  } finally {
    clearTimeout(timer);
    stopWatching?.();
    subscription.end();
  }
}

/** Rejects `reject` when the node connection drops while waiting (autoConnect is off, so it will not come back). */
export function rejectOnDisconnect(api: ApiPromise, reject: (error: CliError) => void): () => void {
  const onDisconnect = (): void => reject(new CliError(CliErrorCode.NODE_UNREACHABLE, 'lost the connection to the parentchain node'));
  api.once('disconnected', onDisconnect);
  return () => api.off('disconnected', onDisconnect);
}

/**
 * An unsubscribe function that may arrive after the waiting is over (polkadot-js resolves it asynchronously):
 * `end()` unsubscribes now or as soon as it arrives.
 */
export class Subscription {
  #unsubscribe?: () => unknown;
  #ended = false;

  readonly set = (unsubscribe: () => unknown): void => {
    if (this.#ended) void unsubscribe();
    else this.#unsubscribe = unsubscribe;
  };

  end(): void {
    this.#ended = true;
    void this.#unsubscribe?.();
  }
}

/** The Balances transfer call of the connected runtime (transfer_allow_death on current runtimes, transfer on old ones). */
export function transferCall(api: ApiPromise, to: Uint8Array, amount: bigint): SubmittableExtrinsic<'promise'> {
  const balances = api.tx.balances;
  const call = balances.transferAllowDeath ?? balances.transfer ?? balances.transferKeepAlive;
  if (!call) throw new CliError(CliErrorCode.EXTRINSIC_FAILED, 'the parentchain runtime has no Balances transfer call');
  return call(to, amount);
}
