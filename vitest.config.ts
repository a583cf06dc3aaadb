import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Modules anywhere import 'extgate' and 'extgate/testing' as `npm start` lets them (see
 * src/extension/resolve-extgate.mjs). `npm run test:extensions -- --dir FOLDER` runs the tests of
 * a deployment's own extension folder with the same names.
 */
export const extgateAliases = [
  { find: /^extgate$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  { find: /^extgate\/testing$/, replacement: fileURLToPath(new URL('./src/testing.ts', import.meta.url)) },
];

export default defineConfig({
  resolve: { alias: extgateAliases },
  test: {
    include: process.env.EXTGATE_EXTENSION_TESTS === '1' ? ['**/*.test.ts'] : ['test/**/*.test.ts', 'src/**/*.test.ts', 'extensions/**/*.test.ts', 'examples/**/*.test.ts'],
    // One worker more than cores: several files mostly wait on other processes (Keystone, the
    // clients, npm start), and a core would idle meanwhile (on 2 cores: 150 s instead of 240).
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    // Hooks start servers (startServer waits up to 50 s on a loaded machine).
    hookTimeout: 60_000,
  },
});
