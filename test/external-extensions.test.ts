import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startServer, writeConfig } from './support/process.ts';
import { FLAVOR, IMAGE } from './support/compute.ts';
import { PROJECT } from './support/xml.ts';

/**
 * An extension in any folder `extensions.paths` names, with or without a package.json (tsx runs
 * it as CommonJS without `"type": "module"`), imports `extgate` and gets the module the gateway
 * runs: the faults it throws are the gateway's (409, not 500). Through `npm start`, and through
 * the library an embedder uses, each in its own process, as they run for real.
 */
const WIDGET = `import { conflictingRequest, defineExtension } from 'extgate';
export default defineExtension({
  name: 'Widget', namespace: 'http://example.com/ext/widget/v1.0', alias: 'RAX-WIDGET', updated: '2020-01-01T00:00:00Z',
  description: 'An action that is always refused.', links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://example.com/w.pdf' }],
  actions: [{ resource: 'server', name: 'nope', from: 'any', run: () => { throw conflictingRequest('Never.'); } }],
});
`;

/** A folder of extensions outside the project, holding RAX-WIDGET, and the package.json given (if any). */
const folder = (packageJson?: object): string => {
  const root = mkdtempSync(join(tmpdir(), 'extgate-outside-'));
  mkdirSync(join(root, 'RAX-WIDGET'));
  writeFileSync(join(root, 'RAX-WIDGET', 'index.ts'), WIDGET);
  if (packageJson !== undefined) writeFileSync(join(root, 'package.json'), JSON.stringify(packageJson));
  return root;
};

const PACKAGES: [string, object | undefined][] = [['no package.json', undefined], ['"type": "commonjs"', { type: 'commonjs' }], ['"type": "module"', { type: 'module' }]];

describe('an extension outside the project gets the gateway\'s own module', () => {
  test.each(PACKAGES)('npm start, %s: its conflictingRequest is a 409', async (_, pkg) => {
    const server = await startServer(writeConfig({ extensions: { paths: [folder(pkg)] }, durations: { BUILD: 0 } }));
    try {
      const created = await fetch(`${server.url}/v1/servers`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'w', imageRef: IMAGE, flavorRef: FLAVOR } }) });
      const id = ((await created.json()) as { server: { id: string } }).server.id;
      const r = await fetch(`${server.url}/v1/servers/${id}/action`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"RAX-WIDGET:nope": null}' });
      expect(r.status).toBe(409);
      expect(await r.json()).toEqual({ conflictingRequest: { message: 'Never.', code: 409 } });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  test.each(PACKAGES)('as a library (loadRegistry, createGateway), %s: the same', (_, pkg) => {
    const dir = folder(pkg);
    const script = join(mkdtempSync(join(tmpdir(), 'extgate-embed-')), 'embed.mts');
    writeFileSync(script, `
import { configuredOptions, createGateway, loadRegistry, ManualClock, openSqliteStore, parseConfig, seedStore } from ${JSON.stringify(join(PROJECT, 'src/index.ts'))};
const config = parseConfig({ store: { path: ${JSON.stringify(join(dir, 'db.sqlite'))} }, extensions: { paths: [${JSON.stringify(dir)}] } });
const registry = await loadRegistry(config);
const store = openSqliteStore(config.store.path);
const clock = new ManualClock();
await seedStore(registry, config, store, clock);
const app = createGateway(registry, { ...configuredOptions(config), store, clock, log: () => {} });
const created = await app.request('/v1/servers', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'w', imageRef: '${IMAGE}', flavorRef: '${FLAVOR}' } }) });
const id = (await created.json()).server.id;
const r = await app.request('/v1/servers/' + id + '/action', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"RAX-WIDGET:nope": null}' });
console.log(r.status, await r.text());
`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('409 {"conflictingRequest":{"message":"Never.","code":409}}');
  });
});
