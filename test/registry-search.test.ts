import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Hono } from 'hono';
import { ManualClock } from '../src/core/clock.ts';
import { defineExtension } from '../src/extension/define.ts';
import { buildRegistry } from '../src/extension/registry.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { createGateway } from '../src/gateway.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { call, parseXml, XML, type Parsed } from './support/gateway.ts';
import { descriptor } from './support/descriptor.ts';

/**
 * Searching a registry of 1,000 extensions (the registry API's filters): q, vendor, updated-since,
 * combined, paged with their filters kept, in JSON and XML; and the vendor prefixes it knows.
 */
const VENDORS = ['RAX', 'HP', 'CTX', 'OS'] as const;
let app: Hono;
let store: Store;
const defs = Array.from({ length: 1000 }, (_, i) => {
  const alias = `${VENDORS[i % 4]}-GEN${String(i).padStart(4, '0')}`;
  return descriptor(alias, {
    name: i % 70 === 7 ? `Backup scheduler ${i}` : `Generated ${i}`,
    description: i === 500 ? 'Attaches Cloud Block Storage volumes.' : `Generated extension number ${i}.`,
    updated: `20${10 + (i % 9)}-06-01T00:00:00Z`,
  });
});
/** The same search done plainly over the definitions, sorted by alias as the list is. */
const expected = (keep: (d: (typeof defs)[number]) => boolean): string[] => defs.filter(keep).map((d) => d.alias).sort();

beforeAll(() => {
  const registry = buildRegistry(defs.map((d) => ({ label: d.alias, exported: defineExtension(d) })), {
    versions: [{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }],
    vendors: loadVendors(),
  });
  store = openSqliteStore(':memory:');
  app = createGateway(registry, { store, clock: new ManualClock() });
});
afterAll(() => store.close());

const aliases = (body: Parsed): string[] => body.extensions.map((e: Parsed) => e.alias);

describe('searching the extension list', () => {
  test('q: case-insensitive, in alias, name and description', async () => {
    const backup = aliases((await call(app, '/v1/extensions?q=backup%20SCHEDULER')).json());
    expect(backup).toEqual(expected((d) => d.name.startsWith('Backup scheduler')));
    expect(backup).toHaveLength(15);
    expect(aliases((await call(app, '/v1/extensions?q=block%20storage')).json())).toEqual(['RAX-GEN0500']);
    expect(aliases((await call(app, '/v1/extensions?q=ctx-gen0002')).json())).toEqual(['CTX-GEN0002']);
  });

  test('vendor, updated-since, and all three combined; each item keeps exactly its six keys', async () => {
    const hp = aliases((await call(app, '/v1/extensions?vendor=hp')).json());
    expect(hp).toHaveLength(250);
    expect(hp.every((a) => a.startsWith('HP-'))).toBe(true);
    const recent = (await call(app, '/v1/extensions?updated-since=2018-01-01')).json();
    expect(aliases(recent)).toEqual(expected((d) => d.updated >= '2018'));
    expect(recent.extensions).toHaveLength(111);
    expect(Object.keys(recent.extensions[0]).sort()).toEqual(['alias', 'description', 'links', 'name', 'namespace', 'updated']);
    const both = aliases((await call(app, '/v1/extensions?q=backup&vendor=HP&updated-since=2016-06-01T00:00:00Z')).json());
    expect(both).toEqual(['HP-GEN0357', 'HP-GEN0637', 'HP-GEN0917']);
    expect((await call(app, '/v1/extensions?vendor=NOPE')).json()).toEqual({ extensions: [] });
  });

  test('pages keep the filters in their next links, in JSON and XML', async () => {
    const first = (await call(app, '/v1/extensions?vendor=RAX&limit=100')).json();
    expect(first.extensions).toHaveLength(100);
    const next = new URL(first.extensions_links[0].href);
    expect(next.searchParams.get('vendor')).toBe('RAX');
    const rest = [];
    for (let url: URL | undefined = next; url !== undefined; ) {
      const page: Parsed = (await call(app, url.pathname + url.search)).json();
      rest.push(...aliases(page));
      url = page.extensions_links === undefined ? undefined : new URL(page.extensions_links[0].href);
    }
    expect([...aliases(first), ...rest]).toHaveLength(250);
    const xml = parseXml((await call(app, '/v1/extensions?q=generated&vendor=OS&limit=2', XML)).text);
    expect(xml.extensions.extension.map((e: Parsed) => e['@alias'])).toEqual(['OS-GEN0003', 'OS-GEN0007']);
    expect(xml.extensions['atom:link'][0]['@href']).toBe('http://localhost/v1/extensions?q=generated&vendor=OS&limit=2&marker=OS-GEN0007');
  });

  test.each([
    ['q=', '"q" must be 1 to 255 characters.'],
    ['vendor=R-X', '"vendor" must be a vendor prefix'],
    ['updated-since=yesterday', '"updated-since" must be a timestamp'],
    ['updated-since=2011-13-45', '"updated-since" must be a timestamp'],
    ['q=a&q=b', 'Query parameter "q" may be given once.'],
  ])('?%s is a 400 in the negotiated type', async (query, message) => {
    const r = await call(app, `/v1/extensions?${query}`, XML);
    expect(r.status).toBe(400);
    expect(parseXml(r.text).badRequest.message).toContain(message);
  });
});

test('GET /v1/vendors lists the registered prefixes, in JSON and XML', async () => {
  const vendors = (await call(app, '/v1/vendors')).json().vendors;
  expect(vendors).toContainEqual({ prefix: 'RAX', name: expect.any(String) });
  expect(vendors.map((v: Parsed) => v.prefix)).toEqual([...vendors.map((v: Parsed) => v.prefix)].sort());
  const xml = parseXml((await call(app, '/v1/vendors', XML)).text);
  expect(xml.vendors.vendor.map((v: Parsed) => v['@prefix'])).toEqual(vendors.map((v: Parsed) => v.prefix));
  expect((await call(app, '/v1/vendors', { method: 'DELETE' })).status).toBe(405);
});
