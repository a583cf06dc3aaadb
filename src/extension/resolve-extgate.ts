import { createRequire, register } from 'node:module';

/**
 * Lets extension modules anywhere on disk `import ... from 'extgate'` and get the very module the
 * gateway runs, not a copy: an ESM resolve hook maps the name to this project's `src/index.ts`
 * (the same URL, so the same module instance), and modules tsx runs as CommonJS (a folder without
 * `"type": "module"`), whose require() does not pass through ESM hooks on Node 20, are handed the
 * gateway's own module namespace. A copy would have its own classes: the gateway would not know
 * the `conflictingRequest` an extension throws, and answer 500 instead of 409.
 */
let installed = false;

export const resolveExtgateEverywhere = (api: object): void => {
  if (installed) return;
  installed = true;
  register('./resolve-extgate.mjs', import.meta.url);
  const Module = createRequire(import.meta.url)('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'extgate' ? api : load.call(this, request, ...rest);
  };
};
