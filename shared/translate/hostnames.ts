// The hostnames a Service port is reached by (docs/architecture.md §4.3). Mesh hostnames are global, so the short
// name `svc` is listed only when no other namespace has a Service of that name.
import type { Service } from '../gamma/types.ts';
import { joined } from './util.ts';

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
    joined(service, '.', namespace, '.svc.', clusterDomain),
    joined(service, '.', namespace, '.svc'),
    joined(service, '.', namespace),
  ];
  if (others.length === 0) bases.push(service);
  const n = bases.length;
  // With the port first, then (port 80) without it; at its final size.
  const hostnames = new Array<string>(port === 80 ? 2 * n : n);
  for (let i = 0; i < n; i++) hostnames[i] = joined(bases[i], ':', port);
  if (port === 80) for (let i = 0; i < n; i++) hostnames[n + i] = bases[i];
  const result: HostnameSet = { hostnames };
  if (others.length > 0) {
    result.shortNameOmitted = `short hostname "${service}" omitted: a Service named ${service} also exists in namespace(s) ${others.join(', ')}; clients must use ${service}.${namespace} or longer`;
  }
  return result;
}
