// A bounded cache for what planning and booting derive again and again from
// the same input (a machine's SKB and trees, a simulation's booted system):
// the least recently used entry goes first.

/** The entry under `key`, made if missing, now the most recent of at most `max`. */
export function recent<K, V>(map: Map<K, V>, key: K, max: number, make: () => V): V {
  const v = map.has(key) ? map.get(key)! : make();
  map.delete(key);
  map.set(key, v);
  if (map.size > max) map.delete(map.keys().next().value!);
  return v;
}
