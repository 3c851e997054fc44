import { u8aToHex } from '@polkadot/util';
import { base58Encode } from '@polkadot/util-crypto';
import { parseShard, shardToBase58, shieldEncrypt } from '@sealbridge/chain-types';
import { resolveAccountId, resolveSigner, toSs58 } from '../accounts.js';
import { formatAmount, parseAmount } from '../amount.js';
import { waitForProcessedBlock } from '../confirmation.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { signAndWait } from '../parentchain.js';
import { describeStall } from '../worker-sync.js';
import { listWorkers, servedShards } from './list-workers.js';

export const shieldFundsCommand = defineCommand<{ from: string; to: string; amount: string; shard: string; force: boolean }>({
  command: 'shield-funds <from> <to> <amount> <shard>',
  describe: 'move parentchain funds into an incognito account (EnclaveBridge.shield_funds; waits for Finalized and the worker)',
  builder: (y) =>
    y
      .positional('from', { type: 'string', describe: 'parentchain sender', demandOption: true })
      .positional('to', { type: 'string', describe: 'incognito recipient (encrypted with the worker\'s shielding key)', demandOption: true })
      .positional('amount', { type: 'string', describe: 'e.g. 6UNIT', demandOption: true })
      .positional('shard', { type: 'string', describe: 'shard (base58 or 0x-hex), usually the MRENCLAVE', demandOption: true })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'shield even to a shard no registered enclave serves, or through a worker of another MRENCLAVE (the funds stay in the shard vault until an enclave of the shard credits them)',
      }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const to = resolveAccountId(args.to);
    let shard: Uint8Array;
    try {
      shard = parseShard(args.shard);
    } catch (error) {
      throw new CliError(CliErrorCode.BAD_INPUT, messageOf(error), { cause: error });
    }
    const shardB58 = shardToBase58(shard);
    const from = await resolveSigner(args.from, ctx.keystore);
    const api = await ctx.parentchain();
    // The vault takes the funds whoever serves the shard; only an enclave of the shard can credit (and later unshield) them.
    const served = servedShards(await listWorkers(api));
    const enclaves = served.get(shardB58);
    if (!enclaves && !args.force) {
      const list = served.size ? [...served.keys()].join(', ') : 'none';
      throw new CliError(
        CliErrorCode.SHARD_NOT_SERVED,
        `no registered enclave serves shard ${shardB58}: nothing would credit the funds, and they could not be unshielded; shards served: ${list} (--force shields anyway)`,
      );
    }
    const worker = await ctx.worker();
    // The recipient is encrypted to the --worker-url worker's key: an enclave of another MRENCLAVE could not read it.
    if (enclaves && !args.force) {
      const fingerprint = base58Encode(await worker.getFingerprint());
      if (!enclaves.some((e) => e.mrenclave === fingerprint)) {
        throw new CliError(
          CliErrorCode.MRENCLAVE_MISMATCH,
          `the worker at ${ctx.options.workerUrl} runs MRENCLAVE ${fingerprint}, but shard ${shardB58} is served by MRENCLAVE ${[...new Set(enclaves.map((e) => e.mrenclave))].join(', ')} (--force shields anyway)`,
        );
      }
    }
    // The incognito account travels RSA-encrypted: only the enclave learns who receives the funds.
    const encrypted = shieldEncrypt(await worker.getShieldingKey(), to);
    const timeoutMs = ctx.options.timeout * 1000;
    // Bytes arguments take hex (raw content); a Uint8Array would be read as already length-prefixed SCALE.
    const tx = api.tx.enclaveBridge.shieldFunds(shard, u8aToHex(encrypted), amount);
    const inclusion = await signAndWait(api, tx, from, 'Finalized', timeoutMs);
    const shielded = `shielded ${formatAmount(amount)} from ${toSs58(from.publicKey)} to incognito ${toSs58(to)} on shard ${shardB58}`;
    const finalized = `finalized in block #${inclusion.blockNumber} ${inclusion.blockHash}`;
    const json = {
      from: toSs58(from.publicKey), to: toSs58(to), amount, shard: shardB58, extrinsicHash: inclusion.extrinsicHash,
      blockHash: inclusion.blockHash, blockNumber: inclusion.blockNumber,
    };
    if (!enclaves) {
      // Forced to a shard nobody serves: no confirmation can come.
      return {
        human: [shielded, finalized, `not confirmed: no registered enclave serves shard ${shardB58}`],
        quiet: [inclusion.extrinsicHash],
        json: { ...json, confirmation: null },
      };
    }
    const waiting = `waiting for the worker to confirm block #${inclusion.blockNumber}`;
    const spinner = ctx.out.spinner(waiting);
    const confirmation = await waitForProcessedBlock(api, {
      shard,
      blockHash: inclusion.blockHash,
      blockNumber: inclusion.blockNumber,
      timeoutMs,
      worker,
      onProgress: (c) => spinner.update(`${waiting} (last confirmed #${c.blockNumber})`),
      onStall: (stall) => spinner.update(`${waiting}: ${describeStall(stall)}`),
    }).finally(() => spinner.stop());
    return {
      human: [
        shielded,
        finalized,
        `confirmed by ProcessedParentchainBlock #${confirmation.blockNumber} (merkle root ${confirmation.merkleRoot}) in block #${confirmation.confirmedIn}`,
      ],
      quiet: [inclusion.extrinsicHash],
      json: { ...json, confirmation },
    };
  },
});
