// The emulator's HTTP surface takes bounded JSON only (docs/security.md §5): a web page that guesses
// the port can send text/plain, form or untyped bodies without a CORS preflight, and must not write.
import test from 'ava';
import { MAX_BODY_BYTES } from '../../infra/local/netsvc/server.ts';
import { call, emulatorFor, PARENT } from './helpers.ts';

async function post(url: string, body: string, type?: string) {
  const res = await fetch(url, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
  return { status: res.status, json: (await res.json()) as { error?: { message?: string } } };
}

test('writes with a body that is not declared JSON get 415 and change nothing', async (t) => {
  const emu = await emulatorFor(t);
  const create = new URL(`/v1/${PARENT}/meshes?meshId=m`, emu.url).href;
  const body = JSON.stringify({ description: 'from a web page' });
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    undefined,
  ]) {
    const r = await post(create, body, type);
    t.is(r.status, 415, String(type));
    t.regex(r.json.error?.message ?? '', /Content-Type .* is not accepted; send application\/json/);
  }
  // An empty untyped POST is refused too: it would otherwise create with defaults or reset.
  t.is((await post(create, '')).status, 415);
  t.is((await post(new URL('/_emulator/reset?state=true', emu.url).href, '')).status, 415);
  t.is((await post(new URL('/_emulator/faults', emu.url).href, '{}', 'text/plain')).status, 415);
  t.is((await post(new URL('/_emulator/quota', emu.url).href, '{}', 'text/plain')).status, 415);
  t.deepEqual((await call(emu, 'GET', `/v1/${PARENT}/meshes`)).json.meshes ?? [], []);
  // Declared JSON (charset allowed) still works, and reads need no type.
  t.is((await post(create, body, 'application/json; charset=utf-8')).status, 200);
  t.is((await call(emu, 'POST', '/_emulator/reset', {})).status, 200);
});

test('bodies over 4 MiB get 413 without being kept', async (t) => {
  const emu = await emulatorFor(t);
  t.is(MAX_BODY_BYTES, 4 * 1024 * 1024);
  const create = new URL(`/v1/${PARENT}/meshes?meshId=big`, emu.url).href;
  const big = JSON.stringify({ description: 'x'.repeat(MAX_BODY_BYTES) });
  const r = await post(create, big, 'application/json');
  t.is(r.status, 413);
  t.regex(r.json.error?.message ?? '', /larger than 4194304 bytes/);
  t.is((await post(new URL('/_emulator/faults', emu.url).href, big, 'application/json')).status, 413);
  t.is((await call(emu, 'GET', `/v1/${PARENT}/meshes/big`)).status, 404);
});
