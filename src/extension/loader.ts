import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Problem } from './problems.ts';
import type { LoadedModule } from './registry.ts';
import { resolveExtgateInImport, resolveExtgateInRequire } from './resolve-extgate.ts';
import { ALIAS } from './rules.ts';
import { prepareCommonJs } from './typescript.ts';

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
 * CommonJS TypeScript is compiled through ./typescript.ts, and tsx's ES module loader is
 * registered the first time an ES module extension is TypeScript. From the sources (tests, tsx),
 * tsx is already there for both.
 */
const compiled = !import.meta.url.endsWith('.ts');
let typescriptModules: Promise<unknown> | undefined;
const typescriptModulesLoaded = (): Promise<unknown> => {
  typescriptModules ??= import('tsx/esm/api').then((tsx) => tsx.register());
  return typescriptModules;
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
 * Compiled, a CommonJS module (TypeScript or not) is required in this thread: an import() would go
 * through the ESM loader hooks on their own thread first, two round trips a module, which made
 * 1,000 extensions a 5 s start.
 */
const required = (entry: string): boolean => compiled && !entry.endsWith('.mjs') && isCommonJs(dirname(entry));

const importModule = (entry: string): Promise<{ default?: unknown }> =>
  required(entry)
    ? Promise.resolve().then(() => ({ default: createRequire(entry)(entry) as unknown }))
    : (import(pathToFileURL(entry).href) as Promise<{ default?: unknown }>);

/** An extension module's folder, and the file to import. */
interface Found {
  readonly folder: string;
  readonly dir: string;
  readonly entry: string;
  readonly builtin: boolean;
}

/** `skipped`: folders present but not loaded (disabled, not enabled), whose promotion records then do not apply. */
export const loadModules = async (opts: LoaderOptions): Promise<{ modules: LoadedModule[]; problems: Problem[]; skipped: string[] }> => {
  // Modules outside the project import 'extgate' too, and must get this very module (library use included).
  resolveExtgateInRequire(await import('../index.ts'));
  const problems: Problem[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const disabled = new Set(opts.disable ?? []);
  const enabled = opts.enable === undefined ? undefined : new Set(opts.enable);
  // Found in order, then imported all at once: each import is a round trip to the loader hooks
  // (tsx, resolve-extgate.mjs), 13 ms apiece one after another, which made 1,000 extensions a 15 s start.
  const found: (Found | Problem)[] = [];

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
      found.push({ folder, dir, entry, builtin });
    }
  }
  const toImport = found.filter((f): f is Found => !('rule' in f));
  if (toImport.some((f) => !f.builtin && !required(f.entry))) resolveExtgateInImport();
  if (compiled) {
    await prepareCommonJs(toImport.filter((f) => f.entry.endsWith('.ts') && required(f.entry)).map((f) => f.dir));
    if (toImport.some((f) => f.entry.endsWith('.ts') && !required(f.entry))) await typescriptModulesLoaded();
  }
  const imported = found.map((f) =>
    'rule' in f
      ? f
      : importModule(f.entry).then(
          (mod: { default?: unknown }): LoadedModule => ({ label: f.folder, folder: f.folder, path: f.dir, builtin: f.builtin, exported: defaultExport(mod) }),
          (err: unknown): Problem => ({ extension: f.folder, field: '(module)', rule: 'module', message: `cannot be imported: ${(err as Error).message}` }),
        ),
  );
  const modules: LoadedModule[] = [];
  for (const f of await Promise.all(imported)) {
    if ('rule' in f) problems.push(f);
    else modules.push(f);
  }
  for (const alias of enabled ?? []) {
    if (!seen.has(alias)) problems.push({ extension: alias, field: 'extensions.enable', rule: 'not-found', message: 'is enabled but no extension folder has that name' });
  }
  return { modules, problems, skipped };
};
