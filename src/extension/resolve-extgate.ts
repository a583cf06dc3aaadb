import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Lets extension modules anywhere on disk `import { defineExtension } from 'extgate'`: an ESM
 * resolve hook, and the same mapping for modules that tsx runs as CommonJS (a folder without
 * "type": "module"), whose require() does not pass through ESM hooks on Node 20.
 */
export const resolveExtgateEverywhere = (): void => {
  register('./resolve-extgate.mjs', import.meta.url);
  const target = fileURLToPath(new URL('../index.ts', import.meta.url));
  const Module = createRequire(import.meta.url)('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return original.call(this, request === 'extgate' ? target : request, ...rest);
  };
};
