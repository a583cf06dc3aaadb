import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Problem } from './problems.ts';
import type { LoadedModule } from './registry.ts';
import { resolveExtgateEverywhere } from './resolve-extgate.ts';
import { ALIAS } from './rules.ts';

/** Every module under `extensions/<ALIAS>/` of each root, filtered by the enable and disable lists. */
export interface LoaderOptions {
  /** Folders whose sub-folders are extension modules. */
  readonly roots: readonly string[];
  /** The project's own folder among them, if it is one: its modules are the shipped ones. */
  readonly builtin?: string;
  /** When given, only these aliases load. */
  readonly enable?: readonly string[];
  readonly disable?: readonly string[];
}

const ENTRIES = ['index.ts', 'index.js', 'index.mjs'];

/**
 * Compiled (npm start runs dist/, see scripts/build.mjs), the gateway has no TypeScript loader:
 * tsx's is registered the first time an extension module is TypeScript. From the sources (tests,
 * tsx), one is already there.
 */
const compiled = !import.meta.url.endsWith('.ts');
let typescript: Promise<unknown> | undefined;
const typescriptLoaded = (): Promise<unknown> => {
  if (!compiled) return Promise.resolve();
  // Both of tsx's loaders, as `node --import tsx` registers them: a folder without "type": "module" is CommonJS.
  typescript ??= Promise.all([import('tsx/esm/api').then((tsx) => tsx.register()), import('tsx/cjs/api').then((tsx) => tsx.register())]);
  return typescript;
};

/**
 * A module's default export. A TypeScript module in a folder without `"type": "module"` runs as
 * CommonJS, and its `export default` arrives as `{ __esModule: true, default }`.
 */
const defaultExport = (mod: { default?: unknown }): unknown => {
  const d = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  return d !== null && typeof d === 'object' && d.__esModule === true && 'default' in d ? d.default : d;
};

/** Whether a folder's modules are CommonJS: the nearest package.json does not say `"type": "module"`. */
const commonJsFolders = new Map<string, boolean>();
const isCommonJs = (dir: string): boolean => {
  const known = commonJsFolders.get(dir);
  if (known !== undefined) return known;
  const manifest = join(dir, 'package.json');
  let answer: boolean;
  if (existsSync(manifest)) {
    try {
      answer = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
    } catch {
      answer = true;
    }
  } else answer = dirname(dir) === dir ? true : isCommonJs(dirname(dir));
  commonJsFolders.set(dir, answer);
  return answer;
};

/**
 * Imports an extension module. Compiled, a CommonJS one (TypeScript or not) is required in this
 * thread, through tsx's require hook: an import() would go through the ESM loader hooks on their
 * own thread first, two round trips a module, which made 1,000 extensions a 5 s start.
 */
const importModule = (entry: string): Promise<{ default?: unknown }> => {
  if (compiled && !entry.endsWith('.mjs') && isCommonJs(dirname(entry))) {
    return Promise.resolve().then(() => ({ default: createRequire(entry)(entry) as unknown }));
  }
  return import(pathToFileURL(entry).href) as Promise<{ default?: unknown }>;
};

/** `skipped`: folders present but not loaded (disabled, not enabled), whose promotion records then do not apply. */
export const loadModules = async (opts: LoaderOptions): Promise<{ modules: LoadedModule[]; problems: Problem[]; skipped: string[] }> => {
  // Modules outside the project import 'extgate' too, and must get this very module (library use included).
  resolveExtgateEverywhere(await import('../index.ts'));
  const problems: Problem[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const disabled = new Set(opts.disable ?? []);
  const enabled = opts.enable === undefined ? undefined : new Set(opts.enable);
  // Found in order, imported all at once: each import is a round trip to the loader hooks (tsx,
  // resolve-extgate.mjs), 13 ms apiece one after another, which made 1,000 extensions a 15 s start.
  const found: (Promise<LoadedModule | Problem> | Problem)[] = [];

  for (const root of opts.roots.map((r) => resolve(r))) {
    if (!existsSync(root)) {
      found.push({ extension: root, field: 'extensions.paths', rule: 'not-found', message: 'no such folder' });
      continue;
    }
    const builtin = opts.builtin !== undefined && resolve(opts.builtin) === root;
    for (const folder of readdirSync(root).sort()) {
      const dir = join(root, folder);
      if (folder.startsWith('.') || !statSync(dir).isDirectory()) continue;
      // Filtering by folder name means a disabled module is never imported: it cannot break boot.
      seen.add(folder);
      if (disabled.has(folder) || (enabled !== undefined && !enabled.has(folder))) {
        skipped.push(folder);
        continue;
      }
      const entry = ENTRIES.map((e) => join(dir, e)).find((p) => existsSync(p));
      if (entry === undefined) {
        // A folder with no entry that is not named like an extension (data/, node_modules/) is
        // not one; one named like an extension is missing its entry.
        if (ALIAS.test(folder)) found.push({ extension: folder, field: '(module)', rule: 'module', message: `${dir} has no ${ENTRIES.join(', ')}` });
        continue;
      }
      if (entry.endsWith('.ts')) await typescriptLoaded();
      found.push(
        importModule(entry).then(
          (mod: { default?: unknown }) => ({ label: folder, folder, path: dir, builtin, exported: defaultExport(mod) }),
          (err: unknown) => ({ extension: folder, field: '(module)', rule: 'module', message: `cannot be imported: ${(err as Error).message}` }),
        ),
      );
    }
  }
  const modules: LoadedModule[] = [];
  for (const f of await Promise.all(found)) {
    if ('rule' in f) problems.push(f);
    else modules.push(f);
  }
  for (const alias of enabled ?? []) {
    if (!seen.has(alias)) problems.push({ extension: alias, field: 'extensions.enable', rule: 'not-found', message: 'is enabled but no extension folder has that name' });
  }
  return { modules, problems, skipped };
};
