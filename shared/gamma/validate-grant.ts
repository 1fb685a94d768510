// ReferenceGrant validation (gateway.networking.k8s.io v1beta1, the CRD's limits): 1-16 `from` entries
// {group, kind, namespace} and 1-16 `to` entries {group, kind, name?}. Grants only ever widen what a
// route may reference when GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant (docs/security.md §2).
import type { Errors, Obj } from './checks.ts';
import { DNS_LABEL, GROUP, KIND, at, list, object, string } from './checks.ts';

const groupRule = { required: true, max: 253, pattern: GROUP, patternName: 'empty or an RFC 1123 subdomain' };
const kindRule = {
  required: true,
  min: 1,
  max: 63,
  pattern: KIND,
  patternName: 'a kind name (letters, digits, dashes)',
};

export function validateReferenceGrant(errs: Errors, obj: Obj): void {
  const spec = object(errs, obj.spec, 'spec', true);
  if (!spec) return;
  list(errs, spec.from, 'spec.from', { required: true, min: 1, max: 16 }).forEach((value, i) => {
    const path = at('spec.from', i);
    const from = object(errs, value, path, true);
    if (!from) return;
    string(errs, from.group, at(path, 'group'), groupRule);
    string(errs, from.kind, at(path, 'kind'), kindRule);
    string(errs, from.namespace, at(path, 'namespace'), {
      required: true,
      min: 1,
      max: 63,
      pattern: DNS_LABEL,
      patternName: 'a lowercase RFC 1123 label',
    });
  });
  list(errs, spec.to, 'spec.to', { required: true, min: 1, max: 16 }).forEach((value, i) => {
    const path = at('spec.to', i);
    const to = object(errs, value, path, true);
    if (!to) return;
    string(errs, to.group, at(path, 'group'), groupRule);
    string(errs, to.kind, at(path, 'kind'), kindRule);
    string(errs, to.name, at(path, 'name'), { min: 1, max: 253 });
  });
}
