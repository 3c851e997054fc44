import assert from 'node:assert/strict';

import { ScaleDecodeError, SealbridgeError } from '@sealbridge/chain-types';

import { JSON_RPC_CODES, RpcServerError, toRpcFailure } from './errors.js';
import type { RpcLogEntry } from './log.js';
import { rpcErrorHex } from './wire.js';

describe('rpc error mapping (toRpcFailure)', () => {
  const logged: RpcLogEntry[] = [];
  const log = (e: RpcLogEntry): void => void logged.push(e);

  it('maps protocol codes, chain-types decode and input errors to JSON-RPC errors', () => {
    assert.deepEqual(toRpcFailure(new RpcServerError('INVALID_PARAMS', 'bad'), 'm', log), { error: { code: -32602, message: 'bad' } });
    const scale = new ScaleDecodeError('SCALE_TRAILING_BYTES', 'Request', 40, '1 bytes left');
    assert.equal((toRpcFailure(scale, 'm', log) as { error: { code: number } }).error.code, JSON_RPC_CODES.INVALID_PARAMS);
    assert.equal((toRpcFailure(new SealbridgeError('INVALID_SHARD', 'x'), 'm', log) as { error: { code: number } }).error.code, -32602);
    assert.equal((toRpcFailure(new RpcServerError('GETTER_DECODE'), 'm', log) as { error: { code: number } }).error.code, -32602);
  });

  it('answers application errors as Error RpcReturnValues, Debug-printed on the submit methods', () => {
    assert.deepEqual(toRpcFailure(new RpcServerError('SHARD_NOT_FOUND'), 'state_executeGetter', log), { result: rpcErrorHex('Shard does not exist') });
    assert.deepEqual(toRpcFailure(new SealbridgeError('SHARD_NOT_FOUND', 'Shard does not exist'), 'author_submitExtrinsic', log), {
      result: rpcErrorHex('Error { code: ServerError(1002), message: "Shard does not exist", data: None }'),
    });
  });

  it('hides unexpected errors behind -32603 and logs them', () => {
    logged.length = 0;
    assert.deepEqual(toRpcFailure(new Error('database on fire'), 'state_getMetadata', log), { error: { code: -32603, message: 'Internal error' } });
    assert.equal(logged.length, 1);
    assert.equal(logged[0].level, 'error');
    assert.equal(logged[0].error, 'database on fire');
  });
});
