import { STORAGE_PREFIX } from './constants.js';
import type { Logger } from './logger.js';
import type { SealedKv, WorkerRecord } from './types.js';

/** Persists worker records (code, config, schedule, shard) in the host's sealed KV. */
export class WorkerStore {
  constructor(
    private readonly kv: SealedKv,
    private readonly log: Logger,
  ) {}

  async put(record: WorkerRecord): Promise<void> {
    await this.kv.put(STORAGE_PREFIX + record.id, new TextEncoder().encode(JSON.stringify(record)));
  }

  async delete(id: string): Promise<void> {
    await this.kv.del(STORAGE_PREFIX + id);
  }

  /** All stored records; an unreadable record is logged and skipped so one bad entry cannot block the rest. */
  async loadAll(): Promise<WorkerRecord[]> {
    const records: WorkerRecord[] = [];
    for (const key of await this.kv.list(STORAGE_PREFIX)) {
      const bytes = await this.kv.get(key);
      if (!bytes) continue;
      try {
        const record = JSON.parse(new TextDecoder().decode(bytes)) as WorkerRecord;
        if (record.v !== 1 || STORAGE_PREFIX + record.id !== key) throw new Error('unexpected record shape');
        records.push(record);
      } catch (e) {
        this.log.log('error', 'skipping unreadable smart worker record', { key, error: String(e) });
      }
    }
    return records;
  }
}
