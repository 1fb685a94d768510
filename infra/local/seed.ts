// Seeding the local cluster from example manifests. Each example directory goes into a namespace of
// its own name, so examples that reuse Service names (http-split and grpc-methods both define
// default/echo-service) can be seeded together; YAML files directly in the root keep their namespace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface SeedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SeedSet {
  /** Namespaces to create first. */
  namespaces: string[];
  objects: SeedObject[];
  /** One entry per directory or file seeded, for the log. */
  sources: string[];
}

const MANIFEST = /\.(ya?ml|json)$/i;
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAMESPACED_REF_LISTS = ['parentRefs', 'backendRefs'];

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

function parseManifest(file: string): SeedObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: SeedObject[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new SeedError(`${file} (document ${i + 1}): ${doc.errors[0].message}`);
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) return;
    const o = obj as Partial<SeedObject>;
    if (
      typeof o.kind !== 'string' ||
      typeof o.apiVersion !== 'string' ||
      typeof o.metadata?.name !== 'string'
    )
      throw new SeedError(
        `${file} (document ${i + 1}): not a Kubernetes object (apiVersion, kind, metadata.name)`,
      );
    out.push(o as SeedObject);
  });
  return out;
}

/** Rewrites refs that named the old namespace explicitly, anywhere in the object (rules nest them). */
function moveRefs(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((v) => moveRefs(v, from, to));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (NAMESPACED_REF_LISTS.includes(k) && Array.isArray(v))
      out[k] = v.map((ref: Record<string, unknown>) =>
        ref?.namespace === from ? { ...ref, namespace: to } : moveRefs(ref, from, to),
      );
    else out[k] = moveRefs(v, from, to);
  }
  return out;
}

/** The object as it lands in `namespace` (pure). */
export function intoNamespace(obj: SeedObject, namespace: string): SeedObject {
  const from = obj.metadata.namespace ?? 'default';
  const moved = moveRefs(obj, from, namespace) as SeedObject;
  return { ...moved, metadata: { ...moved.metadata, namespace } };
}

function manifestFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => MANIFEST.test(f) && statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

/** Reads a seed root: subdirectories become namespaces, top-level files keep theirs. */
export function loadSeed(root: string): SeedSet {
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch (e) {
    throw new SeedError(`cannot read examples directory ${root}: ${(e as Error).message}`);
  }
  const set: SeedSet = { namespaces: [], objects: [], sources: [] };
  for (const file of manifestFiles(root)) {
    const objects = parseManifest(file);
    set.objects.push(...objects);
    set.sources.push(path.basename(file));
  }
  for (const name of entries) {
    const dir = path.join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const files = manifestFiles(dir);
    if (files.length === 0) continue;
    if (!NAMESPACE_NAME.test(name))
      throw new SeedError(
        `${dir}: a seeded directory becomes a namespace, and "${name}" is not a valid namespace name`,
      );
    set.namespaces.push(name);
    set.objects.push(...files.flatMap(parseManifest).map((o) => intoNamespace(o, name)));
    set.sources.push(name);
  }
  for (const o of set.objects) {
    const ns = o.metadata.namespace;
    if (ns && o.kind !== 'Namespace' && !set.namespaces.includes(ns)) set.namespaces.push(ns);
  }
  return set;
}
