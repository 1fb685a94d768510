// `gamma-csm emulator netsvc --port 0` as a user runs it: spawn bin/gamma-csm.js, read the URL, talk HTTP.
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO_ROOT } from '../support/cli.ts';

async function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'emulator', 'netsvc', '--port', '0', ...args], {
    cwd: REPO_ROOT,
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const m = /netsvc emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}: ${stdout}`)));
  });
  return { child, url, output: () => stdout };
}

test("the CLI serves the emulator, answers in Google's shapes, counts calls, and stops on SIGTERM", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netsvc-cli-'));
  const state = path.join(dir, 'state.json');
  const { child, url, output } = await startCli(['--state', state]);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  t.regex(output(), /^netsvc emulator listening on http:\/\/127\.0\.0\.1:\d+\n$/);

  const create = await fetch(`${url}/v1/projects/p/locations/global/meshes?meshId=m`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  t.is(create.status, 200);
  const op = (await create.json()) as { name: string; metadata: { verb: string; target: string } };
  t.regex(op.name, /^projects\/p\/locations\/global\/operations\/operation-/);
  t.is(op.metadata.verb, 'create');

  const get = await fetch(`${url}/v1/projects/p/locations/global/meshes/m`);
  t.is(get.status, 200);
  t.is(((await get.json()) as { name: string }).name, 'projects/p/locations/global/meshes/m');

  const again = await fetch(`${url}/v1/projects/p/locations/global/meshes?meshId=m`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  t.is(again.status, 409);
  t.like(await again.json(), { error: { code: 409, status: 'ALREADY_EXISTS' } });

  const stats = (await (await fetch(`${url}/_emulator/stats`)).json()) as {
    requests: number;
    byMethod: Record<string, number>;
    writes: number;
  };
  t.is(stats.requests, 3);
  t.deepEqual(stats.byMethod, { POST: 2, GET: 1 });
  t.is(stats.writes, 1);

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 0);
  t.regex(output(), /netsvc emulator stopped/);
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { resources: { meshes: Record<string, unknown> } };
  t.deepEqual(Object.keys(saved.resources.meshes), ['projects/p/locations/global/meshes/m']);
});

test('SIGINT stops it too', async (t) => {
  const { child, output } = await startCli([]);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.kill('SIGINT');
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  t.is(code, 0, `signal=${signal} stdout=${output()} stderr=${stderr}`);
});
