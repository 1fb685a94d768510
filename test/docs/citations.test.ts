// Comments cite only documents inside the repository, and only sections that exist: a reader must be
// able to follow every "docs/x.md §N" in the code. Documents outside the repository (the upstream
// design notes and research files) are not citable: what the code relies on belongs in docs/.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));
const SOURCE_DIRS = ['shared', 'functions', 'cli', 'watcher', 'infra', 'scripts', 'bench', 'test'];
const TEXT = /\.(ts|mts|mjs|cjs|js|md|ya?ml|sh|tf)$/;

/**
 * Documents cited before they exist on this branch: written alongside the Compute stage. A pending
 * document that exists fails the last test below, so the entry is removed as soon as it lands.
 */
const PENDING = new Set<string>([]);

/** Out-of-repository documents, by the names they have been cited with. */
const OUTSIDE = /\bDESIGN\b|gamma-spec|\bresearch\/|\bnetwork-services\.md\b/;

/** `docs/x.md` optionally followed by sections: `docs/x.md §4.2, §5`. */
const DOC_REF = /\bdocs\/([A-Za-z0-9_-]+\.md)((?:\s*,?\s*§\s*\d+(?:\.\d+)*)*)/g;
/** Within docs/: `x.md §4.2` (a sibling document) with at least one section. */
const SIBLING_REF = /\b([A-Za-z0-9_-]+\.md)((?:\s*,?\s*§\s*\d+(?:\.\d+)*)+)/g;

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (TEXT.test(name)) out.push(full);
  }
  return out;
}

const sectionCache = new Map<string, Set<string> | null>();

/** Numbered headings of a document ("## 4. Title" -> "4", "### 4.2 Title" -> "4.2"), or null when absent. */
function sectionsOf(doc: string): Set<string> | null {
  if (!sectionCache.has(doc)) {
    const file = path.join(ROOT, doc);
    const sections = existsSync(file)
      ? new Set([...readFileSync(file, 'utf8').matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)].map((m) => m[1]))
      : null;
    sectionCache.set(doc, sections);
  }
  return sectionCache.get(doc) ?? null;
}

/** Problems with the citations in one file's text: each "where: what". */
function citationProblems(where: string, text: string, inDocs = false): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = OUTSIDE.exec(line);
    if (m)
      problems.push(`${where}:${i + 1}: cites ${JSON.stringify(m[0])}, a document outside the repository`);
  });
  const check = (doc: string, refs: string, index: number) => {
    const line = text.slice(0, index).split('\n').length;
    if (PENDING.has(doc)) return;
    const sections = sectionsOf(doc);
    if (!sections) {
      problems.push(`${where}:${line}: cites ${doc}, which does not exist`);
      return;
    }
    for (const s of refs.matchAll(/§\s*(\d+(?:\.\d+)*)/g))
      if (!sections.has(s[1]))
        problems.push(`${where}:${line}: cites ${doc} §${s[1]}, which has no such section`);
  };
  for (const m of text.matchAll(DOC_REF)) check(`docs/${m[1]}`, m[2], m.index);
  if (inDocs)
    for (const m of text.matchAll(SIBLING_REF))
      if (text[m.index - 1] !== '/') check(`docs/${m[1]}`, m[2], m.index);
  return problems;
}

const sources = SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d), [])).filter(
  (f) => path.relative(ROOT, f) !== SELF,
);
const docs = [path.join(ROOT, 'README.md'), ...walk(path.join(ROOT, 'docs'), [])];

test('the checker flags outside documents, missing documents and missing sections', (t) => {
  t.deepEqual(citationProblems('x', '// see docs/architecture.md §4.2, §5.1 and docs/cli.md'), []);
  t.deepEqual(citationProblems('x', '// (docs/backends.md §9)'), [], 'pending documents are not checked yet');
  const bad = citationProblems(
    'x',
    ['// (DESIGN §3.3)', '// gamma-spec §1.2', '// docs/architecture.md §4.2, §99', '// docs/nope.md'].join(
      '\n',
    ),
  );
  t.is(bad.length, 4, bad.join('\n'));
  t.regex(bad[2], /x:3: cites docs\/architecture\.md §99/);
  t.regex(bad[3], /x:4: cites docs\/nope\.md, which does not exist/);
  t.is(citationProblems('docs/x.md', 'see architecture.md §4.2 and architecture.md §77', true).length, 1);
});

test('no source file cites a document outside the repository or a docs section that does not exist', (t) => {
  t.true(sources.length > 100, `scanned ${sources.length} files`);
  const problems = sources.flatMap((f) => citationProblems(path.relative(ROOT, f), readFileSync(f, 'utf8')));
  t.deepEqual(problems, []);
});

test('README and docs/ cite only existing documents and sections', (t) => {
  const problems = docs.flatMap((f) =>
    citationProblems(
      path.relative(ROOT, f),
      readFileSync(f, 'utf8'),
      f.includes(`${path.sep}docs${path.sep}`),
    ),
  );
  t.deepEqual(problems, []);
});

test('pending documents are still missing (remove them from PENDING once they exist)', (t) => {
  t.deepEqual(
    [...PENDING].filter((doc) => existsSync(path.join(ROOT, doc))),
    [],
  );
});
