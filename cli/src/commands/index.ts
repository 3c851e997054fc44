import type { CommandSpec } from '../context.js';
import { balanceCommand } from './balance.js';
import { devChainCommand } from './dev-chain.js';
import { faucetCommand } from './faucet.js';
import { listAccountsCommand } from './list-accounts.js';
import { listEnvCommand } from './list-env.js';
import { listWorkersCommand } from './list-workers.js';
import { listenCommand } from './listen.js';
import { newAccountCommand } from './new-account.js';
import { printMetadataCommand } from './print-metadata.js';
import { setEnvCommand } from './set-env.js';
import { shieldFundsCommand } from './shield-funds.js';
import { transferCommand } from './transfer.js';
import { upCommand } from './up.js';
import { verifyWorkerCommand } from './verify-worker.js';

/** integritee-cli "base" commands, in its order. */
export const parentchainCommands: readonly CommandSpec[] = [
  balanceCommand,
  newAccountCommand,
  listAccountsCommand,
  printMetadataCommand,
  faucetCommand,
  transferCommand,
  listWorkersCommand,
  listenCommand,
  shieldFundsCommand,
];

export const stackCommands: readonly CommandSpec[] = [devChainCommand, upCommand, verifyWorkerCommand, setEnvCommand, listEnvCommand];
