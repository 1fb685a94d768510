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
import { STREAM_ROUTE_VERSIONS } from './validate-stream.ts';

/** Why a UDPRoute is not translated (CLI `ignored` list and, for a Service parent, its status). */
export const UDP_ROUTE_REASON =
  'UDPRoute is not supported: Network Services has no UDP route (a mesh routes HTTP, gRPC, TCP and TLS only)';
import { canonicalJson } from '../translate/util.ts';

export interface BuildSnapshotOptions {
  /** Namespace for objects that name none (like kubectl's current namespace). Default `default`. */
  defaultNamespace?: string;
}

export interface BuildSnapshotResult {
  snapshot: Snapshot;
  errors: ManifestError[];
  /** Accepted, but worth a look (an older API version, an identical duplicate). */
  warnings: ManifestError[];
  /** Objects translate does not read, each with why. */
  ignored: IgnoredObject[];
}

/** An input object left out of the snapshot on purpose, named as the user wrote it. */
export interface IgnoredObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  file?: string;
  reason: string;
}

type Bucket =
  | 'services'
  | 'httpRoutes'
  | 'grpcRoutes'
  | 'tcpRoutes'
  | 'tlsRoutes'
  | 'udpRoutes'
  | 'namespaces'
  | 'referenceGrants';

const BUCKETS: readonly Bucket[] = [
  'services',
  'httpRoutes',
  'grpcRoutes',
  'tcpRoutes',
  'tlsRoutes',
  'udpRoutes',
  'namespaces',
  'referenceGrants',
];

const GATEWAY_V1 = `${GATEWAY_GROUP}/v1`;
/** Served versions we read, per kind; everything else in the Gateway API group is an error or ignored. */
// Older versions are read as v1: their fields are the same as v1's (the CRDs convert with
// `strategy: None`), so only the apiVersion string differs. They get a warning, as kubectl does.
const ROUTE_VERSIONS: Record<string, { bucket: Bucket; versions: string[] }> = {
  HTTPRoute: { bucket: 'httpRoutes', versions: ['v1', 'v1beta1', 'v1alpha2'] },
  GRPCRoute: { bucket: 'grpcRoutes', versions: ['v1', 'v1alpha2'] },
  // Experimental (v1alpha2, v1alpha3) and standard (v1) versions share their fields but not their
  // limits: they keep their apiVersion, so validation applies the limits of the version written.
  TCPRoute: { bucket: 'tcpRoutes', versions: [...STREAM_ROUTE_VERSIONS.TCPRoute] },
  TLSRoute: { bucket: 'tlsRoutes', versions: [...STREAM_ROUTE_VERSIONS.TLSRoute] },
  // Read only for GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant (docs/security.md §2); v1 since 1.5.
  ReferenceGrant: { bucket: 'referenceGrants', versions: ['v1beta1', 'v1', 'v1alpha2'] },
};

/** Gateway API kinds that are not mesh HTTP routes, with why they are left out. */
const OTHER_GATEWAY_KINDS: Record<string, string> = {
  UDPRoute: UDP_ROUTE_REASON,
};

export function buildSnapshot(objects: KubeObject[], opts: BuildSnapshotOptions = {}): BuildSnapshotResult {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  const snapshot: Snapshot = {
    services: [],
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    namespaces: [],
    referenceGrants: [],
  };
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  const ignored: IgnoredObject[] = [];
  const seen = new Map<string, { where: string; obj: KubeObject }>();

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
    if (typeof bucket === 'object') {
      ignored.push(ignoredObject(original, where, bucket.ignored));
      // Not translated, but rejected in its status like in a cluster (translate/udp.ts).
      if (bucket.ignored === UDP_ROUTE_REASON)
        (snapshot.udpRoutes ??= []).push(normalize(original, 'udpRoutes', defaultNamespace));
      continue;
    }
    const older = olderVersionWarning(original, where, defaultNamespace);
    if (older) warnings.push(older);
    const obj = normalize(original, bucket, defaultNamespace);
    const parts = identify(obj as unknown as Record<string, unknown>, where.file, where.document);
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      // The same object twice (e.g. a shared file included by two directories) is harmless.
      if (canonicalJson(first.obj) === canonicalJson(obj))
        warnings.push(
          new ManifestError(parts, `identical duplicate of the object in ${first.where}; used once`),
        );
      else
        errors.push(
          new ManifestError(
            parts,
            `duplicate object with different content: already defined in ${first.where}`,
          ),
        );
      continue;
    }
    seen.set(key, { where: describeSource(where), obj });
    const problems = validateObject(obj);
    if (problems.length > 0) {
      for (const p of problems)
        errors.push(new ManifestError({ ...parts, field: p.path || undefined }, p.message));
      continue;
    }
    (snapshot[bucket] as KubeObject[]).push(obj);
  }
  for (const bucket of BUCKETS) {
    (snapshot[bucket] as KubeObject[] | undefined)?.sort(byNamespaceName);
  }
  return { snapshot, errors, warnings, ignored };
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
): Bucket | { ignored: string } | 'error' {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  if (apiVersion === 'v1' && kind === 'Service') return 'services';
  if (apiVersion === 'v1' && kind === 'Namespace') return 'namespaces';
  const [group, version] = apiVersion.split('/');
  const route = ROUTE_VERSIONS[kind];
  if (route && group !== GATEWAY_GROUP)
    return { ignored: `kind ${kind} of API group ${group}, not ${GATEWAY_GROUP}` };
  if (group === GATEWAY_GROUP && !route)
    return {
      ignored:
        OTHER_GATEWAY_KINDS[kind] ??
        `Gateway API kind ${kind || '(none)'} is not a mesh route (gamma-csm reads HTTPRoute, GRPCRoute, TCPRoute, TLSRoute and ReferenceGrant)`,
    };
  if (!route) return { ignored: `kind ${kind || '(none)'} (${apiVersion}) is unrelated to mesh routes` };
  if (route.versions.includes(version)) return route.bucket;
  const id = identify(obj, where.file, where.document);
  const parts = { ...id, namespace: id.namespace ?? defaultNamespace };
  errors.push(
    new ManifestError(
      { ...parts, field: 'apiVersion' },
      `${kind} ${apiVersion} is not supported (gamma-csm reads ${route.versions.map((v) => `${GATEWAY_GROUP}/${v}`).join(', ')}): convert it to ${GATEWAY_V1}`,
    ),
  );
  return 'error';
}

function ignoredObject(
  obj: Record<string, unknown>,
  where: { file: string; document?: number },
  reason: string,
): IgnoredObject {
  const id = identify(obj, where.file, where.document);
  return {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    kind: id.kind ?? '',
    ...(id.namespace ? { namespace: id.namespace } : {}),
    name: id.name ?? '',
    ...(where.file !== '<input>' ? { file: describeSource(where) } : {}),
    reason,
  };
}

function olderVersionWarning(
  obj: Record<string, unknown>,
  where: { file: string; document?: number },
  defaultNamespace: string,
): ManifestError | undefined {
  if (
    obj.apiVersion === GATEWAY_V1 ||
    obj.kind === 'ReferenceGrant' ||
    typeof obj.apiVersion !== 'string' ||
    !obj.apiVersion.startsWith(GATEWAY_GROUP)
  )
    return undefined;
  const id = identify(obj, where.file, where.document);
  const stream = obj.kind === 'TCPRoute' || obj.kind === 'TLSRoute';
  const message = stream
    ? `${obj.apiVersion} is deprecated (gateway-api v1.6 stores ${obj.kind} as ${GATEWAY_V1}, with the same fields but one rule${obj.kind === 'TLSRoute' ? ' and required hostnames' : ''}); change apiVersion to ${GATEWAY_V1}`
    : `${obj.apiVersion} is an older API version, read as ${GATEWAY_V1} (the ${String(obj.kind)} fields are the same); change apiVersion to ${GATEWAY_V1}`;
  return new ManifestError(
    { ...id, namespace: id.namespace ?? defaultNamespace, field: 'apiVersion' },
    message,
  );
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
