// Builders shared by the bad-input tests: a valid Service + HTTPRoute pair to mutate, and the
// translate options every test uses.
import type { TranslateOptions } from '../../shared/translate/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';

export const GROUP = 'gateway.networking.k8s.io';

export const OPTIONS: TranslateOptions = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c1',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

export type Obj = Record<string, unknown>;

export function service(name: string, namespace: string, ports: number[] = [80]): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port, protocol: 'TCP' })) },
  };
}

/** An HTTPRoute on Service ns/parent:80 with the given rules (default: one PathPrefix /ok rule). */
export function httpRoute(name: string, namespace: string, parent: string, rules?: unknown[]): Obj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
      rules: rules ?? [okRule(parent)],
    },
  };
}

export function okRule(backend: string): Obj {
  return {
    matches: [{ path: { type: 'PathPrefix', value: '/ok' } }],
    backendRefs: [{ name: backend, port: 80 }],
  };
}

export function regexPathRule(pattern: string, backend: string): Obj {
  return {
    matches: [{ path: { type: 'RegularExpression', value: pattern } }],
    backendRefs: [{ name: backend, port: 80 }],
  };
}

export function regexHeaderRule(pattern: string, backend: string): Obj {
  return {
    matches: [{ headers: [{ type: 'RegularExpression', name: 'x-h', value: pattern }] }],
    backendRefs: [{ name: backend, port: 80 }],
  };
}

/** Patterns RE2 refuses (Perl look-around, back-references, possessive quantifiers, broken syntax). */
export const RE2_REJECTED = ['/(?=a)b', '/(?!a)b', '/(?<=a)b', '(a)\\1', '/a++', '/(unclosed', '/[z-a]'];

/** Patterns a backtracking engine takes exponential time on; RE2 runs them linearly, so they may pass. */
export const BACKTRACKING = ['/(a+)+$', '/(a|aa)+$', '/(.*a){20}$', '/((a*)*)*b'];

/** Every regex anywhere in a Network Services body (regexMatch fields and gRPC REGULAR_EXPRESSION values). */
export function regexesIn(body: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Obj;
    if (typeof o.regexMatch === 'string') out.push(o.regexMatch);
    if (o.type === 'REGULAR_EXPRESSION') {
      for (const k of ['value', 'grpcService', 'grpcMethod'])
        if (typeof o[k] === 'string') out.push(o[k] as string);
    }
    Object.values(o).forEach(walk);
  };
  walk(body);
  return out;
}

/** Condition `type` of gamma-csm's first parent entry in a translate status, or of a live route's status. */
export function conditionOf(
  parents:
    { conditions?: { type: string; status: string; reason?: string; message?: string }[] }[] | undefined,
  type: string,
) {
  return parents?.[0]?.conditions?.find((c) => c.type === type);
}
