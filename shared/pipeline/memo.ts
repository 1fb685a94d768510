// A small per-instance memo: values remembered for `ttlMs`, at most `maxEntries` of them (the least
// recently remembered go first), handed out as copies so no caller can change what is remembered.
// The Mesh memo and the parent memo are both built on it.

export interface TtlMemo<V> {
  /** The remembered value (a copy), or undefined when there is none or it expired. */
  recall(key: string, now?: number): V | undefined;
  remember(key: string, value: V, now?: number): void;
  /** Forgets one key, or everything without one. */
  forget(key?: string): void;
  size(): number;
}

export interface TtlMemoOptions {
  ttlMs: number;
  maxEntries: number;
}

export function ttlMemo<V>({ ttlMs, maxEntries }: TtlMemoOptions): TtlMemo<V> {
  // A Map iterates in insertion order; re-inserting on remember keeps the oldest write first.
  const held = new Map<string, { value: V; at: number }>();
  return {
    recall(key, now = Date.now()) {
      const entry = held.get(key);
      if (!entry) return undefined;
      if (now - entry.at >= ttlMs || now < entry.at) {
        held.delete(key);
        return undefined;
      }
      return structuredClone(entry.value);
    },
    remember(key, value, now = Date.now()) {
      held.delete(key);
      held.set(key, { value: structuredClone(value), at: now });
      while (held.size > maxEntries) held.delete(held.keys().next().value as string);
    },
    forget(key) {
      if (key === undefined) held.clear();
      else held.delete(key);
    },
    size: () => held.size,
  };
}
