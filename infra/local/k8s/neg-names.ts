// Pure part of the stand-in's NEG controller: GKE's NEG annotation, its status annotation, and the
// names GKE gives standalone NEGs (docs/backends.md). No I/O here.
import { createHash } from 'node:crypto';
import { NEG_ANNOTATION } from '../../../shared/compute/types.ts';
import type { KubeObj } from './resources.ts';

const NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** GKE keeps namespace, name and port within 36 characters, so the name stays under 63. */
const MAX_DESCRIPTIVE = 36;

export interface ServicePort {
  port: number;
  targetPort: number | string;
}

/** What a Service's `cloud.google.com/neg` asks for: Service port -> NEG name. */
export interface NegRequest {
  ports: Map<number, string>;
  problems: string[];
}

/** Shortens the longest fields one character at a time until they fit `max` together. */
export function trimFieldsEvenly(max: number, ...fields: string[]): string[] {
  const out = [...fields];
  let total = out.reduce((n, f) => n + f.length, 0);
  while (total > max) {
    let longest = 0;
    for (let i = 1; i < out.length; i++) if (out[i].length > out[longest].length) longest = i;
    out[longest] = out[longest].slice(0, -1);
    total--;
  }
  return out;
}

/** `k8s1-<clusterUid8>-<ns>-<svc>-<port>-<hash8>`, the default name of a standalone NEG. */
export function defaultNegName(clusterUid: string, namespace: string, service: string, port: number): string {
  const uid8 = clusterUid.replace(/-/g, '').slice(0, 8);
  const portStr = String(port);
  const [ns, svc, p] = trimFieldsEvenly(MAX_DESCRIPTIVE, namespace, service, portStr);
  const hash = createHash('sha256')
    .update([clusterUid, namespace, service, portStr, ''].join(';'))
    .digest('hex')
    .slice(0, 8);
  return `k8s1-${uid8}-${ns}-${svc}-${p}-${hash}`;
}

/** The Service's ports by number. */
export function servicePorts(svc: KubeObj): Map<number, ServicePort> {
  const ports = ((svc.spec as { ports?: { port?: number; targetPort?: number | string }[] })?.ports ?? [])
    .filter((p) => Number.isInteger(p.port))
    .map((p) => ({ port: p.port as number, targetPort: p.targetPort ?? (p.port as number) }));
  return new Map(ports.map((p) => [p.port, p]));
}

/** Reads `cloud.google.com/neg` (`{"exposed_ports":{"80":{}}}`, optional `{"name": …}` per port). */
export function negRequest(svc: KubeObj, clusterUid: string): NegRequest {
  const raw = svc.metadata.annotations?.[NEG_ANNOTATION];
  const out: NegRequest = { ports: new Map(), problems: [] };
  if (raw === undefined) return out;
  let parsed: { exposed_ports?: Record<string, { name?: unknown }> };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    out.problems.push(`${NEG_ANNOTATION} is not JSON: ${JSON.stringify(raw)}`);
    return out;
  }
  const declared = servicePorts(svc);
  for (const [key, attrs] of Object.entries(parsed?.exposed_ports ?? {})) {
    const port = Number(key);
    if (!declared.has(port)) {
      out.problems.push(`${NEG_ANNOTATION}: port ${key} is not a port of the Service; no NEG for it`);
      continue;
    }
    const custom = attrs && typeof attrs === 'object' ? attrs.name : undefined;
    if (custom !== undefined && (typeof custom !== 'string' || custom.length > 63 || !NAME_RE.test(custom))) {
      out.problems.push(
        `${NEG_ANNOTATION}: NEG name ${JSON.stringify(custom)} for port ${key} is not a valid name`,
      );
      continue;
    }
    const { namespace = 'default', name } = svc.metadata;
    out.ports.set(port, (custom as string | undefined) ?? defaultNegName(clusterUid, namespace, name, port));
  }
  return out;
}

/** The `cloud.google.com/neg-status` value, or undefined when no NEG is wanted. */
export function negStatusValue(ports: Map<number, string>, zones: string[]): string | undefined {
  if (ports.size === 0) return undefined;
  const groups = Object.fromEntries([...ports].sort(([a], [b]) => a - b).map(([p, n]) => [String(p), n]));
  return JSON.stringify({ network_endpoint_groups: groups, zones: [...zones].sort() });
}
