// Objects as the API server sends them: plain JSON. client-node's typed core APIs turn timestamps
// into Date objects; we turn them back, and strip what nobody downstream should see.
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function toPlain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/** Plain JSON copy without managedFields and the kubectl last-applied annotation. */
export function cleanObject<T>(obj: unknown): T {
  const plain = toPlain(obj) as {
    metadata?: { managedFields?: unknown; annotations?: Record<string, string> };
  };
  if (plain.metadata) {
    delete plain.metadata.managedFields;
    const annotations = plain.metadata.annotations;
    if (annotations && LAST_APPLIED in annotations) {
      delete annotations[LAST_APPLIED];
      if (!Object.keys(annotations).length) delete plain.metadata.annotations;
    }
  }
  return plain as T;
}
