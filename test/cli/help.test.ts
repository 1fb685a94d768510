import test from 'ava';
import { runCli } from '../support/cli.ts';

test('--help lists every command', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0);
  for (const cmd of ['translate', 'plan', 'apply', 'emulator', 'watch', 'local', 'doctor', 'uninstall']) {
    t.regex(r.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'), `missing ${cmd}`);
  }
});

test('an unknown command is an error with a suggestion', async (t) => {
  const r = await runCli(['tranlate']);
  t.not(r.code, 0);
  t.regex(r.stderr, /Did you mean translate\?/);
});

test('an unknown emulator is rejected with the valid names', async (t) => {
  const r = await runCli(['emulator', 'etcd']);
  t.is(r.code, 2);
  t.regex(r.stderr, /unknown emulator "etcd".*netsvc, pubsub, k8s, compute/);
});
