import { createRequire, register } from 'node:module';

/**
 * Lets extension modules anywhere on disk `import ... from 'extgate'` and get the very module the
 * gateway runs, not a copy: modules run as CommonJS (a folder without `"type": "module"`), whose
 * require() does not pass through ESM hooks on Node 20, are handed the gateway's own module
 * namespace; ES modules go through a resolve hook that maps the name to this project's
 * `src/index` (the same URL, so the same module instance). A copy would have its own classes: the
 * gateway would not know the `conflictingRequest` an extension throws, and answer 500 instead of 409.
 */
let inRequire = false;
export const resolveExtgateInRequire = (api: object): void => {
  if (inRequire) return;
  inRequire = true;
  const Module = createRequire(import.meta.url)('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'extgate' ? api : load.call(this, request, ...rest);
  };
};

/**
 * The ES module hook, registered only when a module outside the project is imported: it starts
 * Node's loader thread, 0.2 s of every start otherwise. The project's own modules find 'extgate'
 * as the package's name (or, compiled, as a relative path).
 */
let inImport = false;
export const resolveExtgateInImport = (): void => {
  if (inImport) return;
  inImport = true;
  register('./resolve-extgate.mjs', import.meta.url);
};
