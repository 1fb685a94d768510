import { spawn } from 'node:child_process';
import test from 'ava';
import { CLI, REPO_ROOT } from '../support/cli.ts';
import { clientFor } from './helpers.ts';

test('`gamma-csm emulator pubsub` serves the real client and stops cleanly on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [CLI, 'emulator', 'pubsub', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line; stdout: ${stdout}`)), 15_000);
      child.stdout.on('data', () => {
        const match = /pubsub emulator listening on (127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const pubsub = clientFor(endpoint);
    const [topic] = await pubsub.createTopic('cli-topic');
    t.is(topic.name, 'projects/test-proj/topics/cli-topic');
    await pubsub.close();
    const stopping = Date.now();
    child.kill('SIGTERM');
    t.is(await exited, 0);
    t.true(Date.now() - stopping < 5000, `stopped in ${Date.now() - stopping} ms`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
