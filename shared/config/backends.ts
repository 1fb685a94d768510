// Backend service settings: the id template and the allow-list of backend services the override
// annotation may name (docs/backends.md §7).
import { BACKEND_TEMPLATE_PLACEHOLDERS } from './patterns.ts';
import type { EnvReader } from './read.ts';

export function readBackendTemplate(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_BACKEND_SERVICE_TEMPLATE');
  if (v === undefined) return undefined;
  const placeholders = [...v.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const unknown = placeholders.filter(
    (p) => !(BACKEND_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(p),
  );
  if (unknown.length > 0)
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      `unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(', ')}; allowed: ${BACKEND_TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    );
  if (!placeholders.includes('service'))
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      'must contain {service}, or every Service would share one backend',
    );
  const literal = v.replace(/\{[^}]*\}/g, 'x');
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(literal))
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      `may hold only lowercase letters, digits, hyphens and placeholders, got ${JSON.stringify(v)}`,
    );
  return v;
}

const OVERRIDE_ENTRY =
  /^(projects\/[^/*]+\/(locations\/[^/*]+|global|regions\/[^/*]+)\/backendServices\/)?([a-z][-a-z0-9]{0,62})?\*?$/;

/**
 * A GAMMA_BACKEND_SERVICE_OVERRIDES value (the CLI's --backend-service-overrides too): comma-separated
 * backend service ids or full names, each optionally ending in `*`. The entries, or what is wrong.
 */
export function parseBackendServiceOverrides(text: string): { entries: string[] } | { error: string } {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = entries.filter((e) => !OVERRIDE_ENTRY.test(e));
  if (bad.length === 0) return { entries };
  return {
    error: `entries must be backend service ids or projects/P/locations/L/backendServices/ID, optionally ending in *: ${bad.map((e) => JSON.stringify(e)).join(', ')}`,
  };
}

/** GAMMA_BACKEND_SERVICE_OVERRIDES; default none. */
export function readOverrides(r: EnvReader): string[] {
  const v = r.raw('GAMMA_BACKEND_SERVICE_OVERRIDES');
  if (v === undefined) return [];
  const parsed = parseBackendServiceOverrides(v);
  if ('error' in parsed) r.problem('GAMMA_BACKEND_SERVICE_OVERRIDES', parsed.error);
  return 'entries' in parsed ? parsed.entries : [];
}
