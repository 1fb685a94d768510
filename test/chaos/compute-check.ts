// The Compute end-of-run invariants (docs/backends.md), as pure comparisons that return their
// differences (empty = holds): every backend service translate's accepted routes send to, whose
// Service port has NEGs, exists, is ours, equals the desired body and has exactly one backend per
// zone of the Service's neg-status (read here from the annotation itself, not through the product's
// NEG parser); nothing owned is left that nothing references; foreign resources are untouched.
import type { ComputeEmulator } from '../../infra/local/compute/server.ts';
import { desiredCompute, serviceFinder } from '../../shared/compute/desired.ts';
import { computeOwnership } from '../../shared/compute/ownership.ts';
import { diffCompute } from '../../shared/compute/plan.ts';
import type { ComputeBody, ComputeKind } from '../../shared/compute/types.ts';
import { NEG_STATUS_ANNOTATION } from '../../shared/compute/types.ts';
import type { Service } from '../../shared/gamma/types.ts';
import type { Desired } from '../../shared/translate/types.ts';

const KINDS: readonly ComputeKind[] = ['backendServices', 'healthChecks'];
const idOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/** Zones of the NEGs neg-status lists for `port`, or undefined when it lists none. */
function negStatusZones(service: Service | undefined, port: number): string[] | undefined {
  const raw = service?.metadata.annotations?.[NEG_STATUS_ANNOTATION];
  if (typeof raw !== 'string') return undefined;
  const status = JSON.parse(raw) as { network_endpoint_groups?: Record<string, string>; zones?: string[] };
  if (!status.network_endpoint_groups?.[String(port)]) return undefined;
  return [...(status.zones ?? [])].sort();
}

function zonesOf(body: ComputeBody<'backendServices'> | undefined): string[] {
  return (body?.backends ?? []).map((b) => /\/zones\/([^/]+)\//.exec(b.group ?? '')?.[1] ?? '?').sort();
}

function owned(compute: ComputeEmulator, kind: ComputeKind, clusterId: string): Map<string, ComputeBody> {
  const all = compute.store.resources(kind) as ComputeBody[];
  return new Map(
    all.filter((b) => computeOwnership(b, clusterId) === 'ours').map((b) => [String(b.name), b]),
  );
}

/** Differences between what the cluster asks of Compute and the emulator's owned resources. */
export function computeDiff(
  desired: Desired,
  services: Service[],
  compute: ComputeEmulator,
  opts: { project: string; clusterId: string },
): string[] {
  const diffs: string[] = [];
  const find = serviceFinder(services);
  const want = desiredCompute(find, desired.backends, opts);
  const have = Object.fromEntries(KINDS.map((k) => [k, owned(compute, k, opts.clusterId)])) as Record<
    ComputeKind,
    Map<string, ComputeBody>
  >;
  for (const m of desired.backends) {
    const zones = negStatusZones(find(m.namespace, m.service), m.port);
    if (!zones) continue; // no NEGs for the port: the route reports BackendNotFound instead
    const id = idOf(m.serviceName);
    const live = have.backendServices.get(id) as ComputeBody<'backendServices'> | undefined;
    if (!live) diffs.push(`backend service ${id} for ${m.namespace}/${m.service}:${m.port} missing`);
    else if (JSON.stringify(zonesOf(live)) !== JSON.stringify(zones))
      diffs.push(`backend service ${id}: zones ${zonesOf(live).join(',')} != neg-status ${zones.join(',')}`);
  }
  for (const kind of KINDS) {
    const bodies = new Map((want[kind] as ComputeBody[]).map((b) => [String(b.name), b]));
    for (const [name, body] of bodies) {
      const live = have[kind].get(name);
      if (!live) diffs.push(`${kind}/${name} missing`);
      else {
        const fields = diffCompute(kind, body, live);
        if (fields.length) diffs.push(`${kind}/${name} differs: ${JSON.stringify(fields).slice(0, 400)}`);
      }
    }
    for (const name of have[kind].keys())
      if (!bodies.has(name)) diffs.push(`${kind}/${name} owned but nothing references it`);
  }
  return diffs;
}

/** Stored bodies of the named Compute resources (kind/name), serialized: must not change. */
export function computeFingerprint(compute: ComputeEmulator, names: string[]): Record<string, string> {
  const all = new Map<string, unknown>();
  for (const kind of KINDS)
    for (const b of compute.store.resources(kind)) all.set(`${kind}/${String(b.name)}`, b);
  return Object.fromEntries(names.map((n) => [n, JSON.stringify(all.get(n) ?? null)]));
}
