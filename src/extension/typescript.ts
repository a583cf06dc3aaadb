import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * CommonJS TypeScript extension modules (a folder without `"type": "module"`) for the compiled
 * gateway, which runs under plain Node (npm start, scripts/build.mjs). Their files are compiled
 * by esbuild all at once, into a cache beside the compiled trees named by each file's path, size
 * and modification time, and a `.ts` require hook in this thread hands Node the cached
 * JavaScript. tsx's require hook took 1.2 ms a module (hashing each file, a round trip to its
 * loader thread, inline source maps to parse): 1.2 s of a start with 1,000 extensions.
 */

type Module = { _compile(code: string, filename: string): void };
type ModuleStatics = {
  _extensions: Record<string, (module: Module, filename: string) => void>;
  _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
};

/** dist/.typescript of the project: the compiled gateway is at dist/<fingerprint>/src/extension/. */
const CACHE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.typescript');
const SOURCES = /\.c?ts$/;
const OPTIONS = { format: 'cjs', platform: 'node', target: 'node20', sourcemap: false, logLevel: 'silent' } as const;
const require = createRequire(import.meta.url);
type Esbuild = typeof import('esbuild');

/** What else decides the output: the compiler's version and its options. */
let compilerKey: string | undefined;
const compiler = (): string => {
  compilerKey ??= `${(require('esbuild/package.json') as { version: string }).version}\0${JSON.stringify(OPTIONS)}`;
  return compilerKey;
};

/**
 * The cache file for a source as it is now on disk: its path, size, times and inode (an edit that
 * keeps the size and the modification time, as `cp -p` or rsync make, still changes ctime), and
 * the compiler.
 */
const cacheFile = (file: string): string => {
  const s = statSync(file);
  return join(CACHE, `${createHash('sha256').update(`${file}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}\0${s.ino}\0${compiler()}`).digest('hex').slice(0, 32)}.js`);
};

/**
 * Written whole or not at all: several instances (several containers sharing dist/, all pid 1)
 * may start at once. A cache that cannot be written (a read-only dist/) only costs the next start.
 */
const store = (target: string, code: string): void => {
  const partial = `${target}.${randomBytes(6).toString('hex')}`;
  try {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(partial, code);
    renameSync(partial, target);
  } catch {
    rmSync(partial, { force: true });
  }
};

/** Real paths, as Node's require names the modules it loads. */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    if (!SOURCES.test(e.name) || e.name.endsWith('.d.ts')) return [];
    try {
      return [realpathSync(p)];
    } catch {
      return []; // a dangling link: whoever requires it will be told
    }
  });

/** Source file (real path) -> its cache file, for the files prepared before they are required. */
const prepared = new Map<string, string>();
/** What this start compiled, kept whether or not the cache took it. */
const compiled = new Map<string, string>();

/**
 * Compiles what the cache lacks among the TypeScript files of these extension folders, in one
 * esbuild run. A file esbuild refuses is left out, to fail when required: that one extension is
 * reported, the others load. Anything else that goes wrong here leaves each file to be compiled
 * when it is required.
 */
export const prepareCommonJs = async (folders: readonly string[]): Promise<void> => {
  installRequireHook();
  try {
    const missing: string[] = [];
    for (const file of folders.flatMap((f) => sourcesUnder(realpathSync(f)))) {
      const target = cacheFile(file);
      prepared.set(file, target);
      if (!existsSync(target)) missing.push(file);
    }
    if (missing.length === 0) return;
    const { build } = (await import('esbuild')) as Esbuild;
    // Paths in the metafile and in errors are relative to absWorkingDir.
    const compile = (files: string[]) => build({ ...OPTIONS, entryPoints: files, outdir: CACHE, outbase: '/', absWorkingDir: '/', write: false, metafile: true });
    let result: Awaited<ReturnType<typeof compile>>;
    try {
      result = await compile(missing);
    } catch (err) {
      const refused = new Set(((err as { errors?: { location?: { file?: string } }[] }).errors ?? []).map((e) => resolve('/', e.location?.file ?? '')));
      const rest = missing.filter((f) => !refused.has(f));
      if (rest.length === 0 || rest.length === missing.length) return;
      result = await compile(rest);
    }
    for (const out of result.outputFiles ?? []) {
      const entry = result.metafile?.outputs[out.path.slice(1)]?.entryPoint;
      const source = entry === undefined ? undefined : resolve('/', entry);
      const target = source === undefined ? undefined : prepared.get(source);
      if (source === undefined || target === undefined) continue;
      compiled.set(source, out.text);
      store(target, out.text);
    }
  } catch {
    // each file compiled when required, below
  }
};

/** The JavaScript for a TypeScript file: compiled by prepareCommonJs, cached, or compiled now. */
const javascriptOf = (file: string): string => {
  const done = compiled.get(file);
  if (done !== undefined) return done;
  const target = prepared.get(file) ?? cacheFile(file);
  if (existsSync(target)) return readFileSync(target, 'utf8');
  let code: string;
  try {
    // A build, as prepareCommonJs makes, not a transform: it reads tsconfig.json the same way.
    const out = (require('esbuild') as Esbuild).buildSync({ ...OPTIONS, entryPoints: [file], outdir: CACHE, outbase: '/', absWorkingDir: '/', write: false });
    code = out.outputFiles[0]!.text;
  } catch (err) {
    // One line an author can act on, not esbuild's summary of how many errors it found.
    const first = (err as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
    if (first === undefined) throw err;
    throw new Error(`${file}:${first.location?.line ?? 0}:${first.location?.column ?? 0}: ${first.text}`);
  }
  compiled.set(file, code);
  store(target, code);
  return code;
};

let installed = false;
const installRequireHook = (): void => {
  if (installed) return;
  installed = true;
  const Module = require('node:module') as ModuleStatics;
  for (const ext of ['.ts', '.cts']) Module._extensions[ext] = (module, filename) => module._compile(javascriptOf(filename), filename);
  // TypeScript's own convention: `./helper.js` in a TypeScript file names ./helper.ts.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request, parent, ...rest) {
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND' || !request.startsWith('.') || !/\.c?js$/.test(request) || !SOURCES.test(parent?.filename ?? '')) throw err;
      try {
        return resolveFilename.call(this, request.replace(/js$/, 'ts'), parent, ...rest);
      } catch {
        throw err; // the name the author wrote, not ours
      }
    }
  };
};
