// The local stack's Compute wiring: the emulator runs, endpoints.json names it, the functions get
// GAMMA_COMPUTE_ENDPOINT, and the stand-in's NEG controller keeps NEGs in it for the seeded Services.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import { startLocalStack } from '../../infra/local/stack.ts';
import { NEG_STATUS_ANNOTATION } from '../../shared/compute/types.ts';
import { REPO_ROOT } from '../support/cli.ts';

test('the stack serves Compute, names it in endpoints.json and mirrors neg-status NEGs into it', async (t) => {
  t.timeout(60_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-compute-'));
  const stack = await startLocalStack({
    workDir,
    seed: path.join(REPO_ROOT, 'examples'),
    reconcileIntervalMs: 600_000,
  });
  t.teardown(() => stack.close());
  const file = JSON.parse(readFileSync(stack.endpointsFile, 'utf8')) as Record<string, string>;
  t.is(file.compute, stack.compute.url);
  t.is(stack.pipeline.config.computeEndpoint, stack.compute.url);

  await new Promise((r) => setTimeout(r, 50)); // the controller writes in a microtask after seeding
  const svc = stack.k8s.getObject('Service', 'http-split', 'echo-service');
  const status = JSON.parse(svc!.metadata.annotations![NEG_STATUS_ANNOTATION]) as {
    network_endpoint_groups: Record<string, string>;
    zones: string[];
  };
  t.deepEqual(status.zones, ['us-central1-a', 'us-central1-b', 'us-central1-c']);
  const neg = status.network_endpoint_groups['80'];
  t.regex(neg, /^k8s1-[0-9a-f]{8}-http-split-echo-service-80-[0-9a-f]{8}$/);

  const compute = new compute_v1.Compute({ rootUrl: file.compute, retry: false });
  const listed = await compute.networkEndpointGroups.list({ project: file.project, zone: 'us-central1-b' });
  t.true(listed.data.items!.some((n) => n.name === neg));

  stack.k8s.setNegZones(['us-central1-a']);
  const after = await compute.networkEndpointGroups.list({ project: file.project, zone: 'us-central1-b' });
  t.is(after.data.items, undefined, 'NEGs of a removed zone are deleted');
});
