// Compiles the gateway (src/) and its shipped extensions (extensions/) to JavaScript, one file
// for each TypeScript file, with spec/, profiles/ and package.json beside them: a tree that
// mirrors the project's, so that every path the code finds from its own location still holds.
// `npm start` runs it with plain Node: under tsx's loader hooks, each of the ~200 modules the
// gateway imports was a round trip to the hooks' thread, and start-up took 2-3 s; esbuild makes
// the tree in about 0.4 s.
//
// Each tree is named by a fingerprint of its inputs (every file's path, size and modification
// time: an edit, a new file, a deleted or moved one all change it) and is never changed once
// made: dist/<fingerprint>/. Instances started together may each build it; the first to finish
// puts it in place with one rename, the others use that one. Trees unused for a day are removed.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** What the build reads: sources, and the files copied as they are. */
export const INPUTS = ['src', 'extensions', 'spec', 'profiles', 'package.json'];

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(p)) : [p];
  });

const inputFiles = () => INPUTS.flatMap((i) => (statSync(join(ROOT, i)).isDirectory() ? walk(join(ROOT, i)) : [join(ROOT, i)])).sort();

/** Names the tree the inputs make now. */
export const fingerprint = () => {
  const h = createHash('sha256');
  for (const f of inputFiles()) {
    const s = statSync(f);
    h.update(`${relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
};

/**
 * Relative imports stay imports of their own compiled file (`./x.ts` -> `./x.js`); packages stay
 * packages; 'extgate' is the tree's src/index.js, relative to the importer.
 */
const keepModules = {
  name: 'keep-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path === 'extgate' || args.path === 'extgate/testing') {
        const target = join(ROOT, 'src', args.path === 'extgate' ? 'index.js' : 'testing.js');
        let rel = relative(dirname(args.importer), target).replaceAll('\\', '/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      }
      return { path: args.path.startsWith('.') ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

/** The tree for `name` (a fingerprint), built unless it is there; its folder. */
export const buildDist = async (name = fingerprint()) => {
  const tree = join(DIST, name);
  if (existsSync(join(tree, '.built'))) return tree;
  const out = join(DIST, `.building-${process.pid}-${Date.now()}`);
  const sources = ['src', 'extensions'].flatMap((d) => walk(join(ROOT, d))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  await build({ entryPoints: sources, outdir: out, outbase: ROOT, bundle: true, format: 'esm', platform: 'node', target: 'node20', plugins: [keepModules], logLevel: 'warning' });
  // Plain JavaScript modules (the loader hook), documentation and data travel as they are.
  for (const f of ['src', 'extensions'].flatMap((d) => walk(join(ROOT, d))).filter((f) => !f.endsWith('.ts'))) {
    mkdirSync(dirname(join(out, relative(ROOT, f))), { recursive: true });
    cpSync(f, join(out, relative(ROOT, f)));
  }
  for (const d of ['spec', 'profiles', 'package.json']) if (existsSync(join(ROOT, d))) cpSync(join(ROOT, d), join(out, d), { recursive: true });
  writeFileSync(join(out, '.built'), new Date().toISOString());
  try {
    renameSync(out, tree);
  } catch (err) {
    // Another start built the same tree first: that one will do.
    rmSync(out, { recursive: true, force: true });
    if (!existsSync(join(tree, '.built'))) throw err;
  }
  removeOld(name);
  return tree;
};

/**
 * Trees (and abandoned builds) not made or used for a day. Not .typescript, the cache of
 * extensions compiled at start (src/extension/typescript.ts): a start may be reading it.
 */
const removeOld = (keep) => {
  const day = Date.now() - 86_400_000;
  for (const e of readdirSync(DIST)) {
    if (e === '.typescript') continue;
    const p = join(DIST, e);
    if (e !== keep && statSync(p).mtimeMs < day) rmSync(p, { recursive: true, force: true });
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const tree = await buildDist();
  console.log(`built ${relative(ROOT, tree)} in ${Math.round(performance.now() - started)} ms`);
}
