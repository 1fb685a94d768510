// `npm run build`: bundles each deployable entry point with esbuild into dist/<name>/index.js plus a
// minimal package.json (for functions also the matching package-lock.json subset), ready to zip
// for Cloud Functions (sync, reconcile) or to copy into the watcher image.
// Usage: tsx scripts/build.ts [name...] [--outdir dist]
//
// Format: ESM (`"type": "module"`). functions-framework 5 loads an ESM package with import(), which
// works on nodejs22, and ESM keeps import.meta and top-level await in our code. CommonJS dependencies
// that call require() get one through the createRequire banner below.
// functions-framework stays external: it is the process that loads the bundle and holds the function
// registry, so the bundle must register on the same instance the runtime serves from.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import type { Lockfile } from './bundle-lock.ts';
import { LockfileError, lockfileSubset } from './bundle-lock.ts';

export interface BundleTarget {
  name: string;
  /** Entry file, relative to the root. */
  entry: string;
  /** A function loaded by functions-framework, or a plain process (`node dist/<name>/index.js`). */
  kind: 'function' | 'process';
}

export const TARGETS: BundleTarget[] = [
  { name: 'sync', entry: 'functions/sync/index.ts', kind: 'function' },
  { name: 'reconcile', entry: 'functions/reconcile/index.ts', kind: 'function' },
  { name: 'watcher', entry: 'watcher/index.ts', kind: 'process' },
];

export interface BuildOptions {
  /** Project root (holds package.json with the dependency versions). */
  root: string;
  outdir: string;
  /** Extra node_modules folders to resolve from (tests bundling a file outside the repo). */
  nodePaths?: string[];
  minify?: boolean;
}

export interface BundleReport {
  name: string;
  outfile: string;
  /** Every script of the bundle: the entry and its chunks. */
  bytes: number;
  /** The entry alone (what loads at start-up, before any dynamic import). */
  entryBytes: number;
  chunks: number;
  inputs: number;
}

const FRAMEWORK = '@google-cloud/functions-framework';

// Loading these pulls every Google API into the bundle (hundreds of MB of sources, seconds of cold start).
const FORBIDDEN_INPUTS = [
  /node_modules\/googleapis\/build\/src\/index\.js$/,
  /node_modules\/googleapis\/build\/src\/googleapis\.js$/,
];

const BANNER = [
  "import { createRequire as __gammaCreateRequire } from 'node:module';",
  "import { fileURLToPath as __gammaFileURLToPath } from 'node:url';",
  'const require = __gammaCreateRequire(import.meta.url);',
  'const __filename = __gammaFileURLToPath(import.meta.url);',
  "const __dirname = __gammaFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

export class BuildError extends Error {
  override name = 'BuildError';
}

function readLockfile(root: string): Lockfile {
  const file = path.join(root, 'package-lock.json');
  if (!existsSync(file))
    throw new BuildError(`${file} not found: function bundles ship a lockfile; run npm install to create it`);
  return JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
}

/** The version the lockfile installs for a direct dependency (declared in package.json). */
function lockedVersion(root: string, lock: Lockfile, name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  if (!pkg.dependencies?.[name])
    throw new BuildError(`${name} is not a dependency in ${path.join(root, 'package.json')}`);
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version)
    throw new BuildError(
      `${name} is not in ${path.join(root, 'package-lock.json')}; run npm install to update it`,
    );
  return version;
}

/** What is installed next to a bundle: functions-framework only, at its locked version. */
function installedDependencies(target: BundleTarget, root: string, lock: Lockfile): Record<string, string> {
  return target.kind === 'function' ? { [FRAMEWORK]: lockedVersion(root, lock, FRAMEWORK) } : {};
}

/** The package.json shipped next to a bundle: only what cannot be bundled, pinned exactly. */
export function bundlePackageJson(target: BundleTarget, root: string): Record<string, unknown> {
  const pkg: Record<string, unknown> = {
    name: `gamma-csm-${target.name}`,
    version: '0.0.0',
    private: true,
    type: 'module',
    main: 'index.js',
    engines: { node: '>=20' },
  };
  if (target.kind === 'function') {
    pkg.dependencies = installedDependencies(target, root, readLockfile(root));
    pkg.scripts = { start: `functions-framework --target=${target.name}` };
  }
  return pkg;
}

/**
 * The package-lock.json shipped next to a function bundle (scripts/bundle-lock.ts), so the deploy
 * installs the versions the repository locked; none for a process bundle (it installs nothing).
 */
export function bundleLockfile(target: BundleTarget, root: string): Lockfile | undefined {
  if (target.kind !== 'function') return undefined;
  const lock = readLockfile(root);
  try {
    return lockfileSubset(lock, `gamma-csm-${target.name}`, installedDependencies(target, root, lock));
  } catch (e) {
    if (e instanceof LockfileError) throw new BuildError(`bundle ${target.name}: ${e.message}`);
    throw e;
  }
}

// Stops the build as soon as the whole-googleapis entry is reached, before esbuild parses 300 APIs.
const refuseWholeGoogleapis: Plugin = {
  name: 'refuse-whole-googleapis',
  setup(b) {
    b.onResolve({ filter: /^googleapis$/ }, (args) => ({
      errors: [{ text: `${args.importer} imports the whole googleapis index` }],
    }));
  },
};

function checkInputs(target: BundleTarget, metafile: Metafile): void {
  const bad = Object.keys(metafile.inputs).filter((i) => FORBIDDEN_INPUTS.some((re) => re.test(i)));
  if (bad.length > 0)
    throw new BuildError(
      `bundle ${target.name} pulls in the whole googleapis index (${bad.join(', ')}); ` +
        "import 'googleapis/build/src/apis/networkservices/v1.js' instead",
    );
}

/** Bundles one target; fails clearly when its entry file does not exist. */
export async function buildBundle(target: BundleTarget, options: BuildOptions): Promise<BundleReport> {
  const entry = path.resolve(options.root, target.entry);
  if (!existsSync(entry)) throw new BuildError(`entry point for ${target.name} not found: ${target.entry}`);
  const dir = path.resolve(options.outdir, target.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const result = await build({
    entryPoints: [entry],
    outdir: dir,
    entryNames: 'index',
    // Functions: dynamic imports become chunks loaded when first reached, so a function registers
    // without compiling the clients it needs only once an event arrives (functions/*/index.ts).
    // The watcher is a long-lived process and stays one file.
    splitting: target.kind === 'function',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: BANNER },
    external: target.kind === 'function' ? [FRAMEWORK] : [],
    nodePaths: options.nodePaths,
    minify: options.minify ?? true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [refuseWholeGoogleapis],
  }).catch((e: unknown) => {
    const errors = (e as { errors?: Array<{ text: string }> }).errors ?? [];
    if (errors.some((x) => x.text.includes('whole googleapis index')))
      throw new BuildError(
        `bundle ${target.name} pulls in the whole googleapis index (${errors.map((x) => x.text).join('; ')}); ` +
          "import 'googleapis/build/src/apis/networkservices/v1.js' instead",
      );
    throw new BuildError(
      `bundle ${target.name} failed: ${errors.map((x) => x.text).join('; ') || String(e)}`,
    );
  });
  checkInputs(target, result.metafile);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(bundlePackageJson(target, options.root), null, 2) + '\n',
  );
  const lock = bundleLockfile(target, options.root);
  if (lock) writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
  const scripts = Object.keys(result.metafile.outputs).filter((o) => o.endsWith('.js'));
  return {
    name: target.name,
    outfile,
    // esbuild names its outputs relative to its working directory (the process's), not to root.
    bytes: scripts.reduce((sum, o) => sum + statSync(path.resolve(o)).size, 0),
    entryBytes: statSync(outfile).size,
    chunks: scripts.length - 1,
    inputs: Object.keys(result.metafile.inputs).length,
  };
}

export async function buildAll(targets: BundleTarget[], options: BuildOptions): Promise<BundleReport[]> {
  const reports: BundleReport[] = [];
  for (const t of targets) reports.push(await buildBundle(t, options));
  return reports;
}

function selectTargets(names: string[]): BundleTarget[] {
  if (names.length === 0) return TARGETS;
  return names.map((n) => {
    const t = TARGETS.find((x) => x.name === n);
    if (!t) throw new BuildError(`unknown bundle ${n}; known: ${TARGETS.map((x) => x.name).join(', ')}`);
    return t;
  });
}

async function main(argv: string[]): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const i = argv.indexOf('--outdir');
  const outdir = path.resolve(root, i >= 0 ? (argv[i + 1] ?? 'dist') : 'dist');
  const names = argv.filter((a, j) => a !== '--outdir' && argv[j - 1] !== '--outdir');
  for (const r of await buildAll(selectTargets(names), { root, outdir })) {
    console.log(
      `${r.name}: ${path.relative(root, r.outfile)} ${(r.entryBytes / 1024).toFixed(0)} KiB + ${r.chunks} chunk(s), ` +
        `${(r.bytes / 1024).toFixed(0)} KiB in all, from ${r.inputs} files`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof BuildError ? `build failed: ${e.message}` : e);
    process.exit(1);
  });
}
