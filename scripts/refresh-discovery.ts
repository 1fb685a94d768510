// Refreshes the vendored Network Services v1 discovery document from a copy fetched elsewhere:
//   tsx scripts/refresh-discovery.ts FILE --repo OWNER/NAME --path PATH --commit SHA
// (e.g. googleapis/google-api-go-client networkservices/v1/networkservices-api.json, or
// googleapis/google-api-nodejs-client discovery/networkservices-v1.json). Checks that FILE is the
// networkservices:v1 discovery document, writes it verbatim next to the validator and records where
// it came from (infra/local/discovery/networkservices-v1.source.json). No network access here.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = path.join(ROOT, 'infra/local/discovery/networkservices-v1.json');
const SOURCE = path.join(ROOT, 'infra/local/discovery/networkservices-v1.source.json');

const program = new Command()
  .name('refresh-discovery')
  .argument('<file>', 'a fetched networkservices v1 discovery document')
  .requiredOption('--repo <owner/name>', 'repository the copy came from')
  .requiredOption('--path <path>', 'path of the copy in that repository')
  .requiredOption('--commit <sha>', 'commit of that repository the copy is from')
  .parse();

const [file] = program.args;
const opts = program.opts<{ repo: string; path: string; commit: string }>();
const text = readFileSync(file, 'utf8');
let doc: { id?: unknown; revision?: unknown; schemas?: unknown };
try {
  doc = JSON.parse(text) as typeof doc;
} catch (e) {
  throw new Error(`${file} is not JSON: ${(e as Error).message}`);
}
if (doc.id !== 'networkservices:v1' || typeof doc.revision !== 'string' || !doc.schemas)
  throw new Error(`${file} is not the networkservices:v1 discovery document (id ${JSON.stringify(doc.id)})`);
if (!/^[0-9a-f]{40}$/.test(opts.commit)) throw new Error(`--commit must be a 40-digit commit id`);
const previous = JSON.parse(readFileSync(SOURCE, 'utf8')) as { revision: string };
writeFileSync(TARGET, text);
const source = { repo: opts.repo, path: opts.path, commit: opts.commit, revision: doc.revision };
writeFileSync(SOURCE, `${JSON.stringify(source, null, 2)}\n`);
process.stdout.write(`networkservices v1 discovery: revision ${previous.revision} -> ${doc.revision}\n`);
