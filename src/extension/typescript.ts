import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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
const OPTIONS = { format: 'cjs', platform: 'node', target: 'node20', sourcemap: false } as const;

/** The cache file for a source as it is now on disk. */
const cacheFile = (file: string): string => {
  const s = statSync(file);
  return join(CACHE, `${createHash('sha256').update(`${file}\0${s.size}\0${s.mtimeMs}`).digest('hex').slice(0, 32)}.js`);
};

/** Written whole or not at all: several instances may start at once. */
const store = (target: string, code: string): void => {
  const partial = `${target}.${process.pid}`;
  writeFileSync(partial, code);
  renameSync(partial, target);
};

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? sourcesUnder(p) : SOURCES.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });

/** Source file -> its cache file, for the files prepared before they are required. */
const prepared = new Map<string, string>();

/**
 * Compiles what the cache lacks among the TypeScript files of these extension folders, in one
 * esbuild run. A file esbuild refuses is left out, to fail when required: that one extension is
 * reported, the others load.
 */
export const prepareCommonJs = async (folders: readonly string[]): Promise<void> => {
  installRequireHook();
  const missing: string[] = [];
  for (const file of folders.flatMap(sourcesUnder)) {
    const target = cacheFile(file);
    prepared.set(file, target);
    if (!existsSync(target)) missing.push(file);
  }
  if (missing.length === 0) return;
  mkdirSync(CACHE, { recursive: true });
  const { build } = await import('esbuild');
  type Metafile = { outputs: Record<string, { entryPoint?: string }> };
  // Paths in the metafile and in errors are relative to absWorkingDir.
  const compile = (files: string[]) => build({ ...OPTIONS, entryPoints: files, outdir: CACHE, outbase: '/', absWorkingDir: '/', write: false, metafile: true, logLevel: 'silent' });
  let result: { outputFiles: { path: string; text: string }[]; metafile: Metafile };
  try {
    result = await compile(missing);
  } catch (err) {
    const refused = new Set(((err as { errors?: { location?: { file?: string } }[] }).errors ?? []).map((e) => resolve('/', e.location?.file ?? '')));
    const rest = missing.filter((f) => !refused.has(f));
    if (rest.length === 0 || rest.length === missing.length) return;
    result = await compile(rest).catch(() => undefined as never);
    if (result === undefined) return;
  }
  for (const out of result.outputFiles) {
    const entry = result.metafile.outputs[out.path.slice(1)]?.entryPoint;
    if (entry !== undefined) store(prepared.get(resolve('/', entry))!, out.text);
  }
};

/** The JavaScript for a TypeScript file, compiled now (and cached) if it was not prepared. */
const javascriptOf = (file: string): string => {
  const target = prepared.get(file) ?? cacheFile(file);
  if (existsSync(target)) return readFileSync(target, 'utf8');
  const { transformSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  let code: string;
  try {
    code = transformSync(readFileSync(file, 'utf8'), { ...OPTIONS, loader: 'ts', sourcefile: file }).code;
  } catch (err) {
    // One line an author can act on, not esbuild's summary of how many errors it found.
    const first = (err as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
    if (first === undefined) throw err;
    throw new Error(`${file}:${first.location?.line ?? 0}:${first.location?.column ?? 0}: ${first.text}`);
  }
  mkdirSync(CACHE, { recursive: true });
  store(target, code);
  return code;
};

let installed = false;
const installRequireHook = (): void => {
  if (installed) return;
  installed = true;
  const Module = createRequire(import.meta.url)('node:module') as ModuleStatics;
  for (const ext of ['.ts', '.cts']) Module._extensions[ext] = (module, filename) => module._compile(javascriptOf(filename), filename);
  // TypeScript's own convention: `./helper.js` in a TypeScript file names ./helper.ts.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request, parent, ...rest) {
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (err) {
      if (!request.startsWith('.') || !/\.c?js$/.test(request) || !SOURCES.test(parent?.filename ?? '')) throw err;
      return resolveFilename.call(this, request.replace(/js$/, 'ts'), parent, ...rest);
    }
  };
};
