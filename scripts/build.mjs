// Compiles the gateway (src/) and its shipped extensions (extensions/) to JavaScript in dist/, one
// file for each TypeScript file, with spec/, profiles/ and package.json beside them: a tree that
// mirrors the project's, so that every path the code finds from its own location still holds.
// `npm start` runs dist/ with plain Node: under tsx's loader hooks, each of the ~200 modules the
// gateway imports was a round trip to the hooks' thread, and start-up took 2-3 s; esbuild makes
// the tree in about 0.2 s. Run by scripts/start.mjs whenever a source is newer than the build.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
export const STAMP = join(DIST, '.built');
/** What the build reads: sources, and the files copied as they are. */
export const INPUTS = ['src', 'extensions', 'spec', 'profiles', 'package.json'];

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(p)) : [p];
  });

/**
 * Relative imports stay imports of their own compiled file (`./x.ts` -> `./x.js`); packages stay
 * packages; 'extgate' is dist/src/index.js, relative to the importer (so the folder can be swapped).
 */
const keepModules = {
  name: 'keep-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path === 'extgate' || args.path === 'extgate/testing') {
        const target = join(DIST, 'src', args.path === 'extgate' ? 'index.js' : 'testing.js');
        let rel = relative(dirname(join(DIST, relative(ROOT, args.importer))), target).replaceAll('\\', '/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      }
      return { path: args.path.startsWith('.') ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

/**
 * Built in a folder of its own, then swapped in: instances started together may each rebuild,
 * and one loading from dist/ meanwhile must find whole files (the same ones) there.
 */
export const buildDist = async () => {
  const sources = ['src', 'extensions'].flatMap((d) => walk(join(ROOT, d))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const out = `${DIST}.${process.pid}.${Date.now()}`;
  await build({
    entryPoints: sources,
    outdir: out,
    outbase: ROOT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [keepModules],
    logLevel: 'warning',
  });
  // Plain JavaScript modules (the loader hook), documentation and data travel as they are.
  for (const f of ['src', 'extensions'].flatMap((d) => walk(join(ROOT, d))).filter((f) => !f.endsWith('.ts'))) {
    mkdirSync(dirname(join(out, relative(ROOT, f))), { recursive: true });
    cpSync(f, join(out, relative(ROOT, f)));
  }
  for (const d of ['spec', 'profiles', 'package.json']) if (existsSync(join(ROOT, d))) cpSync(join(ROOT, d), join(out, d), { recursive: true });
  writeFileSync(join(out, '.built'), new Date().toISOString());
  const old = `${out}.old`;
  if (existsSync(DIST)) renameSync(DIST, old);
  try {
    renameSync(out, DIST);
  } catch (err) {
    // Another build swapped its own in first: the same sources, so it will do.
    if (!existsSync(DIST)) throw err;
    rmSync(out, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
};

/** The newest modification time among the inputs. */
export const newestInput = () =>
  Math.max(...INPUTS.flatMap((i) => (statSync(join(ROOT, i)).isDirectory() ? walk(join(ROOT, i)) : [join(ROOT, i)])).map((f) => statSync(f).mtimeMs));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildDist();
  console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}
