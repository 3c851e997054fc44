import { ScaleDecodeError } from '@sealbridge/chain-types';

import type { Channel, IncomingRequest } from './channel.js';
import { decode, encode } from './codec.js';
import { ECALLS, type EcallArg, type EcallName, type EcallResult } from './ecalls.js';
import { BoundaryError } from './errors.js';
import { OCALLS, type OcallArg, type OcallName, type OcallResult } from './ocalls.js';

/** The host's view of the enclave: one method per ECALL, each a round trip of SCALE bytes over the channel. */
export type EnclaveEcalls = { [N in EcallName]: (arg: EcallArg<N>) => Promise<EcallResult<N>> };
/** What the host implements for the enclave. */
export type OcallHandlers = { [N in OcallName]: (arg: OcallArg<N>) => Promise<OcallResult<N>> | OcallResult<N> };
/** What the enclave implements for the host. */
export type EcallHandlers = { [N in EcallName]: (arg: EcallArg<N>) => Promise<EcallResult<N>> | EcallResult<N> };
/** The enclave's view of the host: requests resolve with the host's answer, one-way OCALLs return at once. */
export type HostOcalls = {
  [N in OcallName]: (typeof OCALLS)[N]['oneWay'] extends true ? (arg: OcallArg<N>) => void : (arg: OcallArg<N>) => Promise<OcallResult<N>>;
};

type Table = Record<string, { id: number; arg: { name: string }; result: unknown; oneWay?: boolean }>;

function byId<T extends Table>(table: T): Map<number, keyof T & string> {
  return new Map(Object.entries(table).map(([name, spec]) => [spec.id, name]));
}

function serve(channel: Channel, table: Table, handlers: Record<string, (arg: any) => unknown>, what: string): void {
  const names = byId(table);
  channel.serve(async ({ callId, payload }: IncomingRequest) => {
    const name = names.get(callId);
    if (!name) throw new BoundaryError('UNKNOWN_CALL', `no ${what} has id ${callId}`);
    const spec = (table as any)[name];
    let arg: unknown;
    try {
      arg = decode(spec.arg, payload);
    } catch (error) {
      if (error instanceof ScaleDecodeError) throw new BoundaryError('MALFORMED_ARGUMENT', `${name}: ${error.message}`, { cause: error });
      throw error;
    }
    const result = await handlers[name]!(arg);
    return encode(spec.result, result);
  });
}

function client(channel: Channel, table: Table): Record<string, (arg: unknown) => unknown> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]: [string, any]) => [
    name,
    spec.oneWay
      ? (arg: unknown) => channel.notify(spec.id, encode(spec.arg, arg))
      : async (arg: unknown) => decode(spec.result, await channel.request(spec.id, encode(spec.arg, arg))),
  ]));
}

export const ecallClient = (channel: Channel): EnclaveEcalls => client(channel, ECALLS) as unknown as EnclaveEcalls;
export const ocallClient = (channel: Channel): HostOcalls => client(channel, OCALLS) as unknown as HostOcalls;
export const serveEcalls = (channel: Channel, handlers: EcallHandlers): void => serve(channel, ECALLS, handlers, 'ECALL');
export const serveOcalls = (channel: Channel, handlers: OcallHandlers): void => serve(channel, OCALLS, handlers, 'OCALL');
