// The stand-in takes exactly the body types kubectl and client-node send, bounded like the API server
// (docs/security.md §5): a page that guesses the port cannot write with text/plain, form or untyped
// bodies, which need no CORS preflight.
import test from 'ava';
import { MAX_BODY_BYTES } from '../../infra/local/k8s/routes.ts';
import { emulatorWithClient, raw, service } from './support.ts';

const { emu } = await emulatorWithClient();
test.after.always(() => emu.close());
const SERVICES = '/api/v1/namespaces/default/services';

async function send(method: string, path: string, body: string, type?: string) {
  const res = await raw(emu, path, { method, headers: type ? { 'content-type': type } : {}, body });
  return { status: res.status, body: (await res.json()) as { reason?: string; message?: string } };
}

test.serial('create, replace and patch refuse browser-sendable and unknown types with 415', async (t) => {
  const body = JSON.stringify(service('web'));
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    // (protobuf is accepted: kubectl sends it for built-in kinds; test/k8s/kubectl-fidelity decodes it)
    'application/xml',
    undefined,
  ]) {
    const r = await send('POST', SERVICES, body, type);
    t.is(r.status, 415, String(type));
    t.is(r.body.reason, 'UnsupportedMediaType');
  }
  t.is((await send('PUT', `${SERVICES}/web`, body, 'text/plain')).status, 415);
  // Object types are not patch types, and patch types are not object types.
  t.is((await send('PATCH', `${SERVICES}/web`, '{}', 'application/json')).status, 415);
  t.is((await send('PATCH', `${SERVICES}/web`, '{}', 'text/plain')).status, 415);
  t.is((await send('POST', SERVICES, body, 'application/merge-patch+json')).status, 415);
  t.is((await raw(emu, `${SERVICES}/web`)).status, 404, 'nothing was created');
});

test.serial('the types kubectl sends are accepted', async (t) => {
  t.is((await send('POST', SERVICES, JSON.stringify(service('ok')), 'application/json')).status, 201);
  const yaml = 'apiVersion: v1\nkind: Service\nmetadata: {name: ok-yaml}\nspec: {ports: [{port: 80}]}\n';
  t.is((await send('POST', SERVICES, yaml, 'application/yaml')).status, 201);
  for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
    t.is(
      (await send('PATCH', `${SERVICES}/ok`, '{"metadata":{"labels":{"a":"b"}}}', type)).status,
      200,
      type,
    );
  }
  const jsonPatch = '[{"op":"add","path":"/metadata/annotations","value":{"x":"y"}}]';
  t.is((await send('PATCH', `${SERVICES}/ok`, jsonPatch, 'application/json-patch+json')).status, 200);
  const apply = 'apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {ports: [{port: 80}]}\n';
  t.is(
    (await send('PATCH', `${SERVICES}/ok?fieldManager=kubectl`, apply, 'application/apply-patch+yaml'))
      .status,
    200,
  );
});

test.serial('bodies over the API server limit (3 MiB) get 413', async (t) => {
  const big = service('big');
  big.metadata.annotations = { pad: 'x'.repeat(MAX_BODY_BYTES) };
  const r = await send('POST', SERVICES, JSON.stringify(big), 'application/json');
  t.is(r.status, 413);
  t.is(r.body.reason, 'RequestEntityTooLarge');
  t.is((await raw(emu, `${SERVICES}/big`)).status, 404);
});
