import { defineCommand } from '../context.js';

export const printMetadataCommand = defineCommand({
  command: 'print-metadata',
  describe: 'print the pallets of the parentchain runtime with their calls, events and storage items',
  async run(ctx) {
    const api = await ctx.parentchain();
    const metadata = api.runtimeMetadata;
    const lookup = metadata.registry.lookup;
    const variants = (type: { isSome: boolean; unwrap(): { type: { toNumber(): number } } }): string[] =>
      type.isSome ? lookup.getSiType(type.unwrap().type.toNumber()).def.asVariant.variants.map((v) => v.name.toString()) : [];
    const pallets = metadata.asLatest.pallets.map((p) => ({
      name: p.name.toString(),
      index: p.index.toNumber(),
      calls: variants(p.calls),
      events: variants(p.events),
      storage: p.storage.isSome ? p.storage.unwrap().items.map((i) => i.name.toString()) : [],
    }));
    const human = [`Metadata v${metadata.version}, runtime ${api.runtimeVersion.specName} v${api.runtimeVersion.specVersion}`];
    for (const p of pallets) {
      human.push(`${p.name} (${p.index})`);
      if (p.calls.length) human.push(`  calls:   ${p.calls.join(', ')}`);
      if (p.events.length) human.push(`  events:  ${p.events.join(', ')}`);
      if (p.storage.length) human.push(`  storage: ${p.storage.join(', ')}`);
    }
    return {
      human,
      json: { metadataVersion: metadata.version, specName: api.runtimeVersion.specName.toString(), specVersion: api.runtimeVersion.specVersion.toNumber(), pallets },
    };
  },
});
