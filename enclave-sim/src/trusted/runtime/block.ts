import type { BlockEvent, BlockExtrinsic } from '@sealbridge/chain-types';

/** One finalized parentchain block as the enclave reads it: decoded with the chain's metadata inside the enclave. */
export interface ParentchainBlock {
  number: number;
  hash: string;
  parentHash: string;
  extrinsics: BlockExtrinsic[];
  events: BlockEvent[];
}
