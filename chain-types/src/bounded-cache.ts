/** Adds to a bounded insertion-ordered cache, dropping the oldest entry when full. */
export function remember<K>(cache: Set<K> | Map<K, unknown>, key: K, size: number, value?: unknown): void {
  if (cache.size >= size) cache.delete(cache.keys().next().value!);
  if (cache instanceof Map) cache.set(key, value);
  else cache.add(key);
}
