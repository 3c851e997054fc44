import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types';
import type { RuntimeInfo } from '@sealbridge/enclave-api';
import { BlockDecoder } from '@sealbridge/chain-types';

/**
 * The parentchain as the enclave knows it: its genesis and the runtime the host said it runs, from which the
 * enclave decodes blocks and encodes its own calls. Nothing here talks to the network.
 */
export class ChainContext {
  readonly genesisHash: Uint8Array;
  readonly ss58Prefix: number;
  readonly registry: TypeRegistry;
  readonly metadata: Metadata;
  /** The metadata's calls and storage entries, as `api.tx` / `api.query` would give them. */
  readonly tx: ReturnType<typeof expandMetadata>['tx'];
  readonly query: ReturnType<typeof expandMetadata>['query'];
  readonly runtimeVersion: { specVersion: number; transactionVersion: number };
  readonly extrinsicVersion: number;
  readonly decoder: BlockDecoder;
  readonly metadataBytes: Uint8Array;

  constructor(genesisHash: Uint8Array, runtime: RuntimeInfo, ss58Prefix: number) {
    this.genesisHash = genesisHash;
    this.ss58Prefix = ss58Prefix;
    this.metadataBytes = runtime.metadata;
    this.registry = new TypeRegistry();
    this.metadata = new Metadata(this.registry, runtime.metadata);
    this.registry.setMetadata(this.metadata);
    this.registry.setChainProperties(this.registry.createType('ChainProperties', { ss58Format: ss58Prefix }) as never);
    const decorated = expandMetadata(this.registry, this.metadata);
    this.tx = decorated.tx;
    this.query = decorated.query;
    this.runtimeVersion = { specVersion: runtime.specVersion, transactionVersion: runtime.transactionVersion };
    // polkadot-js signs version 4 where the runtime accepts it (metadata V16 lists every version it accepts).
    const versions = [...this.metadata.asLatest.extrinsic.versions].map(Number);
    this.extrinsicVersion = versions.includes(4) ? 4 : Math.max(...versions);
    this.decoder = new BlockDecoder(this.registry);
  }
}
