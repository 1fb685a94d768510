// sessionPersistence (experimental) -> statefulSessionAffinity {cookieTtl}.
// Only cookie persistence exists in Network Services (cookie named GSSA, TTL 0-86400 s, "0s" = session
// cookie). Affinity never changes which backends a request may reach, so what cannot be expressed is
// approximated with a warning rather than dropping the rule (which would 404 its traffic): type Header
// -> no affinity; idleTimeout -> ignored; absoluteTimeout over 24h -> 24h. absoluteTimeout ->
// cookieTtl; lifetimeType Session without absoluteTimeout -> "0s". sessionName cannot be chosen (the
// cookie is always GSSA): accepted with a warning, since the name is implementation-specific.
import type { SessionPersistence } from '../gamma/types.ts';
import type { Result } from './model.ts';
import { fail, ok } from './model.ts';
import { isObj, parseGatewayDuration, protoDuration } from './util.ts';

export interface SessionAffinity {
  /** Absent when no affinity is applied (only warnings). */
  cookieTtl?: string;
  warnings: string[];
}

export function convertSessionPersistence(
  spec: SessionPersistence | undefined,
): Result<SessionAffinity | undefined> {
  if (!isObj(spec)) return ok(undefined);
  if (spec.type !== undefined && spec.type !== 'Cookie')
    return ok({
      warnings: [
        `sessionPersistence type ${JSON.stringify(spec.type)} is not applied (Network Services only has cookie-based affinity): requests are load-balanced without affinity`,
      ],
    });
  const warnings: string[] = [];
  if (spec.idleTimeout !== undefined)
    warnings.push(
      'sessionPersistence idleTimeout is ignored (Network Services has no idle timeout for the affinity cookie)',
    );
  if (spec.sessionName !== undefined)
    warnings.push(
      `sessionPersistence sessionName ${JSON.stringify(spec.sessionName)} is ignored: the affinity cookie is always named GSSA`,
    );
  if (spec.absoluteTimeout === undefined) return ok({ cookieTtl: '0s', warnings });
  const ms = parseGatewayDuration(spec.absoluteTimeout);
  if (ms === undefined)
    return fail(
      `sessionPersistence absoluteTimeout ${JSON.stringify(spec.absoluteTimeout)} is not a valid duration`,
    );
  if (ms > 86_400_000) {
    warnings.push('sessionPersistence absoluteTimeout is capped at 24h, the Network Services maximum');
    return ok({ cookieTtl: protoDuration(86_400_000), warnings });
  }
  return ok({ cookieTtl: protoDuration(Math.floor(ms / 1000) * 1000), warnings });
}
