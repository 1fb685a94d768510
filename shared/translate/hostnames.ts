// The hostnames a Service port is reached by (DESIGN §4.2). Mesh hostnames are global, so the short
// name `svc` is listed only when no other namespace has a Service of that name.
import type { Service } from '../gamma/types.ts';

export interface HostnameSet {
  hostnames: string[];
  /** Set when the short name was left out, for the route status. */
  shortNameOmitted?: string;
}

export function serviceNamespacesByName(
  services: Service[],
  explicit: Record<string, string[]> | undefined,
): (name: string) => string[] {
  const derived = new Map<string, Set<string>>();
  for (const svc of services) {
    const set = derived.get(svc.metadata.name) ?? new Set<string>();
    set.add(svc.metadata.namespace ?? 'default');
    derived.set(svc.metadata.name, set);
  }
  // Every port of a Service asks again: answers are remembered for this snapshot (read-only arrays).
  const answers = new Map<string, string[]>();
  return (name) => {
    let answer = answers.get(name);
    if (answer) return answer;
    const known = derived.get(name);
    const listed =
      explicit && Object.prototype.hasOwnProperty.call(explicit, name) ? explicit[name] : undefined;
    if (Array.isArray(listed)) {
      const namespaces = new Set(known);
      for (const ns of listed) if (typeof ns === 'string') namespaces.add(ns);
      answer = [...namespaces].sort();
    } else answer = known ? [...known].sort() : [];
    answers.set(name, answer);
    return answer;
  };
}

export function hostnamesFor(
  service: string,
  namespace: string,
  port: number,
  clusterDomain: string,
  namespacesWithName: string[],
): HostnameSet {
  const others = namespacesWithName.filter((ns) => ns !== namespace);
  const bases = [
    `${service}.${namespace}.svc.${clusterDomain}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}`,
  ];
  if (others.length === 0) bases.push(service);
  const hostnames = bases.map((host) => `${host}:${port}`);
  if (port === 80) hostnames.push(...bases);
  const result: HostnameSet = { hostnames };
  if (others.length > 0) {
    result.shortNameOmitted = `short hostname "${service}" omitted: a Service named ${service} also exists in namespace(s) ${others.join(', ')}; clients must use ${service}.${namespace} or longer`;
  }
  return result;
}
