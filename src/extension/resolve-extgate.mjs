// A module resolution hook (node:module register): `import ... from 'extgate'` in an extension
// module resolves to this gateway's public API wherever the module lives on disk, so operators
// can keep extension folders outside the project. The target goes through the rest of the chain
// (tsx) so that TypeScript loads as usual.
// In the sources, the API is TypeScript; in the compiled tree (dist/, npm start), JavaScript.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ext = existsSync(fileURLToPath(new URL('../index.ts', import.meta.url))) ? '.ts' : '.js';
const targets = {
  extgate: new URL(`../index${ext}`, import.meta.url).href,
  'extgate/testing': new URL(`../testing${ext}`, import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  return next(targets[specifier] ?? specifier, context);
}
