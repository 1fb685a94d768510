// The Terraform module and example parsed with @cdktf/hcl2json, one merged view per directory (shared by
// the test/infra tests; no providers can be downloaded here, so no plan of the real module).
import { parse } from '@cdktf/hcl2json';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const tfRoot = path.join(root, 'infra/terraform');
export const moduleDir = path.join(tfRoot, 'modules/gamma-csm');
export const exampleDir = path.join(tfRoot, 'examples/basic');

export type Block = Record<string, unknown>;
export interface Config {
  files: Record<string, string>;
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variable: Record<string, Block>;
  locals: Block;
  output: Record<string, Block>;
  module: Record<string, Block>;
}

function tfFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .map((f) => path.join(dir, f));
}

// hcl2json gives every block as an array of bodies; merge the files of one directory into one view.
export async function loadDir(dir: string): Promise<Config> {
  const c: Config = { files: {}, resource: {}, data: {}, variable: {}, locals: {}, output: {}, module: {} };
  for (const file of tfFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    c.files[file] = text;
    const json = (await parse(file, text)) as Record<string, Record<string, unknown>>;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(json[kind] ?? {})) {
        for (const [name, bodies] of Object.entries(byName as Record<string, Block[]>)) {
          (c[kind][type] ??= {})[name] = bodies[0];
        }
      }
    }
    for (const kind of ['variable', 'output', 'module'] as const) {
      for (const [name, bodies] of Object.entries((json[kind] ?? {}) as Record<string, Block[]>))
        c[kind][name] = bodies[0];
    }
    for (const l of (json.locals ?? []) as unknown as Block[]) Object.assign(c.locals, l);
  }
  return c;
}

export const first = (x: unknown): Block => (Array.isArray(x) ? (x[0] as Block) : (x as Block));
