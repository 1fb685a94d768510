// The API server's checks on a written body: kind, group and namespace made consistent with the
// resource (normalizeBody), then the name and the shapes the store relies on (validateObject).
import type { KubeObj, ResourceDef } from './resources.ts';
import { apiVersionOf } from './resources.ts';
import { badRequest, invalid } from './errors.ts';
import { parentKey } from './patch.ts';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function normalizeBody(def: ResourceDef, ns: string | undefined, body: KubeObj): KubeObj {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const obj = structuredClone(body);
  obj.metadata = { ...(obj.metadata ?? {}) } as KubeObj['metadata'];
  if (obj.kind !== undefined && obj.kind !== def.kind)
    throw badRequest(`the kind of the object (${obj.kind}) does not match the resource (${def.kind})`);
  const [group] = String(obj.apiVersion ?? '').includes('/') ? String(obj.apiVersion).split('/') : [''];
  if (obj.apiVersion !== undefined && group !== def.group)
    throw badRequest(`the API version ${obj.apiVersion} does not serve ${def.plural}`);
  obj.kind = def.kind;
  obj.apiVersion = apiVersionOf(def, def.versions[0]);
  if (def.namespaced) {
    if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = ns ?? obj.metadata.namespace ?? 'default';
  } else delete obj.metadata.namespace;
  return obj;
}

export function validateObject(def: ResourceDef, obj: KubeObj): void {
  const name = String(obj.metadata.name ?? '');
  const re = def.kind === 'Namespace' || def.kind === 'Service' ? LABEL_RE : NAME_RE;
  if (!name)
    throw invalid(def, name, [
      { field: 'metadata.name', message: 'Required value: name or generateName is required' },
    ]);
  if (name.length > (re === LABEL_RE ? 63 : 253) || !re.test(name)) {
    throw invalid(def, name, [
      { field: 'metadata.name', message: `Invalid value: "${name}": must be a lowercase RFC 1123 name` },
    ]);
  }
  if (
    def.group &&
    obj.spec !== undefined &&
    (typeof obj.spec !== 'object' || obj.spec === null || Array.isArray(obj.spec))
  ) {
    throw invalid(def, name, [{ field: 'spec', message: 'Invalid value: must be an object' }]);
  }
  const parents = obj.status?.parents;
  if (parents !== undefined && !Array.isArray(parents)) {
    throw invalid(def, name, [{ field: 'status.parents', message: 'Invalid value: must be a list' }]);
  }
  if (Array.isArray(parents) && new Set(parents.map(parentKey)).size !== parents.length) {
    throw invalid(def, name, [
      {
        field: 'status.parents',
        message: 'Duplicate value: entries must be unique by (parentRef, controllerName)',
      },
    ]);
  }
}
