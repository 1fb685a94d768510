// sessionPersistence (experimental) -> statefulSessionAffinity {cookieTtl}.
// Only cookie persistence exists in Network Services (cookie named GSSA, TTL 0-86400 s, "0s" = session
// cookie). Type Header and idleTimeout have no equivalent and reject the rule. absoluteTimeout ->
// cookieTtl; lifetimeType Session without absoluteTimeout -> "0s". sessionName cannot be chosen (the
// cookie is always GSSA): accepted with a warning, since the name is implementation-specific.
import type { SessionPersistence } from '../gamma/types.ts';
import type { Result } from './model.ts';
import { fail, ok } from './model.ts';
import { isObj, parseGatewayDuration, protoDuration } from './util.ts';

export interface SessionAffinity {
  cookieTtl: string;
  warnings: string[];
}

const NO_SESSION: Result<undefined> = Object.freeze({ ok: true as const, value: undefined });

export function convertSessionPersistence(
  spec: SessionPersistence | undefined,
): Result<SessionAffinity | undefined> {
  if (!isObj(spec)) return NO_SESSION;
  if (spec.type !== undefined && spec.type !== 'Cookie')
    return fail(
      `sessionPersistence type ${JSON.stringify(spec.type)} is not supported (Network Services only has cookie-based affinity)`,
    );
  if (spec.idleTimeout !== undefined)
    return fail('sessionPersistence idleTimeout is not supported by Network Services');
  const warnings: string[] = [];
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
  if (ms > 86_400_000)
    return fail('sessionPersistence absoluteTimeout exceeds the 24h Network Services maximum');
  return ok({ cookieTtl: protoDuration(Math.floor(ms / 1000) * 1000), warnings });
}
