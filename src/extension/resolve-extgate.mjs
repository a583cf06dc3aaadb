// A module resolution hook (node:module register): `import ... from 'extgate'` in an extension
// module resolves to this gateway's public API wherever the module lives on disk, so operators
// can keep extension folders outside the project. The target goes through the rest of the chain
// (tsx) so that TypeScript loads as usual.
const targets = {
  extgate: new URL('../index.ts', import.meta.url).href,
  'extgate/testing': new URL('../testing.ts', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  return next(targets[specifier] ?? specifier, context);
}
