// Reading manifests: multi-document YAML or JSON text -> plain objects, with errors that name the
// file, the document and the object. Envelope checks only (apiVersion, kind, metadata.name);
// schema validation lives in validate.ts, version support in snapshot.ts.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ManifestError } from './errors.ts';
import type { KubeObject } from './types.ts';
import { GATEWAY_GROUP } from './types.ts';

export interface ParseResult {
  objects: KubeObject[];
  errors: ManifestError[];
  /** Set by loadManifestPaths: what was read but is worth a look (e.g. subdirectories not read). */
  warnings?: ManifestError[];
}

/** Where an object came from, so later stages (duplicates, validation) can name the file. */
export interface ObjectSource {
  file: string;
  document: number;
}

const sources = new WeakMap<object, ObjectSource>();

export function sourceOf(obj: object): ObjectSource | undefined {
  return sources.get(obj);
}

/** Deeper than this is hostile or broken input; rejecting it keeps every later stage non-recursive-safe. */
export const MAX_NESTING_DEPTH = 100;
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function parseManifestText(text: string, file: string): ParseResult {
  const result: ParseResult = { objects: [], errors: [] };
  parseDocuments(text).forEach((doc, i) => {
    if ('error' in doc) result.errors.push(new ManifestError({ file, document: i + 1 }, doc.error));
    else collectDocument(doc.value, file, i + 1, result);
  });
  return result;
}

/** One entry per document: its value, or the error that stopped it. */
type ParsedDocument = { value: unknown } | { error: string };

function parseDocuments(text: string): ParsedDocument[] {
  const json = tryJson(text);
  if (json.ok) return [{ value: json.value }];
  try {
    // logLevel 'error': the library's own warnings would go to stderr as stray Node warnings; what
    // matters about a document is reported as an error here or by validation.
    return parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' }).map((doc) => {
      const problem = doc.errors[0];
      if (!problem) return { value: doc.toJS({ maxAliasCount: 100 }) };
      const pos = problem.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
      const firstLine = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { error: `invalid YAML at ${where}: ${firstLine}` };
    });
  } catch (err) {
    return [{ error: `cannot parse: ${describeParseFailure(err)}` }];
  }
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false }; // not plain JSON: YAML (a superset) gives the better error message
  }
}

function describeParseFailure(err: unknown): string {
  if (err instanceof RangeError) return `nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)`;
  return err instanceof Error ? err.message : String(err);
}

function collectDocument(value: unknown, file: string, document: number, result: ParseResult): void {
  if (value === undefined || value === null) return; // empty document
  if (!isPlainObject(value)) {
    const what = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    result.errors.push(new ManifestError({ file, document }, `expected a Kubernetes object, got ${what}`));
    return;
  }
  if (nestingDepth(value) > MAX_NESTING_DEPTH) {
    result.errors.push(
      new ManifestError(
        { file, document },
        `nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)`,
      ),
    );
    return;
  }
  if (isListKind(value)) {
    value.items.forEach((item, i) => collectItem(item, file, document, `items[${i}]`, result));
    return;
  }
  collectItem(value, file, document, undefined, result);
}

function isListKind(value: Record<string, unknown>): value is Record<string, unknown> & { items: unknown[] } {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

function collectItem(
  value: unknown,
  file: string,
  document: number,
  field: string | undefined,
  result: ParseResult,
): void {
  if (!isPlainObject(value)) {
    result.errors.push(new ManifestError({ file, document, field }, 'expected a Kubernetes object'));
    return;
  }
  const problems = envelopeProblems(value);
  if (problems.length > 0) {
    const parts = identify(value, file, document);
    for (const p of problems) {
      result.errors.push(new ManifestError({ ...parts, field: joinField(field, p.path) }, p.message));
    }
    return;
  }
  sources.set(value, { file, document });
  result.objects.push(value as unknown as KubeObject);
}

function joinField(prefix: string | undefined, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** Names an object as well as its (possibly broken) envelope allows. */
export function identify(value: Record<string, unknown>, file: string, document?: number) {
  const meta = isPlainObject(value.metadata) ? value.metadata : {};
  return {
    file,
    document,
    kind: typeof value.kind === 'string' && value.kind ? value.kind : undefined,
    namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined,
    name: typeof meta.name === 'string' && meta.name ? meta.name : undefined,
  };
}

function envelopeProblems(value: Record<string, unknown>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const apiVersion = value.apiVersion;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    problems.push({ path: 'apiVersion', message: 'required field is missing' });
  } else if (apiVersion === GATEWAY_GROUP) {
    problems.push({
      path: 'apiVersion',
      message: `"${apiVersion}" has no version; use "${GATEWAY_GROUP}/v1"`,
    });
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    problems.push({ path: 'kind', message: 'required field is missing' });
  }
  if (!isPlainObject(value.metadata)) {
    problems.push({ path: 'metadata', message: 'required field is missing' });
  } else if (typeof value.metadata.name !== 'string' || value.metadata.name === '') {
    problems.push({ path: 'metadata.name', message: 'required field is missing' });
  } else if (value.metadata.namespace !== undefined && typeof value.metadata.namespace !== 'string') {
    problems.push({ path: 'metadata.namespace', message: 'must be a string' });
  }
  return problems;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Iterative, so hostile nesting cannot overflow the stack; stops as soon as the limit is passed. */
export function nestingDepth(root: unknown, limit = MAX_NESTING_DEPTH): number {
  let max = 0;
  // Two parallel stacks (values, depths) rather than a pair per node: this runs on every object.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(value)) {
      // Leaves cannot deepen anything: skip pushing them.
      if (typeof child !== 'object' || child === null) continue;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return max;
}

export interface LoadOptions {
  /** Read directories' subdirectories too (kubectl's -R); default: only their top-level files. */
  recursive?: boolean;
}

export async function loadManifestPaths(paths: string[], opts: LoadOptions = {}): Promise<ParseResult> {
  const result: ParseResult = { objects: [], errors: [], warnings: [] };
  for (const p of paths) {
    for (const file of await expandPath(p, result, opts.recursive ?? false)) {
      const text = await readSource(file, result.errors);
      if (text === undefined) continue;
      const name = file === '-' ? '<stdin>' : file;
      const parsed = parseManifestText(text, name);
      result.objects.push(...parsed.objects);
      result.errors.push(...renderFirst(parsed, text, name));
    }
  }
  return result;
}

/**
 * A file that is input to a tool rather than a manifest (kustomization.yaml, an unrendered Helm
 * template) fails with errors about its shape that say nothing useful: one error saying what to
 * run first replaces them.
 */
function renderFirst(parsed: ParseResult, text: string, file: string): ManifestError[] {
  const base = path.basename(file).toLowerCase();
  const isKustomization =
    /^kustomization\.ya?ml$/.test(base) || /^\s*apiVersion:\s*kustomize\.config\.k8s\.io\//m.test(text);
  if (isKustomization) {
    const dir = file === '<stdin>' ? 'DIR' : path.dirname(file);
    return [
      new ManifestError(
        { file },
        `this is a kustomization, not a manifest: render it first (\`kubectl kustomize ${dir} | gamma-csm translate -f -\`)`,
      ),
    ];
  }
  if (parsed.errors.length === 0) return NONE_ERRORS;
  const template = /\{\{-?\s*[.$a-zA-Z(/"-]/.exec(text);
  if (!template) return parsed.errors;
  const line = text.slice(0, template.index).split('\n').length;
  return [
    new ManifestError(
      { file },
      `this looks like an unrendered Helm template ({{ ... }} at line ${line}): render it first (\`helm template RELEASE CHART | gamma-csm translate -f -\`)`,
    ),
  ];
}

const NONE_ERRORS: ManifestError[] = [];

async function expandPath(p: string, result: ParseResult, recursive: boolean): Promise<string[]> {
  const { errors } = result;
  if (p === '-') return ['-'];
  try {
    const info = await stat(p);
    if (!info.isDirectory()) return [p];
    const entries = await readdir(p, { recursive, withFileTypes: true });
    const subdirectories = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    if (!recursive && subdirectories.length > 0)
      result.warnings?.push(
        new ManifestError(
          { file: p },
          `subdirectories not read (${subdirectories.sort().join(', ')}); add -R to read them, as with kubectl`,
        ),
      );
    return entries
      .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  } catch (err) {
    errors.push(new ManifestError({ file: p }, `cannot read: ${errnoMessage(err)}`));
    return [];
  }
}

async function readSource(file: string, errors: ManifestError[]): Promise<string | undefined> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    errors.push(new ManifestError({ file }, `cannot read: ${errnoMessage(err)}`));
    return undefined;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function errnoMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
