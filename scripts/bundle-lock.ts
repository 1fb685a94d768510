// The package-lock.json shipped next to a function bundle: the repository lockfile cut down to the
// packages the bundle installs (functions-framework and everything it needs), entries copied as they
// are (versions, integrity hashes, nesting), so Cloud Build's `npm ci` installs exactly what the
// tests ran against instead of whatever the ranges resolve to on deploy day. Pure: lockfile in,
// subset out.

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  link?: boolean;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export class LockfileError extends Error {
  override name = 'LockfileError';
}

/** Where npm finds `name` when the package installed at `from` ('' = the root) requires it. */
export function resolveLocked(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up >= 0 ? dir.slice(0, up) : '';
  }
}

/** The dependencies npm installs for an entry: required ones, and optional ones when locked. */
function edges(entry: LockEntry): Array<{ name: string; optional: boolean }> {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    // npm 7+ installs peers too; an optional peer only when something else brought it in.
    ...Object.keys(entry.peerDependencies ?? {}).map((name) => ({
      name,
      optional: optionalPeers[name]?.optional === true,
    })),
  ];
}

/** The entry as the subset holds it: reached from a production dependency, so never `dev`. */
function asProduction(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional, ...rest } = entry;
  return devOptional ? { ...rest, optional: true } : rest;
}

/**
 * The lockfile of a package named `name` whose dependencies are `dependencies` (name -> the version
 * to pin), holding exactly the locked packages those need, at the paths the full lockfile has them.
 */
export function lockfileSubset(lock: Lockfile, name: string, dependencies: Record<string, string>): Lockfile {
  if (lock.lockfileVersion < 2)
    throw new LockfileError(
      `package-lock.json has lockfileVersion ${lock.lockfileVersion}; regenerate it with npm 7 or newer`,
    );
  const packages: Record<string, LockEntry> = {};
  const queue: string[] = [];
  const visit = (from: string, dep: string, optional: boolean) => {
    const at = resolveLocked(lock.packages, from, dep);
    if (!at) {
      if (optional) return;
      throw new LockfileError(
        `package-lock.json has no entry for ${dep} (needed by ${from || 'the bundle'}); run npm install to update it`,
      );
    }
    if (packages[at]) return;
    packages[at] = asProduction(lock.packages[at]);
    queue.push(at);
  };
  for (const dep of Object.keys(dependencies)) visit('', dep, false);
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const e of edges(lock.packages[at])) visit(at, e.name, e.optional);
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name,
    version: '0.0.0',
    lockfileVersion: lock.lockfileVersion,
    requires: true,
    packages: { '': { name, version: '0.0.0', dependencies }, ...sorted },
  };
}
