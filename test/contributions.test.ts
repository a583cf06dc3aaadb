import { describe, expect, test } from 'vitest';
import { defineExtension } from '../src/index.ts';
import type { ExtensionDefinition } from '../src/extension/define.ts';
import type { Problem } from '../src/extension/problems.ts';
import { buildRegistry } from '../src/extension/registry.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { call, parseXml, testGateway, XML } from './support/gateway.ts';
import { action, createServer } from './support/compute.ts';
import { hasReference, reference } from './support/xml.ts';

const meta = (alias: string): ExtensionDefinition => ({
  name: alias,
  namespace: `http://example.com/${alias}`,
  alias,
  updated: '2020-01-01T00:00:00Z',
  description: `${alias} for tests.`,
  links: [{ rel: 'describedby', type: 'application/pdf', href: `http://example.com/${alias}.pdf` }],
});
const VERSIONS = [{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }] as const;
const problemsOf = (...defs: ExtensionDefinition[]): string[] =>
  (buildRegistry(defs.map((d) => ({ label: d.alias, exported: defineExtension(d) })), { versions: VERSIONS, vendors: loadVendors(), onInvalid: 'skip' }).problems as Problem[]).map(
    (p) => `${p.extension} ${p.field} ${p.rule}`,
  );

describe('load-time checks of contributions, all reported at once', () => {
  test('the same name twice, a hook on no route, a transition from or to an unknown state', () => {
    expect(
      problemsOf({
        ...meta('RAX-A'),
        attributes: [{ resource: 'server', name: 'x' }, { resource: 'server', name: 'x' }],
        parameters: [{ resource: 'servers', name: 'p', filter: () => true }, { resource: 'servers', name: 'p', filter: () => true }],
        headers: { request: ['H', 'H'] },
        states: [{ resource: 'server', name: 'S' }, { resource: 'server', name: 'S' }],
        actions: [
          { resource: 'server', name: 'go', from: ['NOWHERE'], via: 'S' },
          { resource: 'server', name: 'go', from: ['ACTIVE'] },
          { resource: 'server', name: 'fly', from: ['ACTIVE'], via: 'LIMBO' },
        ],
        hooks: [{ on: 'servers.explode' as never, preSerialization: () => {} }],
        routes: [{ method: 'GET', path: '/servers/{server_id}/mine', handle: () => ({ status: 204 }) }],
      }).sort(),
    ).toEqual([
      'RAX-A actions[0].from unknown-state',
      'RAX-A actions[1].name conflict',
      'RAX-A actions[2].via unknown-state',
      'RAX-A attributes[1].name conflict',
      'RAX-A headers.request[1] conflict',
      'RAX-A hooks[0].on unknown-route',
      'RAX-A parameters[1].name conflict',
      'RAX-A routes[0].path alias-segment',
      'RAX-A states[1].name conflict',
    ]);
  });

  test('a parameter\'s declared match: a field the extension stores, of the form its test needs, or a core text field; a match or a filter, not both, not neither', () => {
    const attributes = [
      { resource: 'server' as const, name: 'zone' },
      { resource: 'server' as const, name: 'tags', form: 'list' as const, item: 'tag' },
      { resource: 'server' as const, name: 'size', type: 'integer' as const },
      { resource: 'server' as const, name: 'shown', derive: () => 'x' },
      { resource: 'image' as const, name: 'kind' },
    ];
    const param = (name: string, matches: object, resource = 'servers') => ({ resource, name, matches }) as never;
    expect(
      problemsOf({
        ...meta('RAX-M'),
        attributes,
        parameters: [
          param('a', { field: 'zone', test: 'equals' }),
          param('b', { field: 'tags', test: 'includesAll', separator: ';' }),
          param('c', { field: 'imageId', test: 'equals' }),
          param('d', { field: 'kind', test: 'equals' }, 'images'),
          param('e', { field: 'nowhere', test: 'equals' }),
          param('f', { field: 'kind', test: 'equals' }),
          param('g', { field: 'tags', test: 'equals' }),
          param('h', { field: 'zone', test: 'includesAll' }),
          param('i', { field: 'size', test: 'equals' }),
          param('j', { field: 'shown', test: 'equals' }),
          param('k', { field: 'imageId', test: 'includesAll' }),
          param('l', { field: 'status', test: 'equals' }),
        ],
      }).sort(),
    ).toEqual([
      'RAX-M parameters[10].matches.test match',
      'RAX-M parameters[11].matches.field match',
      'RAX-M parameters[4].matches.field match',
      'RAX-M parameters[5].matches.field match',
      'RAX-M parameters[6].matches.test match',
      'RAX-M parameters[7].matches.test match',
      'RAX-M parameters[8].matches.test match',
      'RAX-M parameters[9].matches.field match',
    ]);
    expect(
      problemsOf({
        ...meta('RAX-M'),
        attributes,
        parameters: [
          { resource: 'servers', name: 'm', matches: { field: 'zone', test: 'equals' }, filter: () => true } as never,
          { resource: 'servers', name: 'n' } as never,
          param('o', { field: 'zone', test: 'startsWith' }),
        ],
      }),
    ).toEqual(['RAX-M parameters[0] type', 'RAX-M parameters[1] type', 'RAX-M parameters[2].matches.test type']);
  });

  test('another extension\'s state needs requires; with it, it is fine', () => {
    const owner = { ...meta('RAX-S'), states: [{ resource: 'server' as const, name: 'BUSY' }] };
    const user = (requires: string[]) => ({ ...meta('RAX-U'), requires, actions: [{ resource: 'server' as const, name: 'go', from: ['RAX-S:BUSY'] }] });
    expect(problemsOf(owner, user([]))).toEqual(['RAX-U actions[0].from requires']);
    expect(problemsOf(owner, user(['RAX-S']))).toEqual([]);
  });

  test('two extensions with the same path template do not clash: their aliases set them apart', () => {
    const route = { method: 'GET' as const, path: '/servers/{server_id}/{alias}/x', handle: () => ({ status: 204 }) };
    expect(problemsOf({ ...meta('RAX-A'), routes: [route] }, { ...meta('RAX-B'), routes: [route] })).toEqual([]);
  });

  test('a name the core already has cannot be claimed once it would render unqualified', () => {
    // In v1 every extension name is qualified, so `name` does not clash with the core's.
    expect(problemsOf({ ...meta('RAX-A'), attributes: [{ resource: 'server', name: 'name' }] })).toEqual([]);
  });

  test('the bad extension is left out in skip mode; the good ones are served', async () => {
    const r = buildRegistry(
      [
        { label: 'RAX-BAD', exported: defineExtension({ ...meta('RAX-BAD'), hooks: [{ on: 'nowhere.show' as never }] }) },
        { label: 'RAX-OK', exported: defineExtension({ ...meta('RAX-OK'), attributes: [{ resource: 'image', name: 'ok', type: 'boolean', default: true }] }) },
      ],
      { versions: VERSIONS, vendors: loadVendors(), onInvalid: 'skip' },
    );
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-OK']);
    expect(r.version('v1')!.model.shapes.image.fields.some((f) => f.key === 'RAX-OK:ok')).toBe(true);
  });

  test('a hook with the phase names of before this release is refused, not silently ignored', () => {
    expect(problemsOf({ ...meta('RAX-A'), hooks: [{ on: 'servers.show', after: () => {} } as never] })).toEqual(['RAX-A hooks[0].after unknown-field']);
  });
});

describe('they compose: one server document carrying every extension at once', () => {
  test('JSON and XML; XML namespaces declared on the root, extension elements after the core ones', async () => {
    const gw = await testGateway();
    const id = await createServer(gw.app, { 'RAX-DCF:diskConfig': 'MANUAL', 'MLTI-TAGS:tags': ['web'] });
    gw.clock.advance(2000);
    expect((await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '123' } })).status).toBe(202);
    // OS-LOCK locks from any state, RAX-CBS's ATTACHING included.
    expect((await action(gw.app, id, { 'OS-LOCK:lock': null })).status).toBe(202);
    const j = (await call(gw.app, `/v1/servers/${id}`)).json().server;
    expect([j.status, j['OS-LOCK:locked'], j['RAX-CBS:volumes']]).toEqual(['RAX-CBS:ATTACHING', true, [{ CBSID: '123', type: 'SATA' }]]);
    // RAX-DCF is OS-DCF in v1 (spec/promotions.json), its old name kept beside the new one.
    expect(Object.keys(j).filter((k) => k.includes(':')).sort()).toEqual(['MLTI-TAGS:tags', 'OS-DCF:diskConfig', 'OS-LOCK:locked', 'RAX-CBS:volumes', 'RAX-DCF:diskConfig']);
    const x = (await call(gw.app, `/v1/servers/${id}`, XML)).text;
    const root = x.slice(x.indexOf('<server'), x.indexOf('>', x.indexOf('<server')));
    for (const alias of ['MLTI-TAGS', 'OS-DCF', 'OS-LOCK', 'RAX-CBS', 'RAX-DCF']) expect(root).toContain(`xmlns:${alias}=`);
    expect(x.indexOf('<MLTI-TAGS:tags>')).toBeGreaterThan(x.lastIndexOf('<atom:link'));
    expect(parseXml(x).server['@status']).toBe('RAX-CBS:ATTACHING');
    if (hasReference) expect((await reference.computeXsd(x)).errors).toEqual([]);
  });
});

describe('hook phases see what they say', () => {
  test('preHandler: the input, the loaded resource and the action, before anything changes; preSerialization: the result and the documents as changed', async () => {
    const { seen } = await import('./fixtures/phases/RAX-SEEN/seen.ts');
    const gw = await testGateway({ extensions: { paths: ['test/fixtures/phases'] } });
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    seen.length = 0;
    await call(gw.app, `/v1/servers/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"server": {"name": "renamed"}}' });
    await action(gw.app, id, { reboot: { type: 'SOFT' } });
    await action(gw.app, id, { createImage: { name: 'snap' } }).then(() => gw.clock.advance(1000));
    await call(gw.app, '/v1/servers');
    expect(seen).toEqual([
      'servers.update preHandler: doc web ACTIVE, input {"name":"renamed"}, action none',
      'servers.update preSerialization: doc renamed ACTIVE, created none, result renamed',
      'servers.action preHandler: doc renamed ACTIVE, input {"type":"SOFT"}, action reboot',
      'servers.action preSerialization: doc renamed REBOOT, created none, result none',
      'servers.action preHandler: doc renamed REBOOT, input {"name":"snap"}, action createImage',
      'servers.list preHandler: doc none, input null, action none',
      'servers.list preSerialization: doc none, created none, result 1 items',
    ]);
  });
});
