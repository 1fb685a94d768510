// Property tests: the planner converges, is idempotent, and never touches what it does not own.
import test from 'ava';
import fc from 'fast-check';
import { isEmptyPlan, idOf, plan } from '../../shared/plan/index.ts';
import type { ActualState, Kind, NsResource, Plan, PlanOptions } from '../../shared/plan/index.ts';
import type { NsHttpRoute } from '../../shared/translate/types.ts';
import { LABEL_CLUSTER } from '../../shared/translate/types.ts';
import { MESH, OPTS, P, actual, asListed, desired, ourLabels } from './builders.ts';

const ids = fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5');
const hostnames = fc.uniqueArray(fc.constantFrom('a.ns', 'a.ns.svc', 'a.ns.svc.cluster.local', 'b.ns:8080'), {
  minLength: 1,
});
const rule = fc.record(
  {
    matches: fc.array(
      fc.constantFrom({ prefixMatch: '/' }, { fullPathMatch: '/x' }, { regexMatch: '/v[0-9]+' }),
      {
        maxLength: 2,
      },
    ),
    action: fc.record({
      destinations: fc.array(
        fc.record({
          serviceName: fc.constantFrom(`${P}/backendServices/b1`, `${P}/backendServices/b2`),
          weight: fc.nat(100),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      timeout: fc.constantFrom('1s', '1.5s', '30s'),
    }),
  },
  { requiredKeys: ['action'] },
);

function routeArb(labels: fc.Arbitrary<Record<string, string>>) {
  return fc
    .record({
      id: ids,
      description: fc.string({ maxLength: 8 }),
      hostnames,
      rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
      labels,
    })
    .map((r): NsHttpRoute => ({
      name: `${P}/httpRoutes/${r.id}`,
      description: r.description,
      hostnames: r.hostnames,
      meshes: [MESH],
      rules: r.rules,
      labels: r.labels,
    }));
}

const ours = fc.constantFrom(ourLabels('c1', 'ns-a'), ourLabels('c1', 'ns-b'));
const anyOwner = fc.constantFrom<Record<string, string>>(
  ourLabels('c1', 'ns-a'),
  ourLabels('c2', 'ns-a'),
  { team: 'payments' },
  {},
);
const uniqueById = (routes: NsHttpRoute[]) => [...new Map(routes.map((r) => [idOf(r.name), r])).values()];
const desiredRoutes = fc.array(routeArb(ours), { maxLength: 5 }).map(uniqueById);
const actualRoutes = fc.array(routeArb(anyOwner), { maxLength: 6 }).map(uniqueById);
const options = fc
  .record({ adopt: fc.boolean(), forceDelete: fc.constant(true) })
  .map((o): PlanOptions => ({ ...OPTS, ...o }));

/** A tiny model of the API applying a plan: creates store the body, patches overwrite masked fields. */
function applyToState(state: ActualState, p: Plan): ActualState {
  const next = structuredClone(state);
  const list = (kind: Kind) => next[kind] as NsResource[];
  for (const d of p.deletes) next[d.kind] = list(d.kind).filter((r) => idOf(r.name) !== d.id) as never;
  for (const c of p.creates) list(c.kind).push(asListed(structuredClone(c.body), c.kind));
  for (const u of p.updates) {
    const target = list(u.kind).find((r) => idOf(r.name) === u.id) as Record<string, unknown>;
    const body = u.body as Record<string, unknown>;
    for (const field of u.updateMask) {
      if (body[field] === undefined) delete target[field];
      else target[field] = structuredClone(body[field]);
    }
  }
  return next;
}

test('plan(desired, applied(desired)) is empty', (t) => {
  fc.assert(
    fc.property(desiredRoutes, (routes) => {
      const d = desired({ httpRoutes: routes });
      const a = actual({ httpRoutes: routes.map((r) => asListed(r, 'httpRoutes')) });
      return isEmptyPlan(plan(d, a, OPTS));
    }),
  );
  t.pass();
});

test('applying the plan to the actual state yields the desired state (a second plan is empty)', (t) => {
  fc.assert(
    fc.property(desiredRoutes, actualRoutes, options, (routes, existing, opts) => {
      const d = desired({ httpRoutes: routes });
      const first = plan(d, actual({ httpRoutes: existing }), opts);
      const after = applyToState(actual({ httpRoutes: existing }), first);
      const second = plan(d, after, opts);
      // Refusals are stable (left alone); everything else converged in one step.
      if (!isEmptyPlan(second)) return false;
      if (JSON.stringify(second.refused) !== JSON.stringify(first.refused)) return false;
      const ownedLeft = after.httpRoutes.filter(
        (r) => r.labels?.[LABEL_CLUSTER] === 'c1' && r.labels?.['managed-by'],
      );
      const wanted = new Set(routes.map((r) => idOf(r.name)));
      return ownedLeft.every((r) => wanted.has(idOf(r.name)));
    }),
  );
  t.pass();
});

test('unowned resources never appear in updates or deletes', (t) => {
  fc.assert(
    fc.property(desiredRoutes, actualRoutes, fc.boolean(), (routes, existing, forceDelete) => {
      const p = plan(desired({ httpRoutes: routes }), actual({ httpRoutes: existing }), {
        ...OPTS,
        forceDelete,
      });
      const notOurs = new Set(
        existing
          .filter((r) => r.labels?.[LABEL_CLUSTER] !== 'c1' || !r.labels?.['managed-by'])
          .map((r) => idOf(r.name)),
      );
      return [...p.updates, ...p.deletes].every((i) => !notOurs.has(i.id));
    }),
  );
  t.pass();
});
