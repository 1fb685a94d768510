// buildSnapshot: parsed objects -> the translate input. Checks versions and duplicates, fills the
// namespace, applies CRD defaults, validates, and sorts objects by kind. Objects with errors are
// left out of the snapshot (their errors say why); kinds translate does not read go to `ignored`.
import type { Snapshot } from '../translate/types.ts';
import { applyDefaults } from './defaults.ts';
import { ManifestError } from './errors.ts';
import { identify, isPlainObject, sourceOf } from './parse.ts';
import type { KubeObject } from './types.ts';
import { GATEWAY_GROUP } from './types.ts';
import { validateObject } from './validate.ts';

export interface BuildSnapshotOptions {
  /** Namespace for objects that name none (like kubectl's current namespace). Default `default`. */
  defaultNamespace?: string;
}

export interface BuildSnapshotResult {
  snapshot: Snapshot;
  errors: ManifestError[];
  ignored: KubeObject[];
}

type Bucket = 'services' | 'httpRoutes' | 'grpcRoutes' | 'namespaces';

const GATEWAY_V1 = `${GATEWAY_GROUP}/v1`;
/** Served versions we read, per kind; everything else in the Gateway API group is an error or ignored. */
const ROUTE_VERSIONS: Record<string, { bucket: Bucket; versions: string[] }> = {
  HTTPRoute: { bucket: 'httpRoutes', versions: ['v1', 'v1beta1'] },
  GRPCRoute: { bucket: 'grpcRoutes', versions: ['v1'] },
};

export function buildSnapshot(objects: KubeObject[], opts: BuildSnapshotOptions = {}): BuildSnapshotResult {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  const snapshot: Snapshot = { services: [], httpRoutes: [], grpcRoutes: [], namespaces: [] };
  const errors: ManifestError[] = [];
  const ignored: KubeObject[] = [];
  const seen = new Map<string, string>();

  for (const original of objects) {
    const where = locate(original);
    if (!isPlainObject(original)) {
      errors.push(
        new ManifestError({ file: where.file, document: where.document }, 'expected a Kubernetes object'),
      );
      continue;
    }
    if (!isPlainObject(original.metadata)) {
      // Objects from a live cluster skip parse.ts's envelope check; never let a bad one throw here.
      errors.push(
        new ManifestError(
          { file: where.file, document: where.document, field: 'metadata' },
          'required field is missing or not an object',
        ),
      );
      continue;
    }
    const bucket = classify(original, where, defaultNamespace, errors);
    if (bucket === 'error') continue;
    if (bucket === 'ignored') {
      ignored.push(original);
      continue;
    }
    const obj = normalize(original, bucket, defaultNamespace);
    const parts = identify(obj as unknown as Record<string, unknown>, where.file, where.document);
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push(new ManifestError(parts, `duplicate object: already defined in ${first}`));
      continue;
    }
    seen.set(key, describeSource(where));
    const problems = validateObject(obj);
    if (problems.length > 0) {
      for (const p of problems)
        errors.push(new ManifestError({ ...parts, field: p.path || undefined }, p.message));
      continue;
    }
    (snapshot[bucket] as KubeObject[]).push(obj);
  }
  for (const bucket of ['services', 'httpRoutes', 'grpcRoutes', 'namespaces'] as const) {
    (snapshot[bucket] as KubeObject[] | undefined)?.sort(byNamespaceName);
  }
  return { snapshot, errors, ignored };
}

function locate(obj: unknown): { file: string; document?: number } {
  const source = isPlainObject(obj) ? sourceOf(obj) : undefined;
  return source ?? { file: '<input>' };
}

function describeSource(where: { file: string; document?: number }): string {
  return where.document !== undefined ? `${where.file} (document ${where.document})` : where.file;
}

function classify(
  obj: Record<string, unknown>,
  where: { file: string; document?: number },
  defaultNamespace: string,
  errors: ManifestError[],
): Bucket | 'ignored' | 'error' {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  if (apiVersion === 'v1' && kind === 'Service') return 'services';
  if (apiVersion === 'v1' && kind === 'Namespace') return 'namespaces';
  const [group, version] = apiVersion.split('/');
  const route = ROUTE_VERSIONS[kind];
  if (group !== GATEWAY_GROUP || !route) return 'ignored';
  if (route.versions.includes(version)) return route.bucket;
  const id = identify(obj, where.file, where.document);
  const parts = { ...id, namespace: id.namespace ?? defaultNamespace };
  errors.push(
    new ManifestError(
      { ...parts, field: 'apiVersion' },
      `${kind} ${apiVersion} is not supported: change apiVersion to ${GATEWAY_V1} (the ${kind} fields are the same)`,
    ),
  );
  return 'error';
}

/** Namespace filled, routes on the storage version (v1beta1 HTTPRoute has the same schema), defaults applied. */
function normalize(obj: Record<string, unknown>, bucket: Bucket, defaultNamespace: string): KubeObject {
  let out = obj as unknown as KubeObject;
  if (bucket !== 'namespaces' && out.metadata.namespace === undefined) {
    out = { ...out, metadata: { ...out.metadata, namespace: defaultNamespace } };
  }
  if ((bucket === 'httpRoutes' || bucket === 'grpcRoutes') && out.apiVersion !== GATEWAY_V1) {
    out = { ...out, apiVersion: GATEWAY_V1 };
  }
  return applyDefaults(out);
}

function byNamespaceName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
