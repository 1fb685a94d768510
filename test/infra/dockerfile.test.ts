// No docker engine here: read the Dockerfile and check the watcher image's structure.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
// Joins continuation lines and drops comments, giving one instruction per entry, split into stages.
function stages(dockerfile: string): Instruction[][] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const out: Instruction[][] = [];
  for (const line of lines) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    const ins = { op: m[1].toUpperCase(), args: m[2].trim() };
    if (ins.op === 'FROM') out.push([]);
    out[out.length - 1]?.push(ins);
  }
  return out;
}

// ARGs declared before the first FROM, with their defaults (what `docker build` uses without --build-arg).
const globalArgs = new Map(
  [...text.split(/^FROM /m)[0].matchAll(/^ARG\s+(\w+)=(\S+)/gm)].map((m) => [m[1], m[2]] as const),
);
const expand = (s: string) =>
  s.replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs.get(name) ?? `\${${name}}`);

const all = stages(text).map((st) => st.map((i) => (i.op === 'FROM' ? { ...i, args: expand(i.args) } : i)));
const final = all[all.length - 1];

test('multi-stage on Node 22', (t) => {
  t.true(all.length >= 2, 'a build stage and a runtime stage');
  for (const s of all) t.regex(s[0].args, /(node:22|nodejs22)/, `stage base ${s[0].args}`);
});

test('base images: never latest or untagged, overridable by digest', (t) => {
  for (const s of all) {
    const image = s[0].args.split(/\s+/)[0];
    t.false(image.includes('$'), `${image}: every base image has a default`);
    t.notRegex(image, /:latest(@|$)/, `${image} uses latest`);
    t.regex(
      image,
      /:[\w.-]+(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/,
      `${image} names a tag or digest`,
    );
  }
  t.deepEqual(
    [...globalArgs.keys()],
    ['BUILD_IMAGE', 'RUNTIME_IMAGE'],
    'both bases can be pinned with --build-arg',
  );
});

test('build stage installs with npm ci and bundles', (t) => {
  const run = all[0].filter((i) => i.op === 'RUN').map((i) => i.args);
  t.true(run.some((r) => /^npm ci\b/.test(r)));
  t.true(run.some((r) => /^npm run build\b/.test(r)));
});

test('runtime stage: no dev install, only the watcher bundle, non-root, health port, node entry', (t) => {
  const runs = final.filter((i) => i.op === 'RUN').map((i) => i.args);
  for (const r of runs) {
    t.false(/npm (install|i)\b/.test(r), `final stage must not npm install: ${r}`);
    if (/npm ci/.test(r)) t.regex(r, /--omit=dev/);
  }
  const copies = final.filter((i) => i.op === 'COPY').map((i) => i.args);
  t.true(copies.length > 0);
  for (const c of copies) t.regex(c, /--from=\w+.*\/dist\/watcher\/?\s/, `copies only dist/watcher: ${c}`);
  const user = final.filter((i) => i.op === 'USER').pop();
  t.truthy(user, 'USER set in the final stage');
  t.notRegex(user?.args ?? '', /^(root|0)(:|$)/);
  t.regex(user?.args ?? '', /^\d+(:\d+)?$/, 'numeric uid so runAsNonRoot can verify it');
  t.true(final.some((i) => i.op === 'EXPOSE' && i.args.split(/\s+/).includes('8080')));
  t.false(
    all.flat().some((i) => i.op === 'HEALTHCHECK'),
    'Kubernetes probes, not HEALTHCHECK',
  );
  const entry = final.filter((i) => i.op === 'ENTRYPOINT' || i.op === 'CMD').pop();
  const argv = JSON.parse(entry?.args ?? '[]') as string[];
  t.regex(argv[0], /(^|\/)node$/);
  t.is(argv[argv.length - 1], 'dist/watcher/index.js');
});

test('.dockerignore keeps local state out of the context', (t) => {
  const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['node_modules', 'dist', '.git']) t.true(ignore.includes(p), p);
});
