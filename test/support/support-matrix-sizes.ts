// The "Sizes" section of docs/support-matrix.md, rendered from the limits translate enforces
// (shared/translate/limits.ts) so the documented defaults cannot drift from the code.
import { DEFAULT_ROUTE_LIMITS, ROUTE_LIMIT_INFO, type RouteLimits } from '../../shared/translate/limits.ts';
import { MAX_NEG_BACKENDS } from '../../shared/compute/types.ts';

const WHAT_HAPPENS: Record<keyof RouteLimits, string> = {
  rulesPerRoute:
    'The route is not written: a parent that selected only this Service port gets Accepted=False (UnsupportedValue), one that selected several ports a note naming the port; the message names the limit, its variable and what to do (split the routes on this port). An existing route for the port is removed.',
  matchesPerRule:
    'Never refused: a longer run of matches with one action is split into consecutive rules with that action, which route exactly as one rule.',
  destinationsPerRule: 'As rules per route (send the rule to fewer backends).',
  headerMatchesPerMatch: 'As rules per route (match on fewer headers in one match).',
  hostnamesPerRoute: 'As rules per route; gamma-csm writes at most 8 hostnames per route.',
  routeBytes: 'As rules per route; measured as the UTF-8 JSON body of the route.',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderSizes(): string[] {
  const out = [
    '## Sizes',
    '',
    'Every Service port gets one Network Services route holding the rules of all the routes attached to it.',
    'Network Services documents no limit on rules, matches, destinations, header matches or hostnames per',
    "route, nor on a route's size; where Google documents a limit for the same data planes elsewhere it is",
    'used, otherwise the cap is a conservative default that a `GAMMA_MAX_*` variable (TranslateOptions',
    '`limits`) changes. Checked by `test/translate/limits.test.ts`.',
    '',
    '| Limit | Default | Source | Variable | When exceeded |',
    '|---|---|---|---|---|',
  ];
  for (const key of Object.keys(ROUTE_LIMIT_INFO) as (keyof RouteLimits)[]) {
    const info = ROUTE_LIMIT_INFO[key];
    out.push(
      `| ${info.what} | ${DEFAULT_ROUTE_LIMITS[key]} | ${cell(info.documented)} | \`${info.env}\` | ${cell(WHAT_HAPPENS[key])} |`,
    );
  }
  out.push(
    '| description length | 1024 | Network Services reference (HttpRoute, GrpcRoute) | – | Never exceeded: the list of source routes is shortened ("(+N more)"). |',
    '| routes per Mesh | – | no documented Network Services limit | – | Not capped in translate: the sync function translates one parent at a time, so a per-Mesh count there would disagree with reconcile. One route per routed Service port; the functions bound routes per event with `GAMMA_MAX_ROUTES_PER_SNAPSHOT`. |',
    `| GCE_VM_IP_PORT NEG backends per backend service | ${MAX_NEG_BACKENDS} | Cloud Load Balancing quotas and limits | – | gamma-csm adds one backend per zone of the port's NEG: a NEG in more zones leaves the backend unresolved (ResolvedRefs=False, BackendNotFound naming the zone count); the Compute emulator refuses more than ${MAX_NEG_BACKENDS} backends too. |`,
    '',
  );
  return out;
}
