// 32-bit float fields: the helper, and the emulator storing and answering them as the API does.
import test from 'ava';
import { float32Json, roundFloat32Fields, sameFloat32 } from '../../shared/netsvc/float32.ts';
import { call, emulatorFor, httpRoute, PARENT } from './helpers.ts';

// protobuf's JSON writer: "%.6g" when it reads back as the same float32, else "%.9g".
const printed: [number, string][] = [
  [33.333333333333336, '33.3333321'],
  [33.33333, '33.3333282'],
  [200 / 3, '66.6666641'],
  [12.5, '12.5'],
  [0.1, '0.1'],
  [100, '100'],
  [0, '0'],
  [1e-7, '1e-7'],
];
for (const [input, want] of printed) {
  test(`float32Json(${input}) prints ${want}`, (t) => {
    const out = float32Json(input);
    t.is(JSON.stringify(out), want);
    t.true(sameFloat32(out, input), 'the same float32 as the input');
    t.is(float32Json(out), out, 'stable: printing what was read back changes nothing');
  });
}

test('roundFloat32Fields rounds mirrorPercent at any depth and leaves other numbers alone', (t) => {
  const body = {
    rules: [
      { action: { requestMirrorPolicy: { mirrorPercent: 100 / 3 }, destinations: [{ weight: 1 / 3 }] } },
    ],
  };
  const out = roundFloat32Fields(body);
  t.is(out.rules[0].action.requestMirrorPolicy.mirrorPercent, 33.3333321);
  t.is(out.rules[0].action.destinations[0].weight, 1 / 3);
  t.is(body.rules[0].action.requestMirrorPolicy.mirrorPercent, 100 / 3, 'input untouched');
});

test('the emulator stores mirrorPercent as a float32: create, get, list, operation response and patch', async (t) => {
  const emu = await emulatorFor(t);
  const mirrored = (percent: number) =>
    httpRoute('a.example', {
      rules: [
        {
          action: {
            destinations: [{ serviceName: `${PARENT}/backendServices/bs` }],
            requestMirrorPolicy: {
              destination: { serviceName: `${PARENT}/backendServices/shadow` },
              mirrorPercent: percent,
            },
          },
        },
      ],
    });
  const percentOf = (r: Record<string, unknown>) =>
    (r.rules as { action: { requestMirrorPolicy: { mirrorPercent: number } } }[])[0].action
      .requestMirrorPolicy.mirrorPercent;
  const created = await call(
    emu,
    'POST',
    `/v1/${PARENT}/httpRoutes?httpRouteId=r`,
    mirrored(33.333333333333336),
  );
  t.is(created.status, 200, JSON.stringify(created.json));
  t.is(percentOf(created.json.response as Record<string, unknown>), 33.3333321);
  const read = await call(emu, 'GET', `/v1/${PARENT}/httpRoutes/r`);
  t.is(percentOf(read.json), 33.3333321);
  t.is(Math.fround(percentOf(read.json)), Math.fround(33.333333333333336));
  const listed = await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`);
  t.is(percentOf((listed.json.httpRoutes as Record<string, unknown>[])[0]), 33.3333321);
  const patched = await call(emu, 'PATCH', `/v1/${PARENT}/httpRoutes/r?updateMask=rules`, mirrored(200 / 3));
  t.is(patched.status, 200);
  t.is(percentOf((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes/r`)).json), 66.6666641);
});
