// Permanent route status write failures during chaos (docs/security.md §6): while switched on, the
// k8s stand-in refuses the status PATCHes of most routes (each picked once, at random: 3 in 4) for
// good, with 403 (RBAC) or 422 (e.g. status.parents over its limit). Sync must acknowledge such a
// delivery, not have it redelivered for as long as the refusal lasts; Network Services must still
// converge, and once the refusals stop the next event or reconcile writes the status (the run's
// final checks).
import type { Delivery } from '../../infra/local/functions.ts';
import type { K8sEmulator } from '../../infra/local/k8s/index.ts';
import { ApiError } from '../../infra/local/k8s/errors.ts';
import type { Random } from './world.ts';

/** In every refusal, so a delivery's result or error can be traced to this fault. */
const MARK = 'chaos: status write refused for good';
const STATUS_PATCH =
  /^\/apis\/gateway\.networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/(httproutes|grpcroutes)\/([^/]+)\/status$/;
/**
 * Deliveries of one message that may each meet the refusal: the delivery itself and one duplicate
 * the Pub/Sub emulator may hand out with it. A redelivered message meets it again and again.
 */
const MAX_PER_MESSAGE = 2;

export interface StatusFaults {
  on(active: boolean): void;
  /** The onDelivery listener that counts, per message, the deliveries that met a refusal. */
  listen(d: Delivery): void;
  /** Status PATCHes refused. */
  injected(): number;
  /** Deliveries that met a refusal and were acknowledged (sync returned, with the failure reported). */
  acknowledged(): number;
  /** Messages that met a refusal more often than one delivery (plus a duplicate) explains. */
  redelivered(): string[];
}

export function permanentStatusFaults(k8s: K8sEmulator, rng: Random): StatusFaults {
  let active = false;
  let injected = 0;
  let acknowledged = 0;
  const refused = new Map<string, 403 | 422 | undefined>();
  const perMessage = new Map<string, number>();
  k8s.onRequest = (entry) => {
    const m = STATUS_PATCH.exec(entry.path);
    if (!active || entry.method !== 'PATCH' || !m) return;
    const key = `${m[2]}/${m[1]}/${m[3]}`;
    if (!refused.has(key)) refused.set(key, rng() < 0.75 ? (rng() < 0.5 ? 403 : 422) : undefined);
    const code = refused.get(key);
    if (!code) return;
    injected++;
    throw new ApiError(code, code === 403 ? 'Forbidden' : 'Invalid', `${MARK} (${code}) on ${key}`);
  };
  return {
    on(a) {
      active = a;
      // Each window picks its own routes.
      if (a) refused.clear();
    },
    listen(d) {
      if (d.fn !== 'sync') return;
      const met =
        'handling' in d
          ? d.handling.acked === 'processed' &&
            (d.handling.outcome.statuses?.failed ?? []).some((f) => f.includes(MARK))
          : String((d.error as Error)?.message ?? d.error).includes(MARK);
      if (!met) return;
      if ('handling' in d) acknowledged++;
      const body = d.cloudEvent.data as { message?: { messageId?: string } } | undefined;
      const id = body?.message?.messageId ?? d.cloudEvent.id ?? '?';
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
    },
    injected: () => injected,
    acknowledged: () => acknowledged,
    redelivered: () =>
      [...perMessage]
        .filter(([, n]) => n > MAX_PER_MESSAGE)
        .map(([id, n]) => `message ${id} met a permanent status refusal in ${n} deliveries`),
  };
}
