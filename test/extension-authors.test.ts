import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineExtension, type ExtensionDefinition } from '../src/extension/define.ts';
import type { Problem } from '../src/extension/problems.ts';
import { buildRegistry } from '../src/extension/registry.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { parseConfig } from '../src/config.ts';
import { loadRegistry } from '../src/gateway.ts';
import { call, testGateway } from './support/gateway.ts';
import { createServer } from './support/compute.ts';
import { descriptor } from './support/descriptor.ts';

/** What an extension author can get wrong is reported at load, all of it at once; a good extension is never lost to a bad one. */
const VERSIONS = [{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }] as const;
const build = (defs: ExtensionDefinition[]) =>
  buildRegistry(defs.map((d) => ({ label: d.alias, exported: defineExtension(d) })), { versions: VERSIONS, vendors: loadVendors(), onInvalid: 'skip' });
const brief = (p: Problem) => `${p.extension} ${p.field} ${p.rule}`;

describe('every contributed name is one XML, JSON, a URL and HTTP all carry', () => {
  test.each([
    ['an attribute with a space', { attributes: [{ resource: 'server', name: 'bad name' }] }, 'RAX-N attributes[0].name name-grammar'],
    ['an attribute with markup', { attributes: [{ resource: 'server', name: 'a"b<c' }] }, 'RAX-N attributes[0].name name-grammar'],
    ['a list item', { attributes: [{ resource: 'server', name: 'things', form: 'list', item: 'a thing' }] }, 'RAX-N attributes[0].item name-grammar'],
    ['a parameter', { parameters: [{ resource: 'servers', name: '__proto__', filter: () => true }] }, 'RAX-N parameters[0].name name-grammar'],
    ['a state', { states: [{ resource: 'server', name: 'constructor' }] }, 'RAX-N states[0].name name-grammar'],
    ['an action', { actions: [{ resource: 'server', name: 'do it', from: ['ACTIVE'] }] }, 'RAX-N actions[0].name name-grammar'],
    ['a header that would inject another', { headers: { response: ['X\r\nInjected: 1'] } }, 'RAX-N headers.response[0] name-grammar'],
  ] as [string, Partial<ExtensionDefinition>, string][])('%s', (_, extra, expected) => {
    const r = build([descriptor('RAX-N', extra)]);
    expect(r.problems.map(brief)).toEqual([expected]);
    expect(r.extensions).toEqual([]);
  });
});

describe('all problems at once', () => {
  test('a missing requirement does not hide the extension\'s other problems', () => {
    const r = build([descriptor('RAX-N', {
      requires: ['RAX-NOPE'],
      hooks: [{ on: 'nowhere.show' as never }],
      routes: [{ method: 'GET', path: '/servers/{server_id}/plain', handle: () => ({ status: 204 }) }],
      actions: [{ resource: 'server', name: 'go', from: ['ACTIVE'], via: 'FLYING' }],
    })]);
    expect(r.problems.map(brief).sort()).toEqual([
      'RAX-N actions[0].via unknown-state',
      'RAX-N hooks[0].on unknown-route',
      'RAX-N requires requires-missing',
      'RAX-N routes[0].path alias-segment',
    ]);
  });

  test('another extension\'s state without requiring it names the missing requirement, whatever the load order', () => {
    const cbs = descriptor('RAX-CBS', { states: [{ resource: 'server', name: 'ATTACHING' }] });
    for (const alias of ['RAX-AAA', 'RAX-ZZZ']) {
      const r = build([cbs, descriptor(alias, { actions: [{ resource: 'server', name: 'go', from: ['ACTIVE'], via: 'RAX-CBS:ATTACHING' }] })]);
      expect(r.problems.map((p) => `${brief(p)}: ${p.message}`)).toEqual([`${alias} actions[0].via requires: state "RAX-CBS:ATTACHING" belongs to RAX-CBS, which ${alias} does not require`]);
    }
  });

  test('a duplicate alias names both folders', async () => {
    const roots = [1, 2].map((n) => {
      const root = mkdtempSync(join(tmpdir(), 'extgate-dup-'));
      mkdirSync(join(root, 'RAX-TWIN'));
      writeFileSync(join(root, 'RAX-TWIN', 'index.ts'), `import { defineExtension } from 'extgate';\nexport default defineExtension(${JSON.stringify(descriptor('RAX-TWIN', { namespace: `http://example.com/twin${n}` }))});\n`);
      return join(root, 'RAX-TWIN');
    });
    const r = await loadRegistry(parseConfig({ extensions: { builtin: false, paths: roots.map((f) => join(f, '..')), onInvalid: 'skip' } }));
    expect(r.problems.filter((p) => p.rule === 'unique-alias').map((p) => p.message)).toEqual([
      `"RAX-TWIN" of ${roots[0]} is also claimed by ${roots[1]}`,
      `"RAX-TWIN" of ${roots[1]} is also claimed by ${roots[0]}`,
    ]);
  });
});

describe('onInvalid skip: a bad extension never knocks out a good one', () => {
  test('an extension from elsewhere that takes a shipped one\'s alias is left out; the shipped one is served', async () => {
    const root = mkdtempSync(join(tmpdir(), 'extgate-clash-'));
    mkdirSync(join(root, 'RAX-DCF'));
    writeFileSync(join(root, 'RAX-DCF', 'index.ts'), `import { defineExtension } from 'extgate';\nexport default defineExtension(${JSON.stringify(descriptor('RAX-DCF'))});\n`);
    const r = await loadRegistry(parseConfig({ extensions: { paths: [root], onInvalid: 'skip' } }));
    expect(r.problems.map(brief)).toEqual(['RAX-DCF alias unique-alias']);
    expect(r.problems[0]!.message).toContain(join(root, 'RAX-DCF'));
    const dcf = r.extensions.find((e) => e.alias === 'RAX-DCF')!;
    expect(dcf.name).toBe('Disk Configuration Extension');
  });
});

describe('defaults apply to resources made before the extension was enabled', () => {
  test('a server from before ACME-WIDGETS reads as grey, and ?ACME-WIDGETS:colour=grey finds it', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'extgate-defaults-')), 'db.sqlite');
    const before = await testGateway({ store: { path: store } });
    const id = await createServer(before.app);
    await before.store.close();
    const after = await testGateway({ store: { path: store }, vendors: { ACME: 'Acme Corp' }, extensions: { paths: ['examples'] } });
    expect((await call(after.app, `/v1/servers/${id}`)).json().server['ACME-WIDGETS:colour']).toBe('grey');
    expect((await call(after.app, '/v1/servers?ACME-WIDGETS:colour=grey')).json().servers.map((s: { id: string }) => s.id)).toEqual([id]);
  });
});

describe('a folder of extensions may hold other things', () => {
  test('a folder that is not named like an extension and has no entry (data/, node_modules/) is passed over; one named like an extension is not', async () => {
    const root = mkdtempSync(join(tmpdir(), 'extgate-mixed-'));
    for (const folder of ['data', 'node_modules', 'RAX-EMPTY']) mkdirSync(join(root, folder));
    const r = await loadRegistry(parseConfig({ extensions: { builtin: false, paths: [root], onInvalid: 'skip' } }));
    expect(r.problems.map(brief)).toEqual(['RAX-EMPTY (module) module']);
  });

  test('a missing requirement is reported with the extension\'s other problems, not after they are fixed', () => {
    const r = build([descriptor('RAX-N', { requires: ['RAX-NOPE'], updated: 'soon' })]);
    expect(r.problems.map(brief).sort()).toEqual(['RAX-N requires requires-missing', 'RAX-N updated timestamp']);
  });
});
