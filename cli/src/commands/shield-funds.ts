import { u8aToHex } from '@polkadot/util';
import { parseShard, shardToBase58, shieldEncrypt } from '@sealbridge/chain-types';
import { resolveAccountId, resolveSigner, toSs58 } from '../accounts.js';
import { formatAmount, parseAmount } from '../amount.js';
import { waitForProcessedBlock } from '../confirmation.js';
import { defineCommand } from '../context.js';
import { CliError, CliErrorCode, messageOf } from '../errors.js';
import { signAndWait } from '../parentchain.js';
import { describeStall } from '../worker-sync.js';

export const shieldFundsCommand = defineCommand<{ from: string; to: string; amount: string; shard: string }>({
  command: 'shield-funds <from> <to> <amount> <shard>',
  describe: 'move parentchain funds into an incognito account (EnclaveBridge.shield_funds; waits for Finalized and the worker)',
  builder: (y) =>
    y
      .positional('from', { type: 'string', describe: 'parentchain sender', demandOption: true })
      .positional('to', { type: 'string', describe: 'incognito recipient (encrypted with the worker\'s shielding key)', demandOption: true })
      .positional('amount', { type: 'string', describe: 'e.g. 6UNIT', demandOption: true })
      .positional('shard', { type: 'string', describe: 'shard (base58 or 0x-hex), usually the MRENCLAVE', demandOption: true }),
  async run(ctx, args) {
    const amount = parseAmount(args.amount);
    const to = resolveAccountId(args.to);
    let shard: Uint8Array;
    try {
      shard = parseShard(args.shard);
    } catch (error) {
      throw new CliError(CliErrorCode.BAD_INPUT, messageOf(error), { cause: error });
    }
    const from = await resolveSigner(args.from, ctx.keystore);
    const [api, worker] = await Promise.all([ctx.parentchain(), ctx.worker()]);
    // The incognito account travels RSA-encrypted: only the enclave learns who receives the funds.
    const encrypted = shieldEncrypt(await worker.getShieldingKey(), to);
    const timeoutMs = ctx.options.timeout * 1000;
    // Bytes arguments take hex (raw content); a Uint8Array would be read as already length-prefixed SCALE.
    const tx = api.tx.enclaveBridge.shieldFunds(shard, u8aToHex(encrypted), amount);
    const inclusion = await signAndWait(api, tx, from, 'Finalized', timeoutMs);
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
        `shielded ${formatAmount(amount)} from ${toSs58(from.publicKey)} to incognito ${toSs58(to)} on shard ${shardToBase58(shard)}`,
        `finalized in block #${inclusion.blockNumber} ${inclusion.blockHash}`,
        `confirmed by ProcessedParentchainBlock #${confirmation.blockNumber} (merkle root ${confirmation.merkleRoot}) in block #${confirmation.confirmedIn}`,
      ],
      quiet: [inclusion.extrinsicHash],
      json: {
        from: toSs58(from.publicKey), to: toSs58(to), amount, shard: shardToBase58(shard), extrinsicHash: inclusion.extrinsicHash,
        blockHash: inclusion.blockHash, blockNumber: inclusion.blockNumber, confirmation,
      },
    };
  },
});
