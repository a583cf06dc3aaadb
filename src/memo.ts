/** A map's value for `key`, made by `make` the first time it is asked for. */
export const getOrMake = <K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V => {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
};

/**
 * The same, for a key a client chooses (an Accept header, a Host): past `limit` entries the map
 * starts over, so that no client can make it grow without end.
 */
export const getOrMakeBounded = <K, V>(map: Map<K, V>, key: K, make: () => V, limit: number): V => {
  const value = map.get(key);
  if (value !== undefined || map.has(key)) return value as V;
  if (map.size >= limit) map.clear();
  const made = make();
  map.set(key, made);
  return made;
};
