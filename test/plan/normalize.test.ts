import test from 'ava';
import { canonicalDuration, canonicalReference, diffFields, normalize } from '../../shared/plan/index.ts';
import type { Kind, NsResource } from '../../shared/plan/index.ts';
import { MESH, P, asListed, grpcRoute, httpRoute, mesh } from './builders.ts';

const durations: [string, string][] = [
  ['10s', '10s'],
  ['1.500s', '1.5s'],
  ['1.000000000s', '1s'],
  ['0.010s', '0.01s'],
  ['abc', 'abc'],
];
for (const [input, want] of durations) {
  test(`canonicalDuration(${input}) = ${want}`, (t) => t.is(canonicalDuration(input), want));
}

const references: [string, string][] = [
  [`https://networkservices.googleapis.com/v1alpha1/${MESH}`, MESH],
  [`//networkservices.googleapis.com/${MESH}`, MESH],
  [`https://www.googleapis.com/compute/v1/${P}/backendServices/b`, `${P}/backendServices/b`],
  [MESH, MESH],
];
for (const [input, want] of references) {
  test(`canonicalReference(${input})`, (t) => t.is(canonicalReference(input), want));
}

/** httpRoute('a') mirroring `percent` of its traffic. */
function withMirror(percent: number): NsResource {
  const r = httpRoute('a');
  r.rules![0].action!.requestMirrorPolicy = {
    destination: { serviceName: `${P}/backendServices/m-80` },
    mirrorPercent: percent,
  };
  return r;
}

// Pairs that must compare equal (no update) and pairs that must differ in exactly the named fields.
const equal: [string, Kind, NsResource, NsResource][] = [
  [
    'output-only fields and list/map order',
    'httpRoutes',
    httpRoute('a'),
    asListed(httpRoute('a'), 'httpRoutes'),
  ],
  [
    'mesh referenced by full URL',
    'httpRoutes',
    httpRoute('a'),
    httpRoute('a', { meshes: [`https://networkservices.googleapis.com/v1alpha1/${MESH}`] }),
  ],
  [
    'duration spelling',
    'httpRoutes',
    httpRoute('a'),
    (() => {
      const r = httpRoute('a');
      r.rules![0].action!.timeout = '10.000s';
      return r;
    })(),
  ],
  [
    'empty lists and strings omitted',
    'httpRoutes',
    httpRoute('a', { gateways: [], description: httpRoute('a').description }),
    httpRoute('a', { gateways: null }),
  ],
  ['mesh default interception port', 'meshes', mesh(), mesh({ interceptionPort: 15001 })],
  ['mesh envoyHeaders NONE', 'meshes', mesh({ envoyHeaders: 'NONE' }), mesh()],
  [
    'HttpRoute weight 0 is default',
    'httpRoutes',
    httpRoute('a', { rules: [{ action: { destinations: [{ serviceName: 'x', weight: 0 }] } }] }),
    httpRoute('a', { rules: [{ action: { destinations: [{ serviceName: 'x' }] } }] }),
  ],
  [
    'grpc EXACT method type is default',
    'grpcRoutes',
    grpcRoute('g'),
    (() => {
      const r = grpcRoute('g');
      r.rules![0].matches![0].method!.type = 'EXACT';
      return r;
    })(),
  ],
  [
    'mirrorPercent at float32 precision (100/3 sent, 33.3333321 read back)',
    'httpRoutes',
    withMirror(100 / 3),
    withMirror(33.3333321),
  ],
];
for (const [title, kind, a, b] of equal) {
  test(`equal: ${title}`, (t) => {
    t.deepEqual(normalize(kind, a), normalize(kind, b));
    t.deepEqual(diffFields(kind, a, b), []);
  });
}

const different: [string, Kind, NsResource, NsResource, string[]][] = [
  [
    'rule order matters',
    'httpRoutes',
    httpRoute('a', { rules: [{ matches: [{ fullPathMatch: '/x' }] }, { matches: [{ prefixMatch: '/' }] }] }),
    httpRoute('a', { rules: [{ matches: [{ prefixMatch: '/' }] }, { matches: [{ fullPathMatch: '/x' }] }] }),
    ['rules'],
  ],
  [
    'hostname added',
    'httpRoutes',
    httpRoute('a'),
    httpRoute('a', { hostnames: ['a.ns.svc.cluster.local'] }),
    ['hostnames'],
  ],
  [
    'description and labels',
    'httpRoutes',
    httpRoute('a'),
    httpRoute('a', { description: 'x', labels: {} }),
    ['description', 'labels'],
  ],
  [
    'grpc caseSensitive false vs absent',
    'grpcRoutes',
    grpcRoute('g'),
    (() => {
      const r = grpcRoute('g');
      delete r.rules![0].matches![0].method!.caseSensitive;
      return r;
    })(),
    ['rules'],
  ],
  [
    'grpc weight 0 vs absent',
    'grpcRoutes',
    grpcRoute('g'),
    (() => {
      const r = grpcRoute('g');
      delete r.rules![0].action!.destinations![0].weight;
      return r;
    })(),
    ['rules'],
  ],
  [
    'mirrorPercent one float32 step apart',
    'httpRoutes',
    withMirror(33.3333321),
    withMirror(33.333336),
    ['rules'],
  ],
  ['mesh interception port', 'meshes', mesh({ interceptionPort: 15002 }), mesh(), ['interceptionPort']],
];
for (const [title, kind, want, have, mask] of different) {
  test(`differs: ${title}`, (t) => {
    const diff = diffFields(kind, want, have);
    t.deepEqual(
      diff.map((d) => d.field),
      mask,
    );
    for (const d of diff) t.notDeepEqual(d.before, d.after);
  });
}

test('normalize keeps only writable top-level fields', (t) => {
  const n = normalize('httpRoutes', asListed(httpRoute('a'), 'httpRoutes'));
  t.deepEqual(Object.keys(n).sort(), ['description', 'hostnames', 'labels', 'meshes', 'rules']);
});
