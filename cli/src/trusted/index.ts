import type { Argv } from 'yargs';
import type { CommandSpec } from '../context.js';
import { trustedBalanceCommand } from './commands/balance.js';
import { trustedCallWorkerCommand } from './commands/call-worker.js';
import { trustedGetFingerprintCommand } from './commands/get-fingerprint.js';
import { trustedGetShardVaultCommand } from './commands/get-shard-vault.js';
import { trustedGetShardCommand } from './commands/get-shard.js';
import { trustedListAccountsCommand } from './commands/list-accounts.js';
import { trustedNewAccountCommand } from './commands/new-account.js';
import { trustedNonceCommand } from './commands/nonce.js';
import { trustedSetBalanceCommand } from './commands/set-balance.js';
import { trustedTransferCommand } from './commands/transfer.js';
import { trustedUnshieldFundsCommand } from './commands/unshield-funds.js';

export function trustedOptions(y: Argv): Argv {
  return y
    .option('mrenclave', { type: 'string', describe: 'MRENCLAVE (base58 or 0x-hex) [default: the worker\'s author_getFingerprint]' })
    .option('shard', { type: 'string', describe: 'shard (base58 or 0x-hex) [default: MRENCLAVE]' })
    .option('xt-signer', { alias: 'a', type: 'string', default: '//Alice', describe: 'parentchain account that pays for EnclaveBridge.invoke' })
    .option('direct', { type: 'boolean', default: false, describe: 'submit over the worker RPC (author_submitAndWatchExtrinsic) instead of via the parentchain' });
}

export const trustedCommands: readonly CommandSpec[] = [
  trustedNewAccountCommand,
  trustedListAccountsCommand,
  trustedTransferCommand,
  trustedSetBalanceCommand,
  trustedBalanceCommand,
  trustedNonceCommand,
  trustedUnshieldFundsCommand,
  trustedGetShardCommand,
  trustedGetFingerprintCommand,
  trustedGetShardVaultCommand,
  trustedCallWorkerCommand,
];
