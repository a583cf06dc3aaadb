import { beforeAll, describe, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config.ts';
import { call as callOwn, parseXml, testGateway, type Reply, type TestGateway } from './support/gateway.ts';
import { CORE_NS, FLAVOR, IMAGE, json, xml } from './support/compute.ts';

/**
 * Every kind of name across each step of a lineage, in JSON and XML: a deployment that promotes
 * every shipped RAX- extension to OS- in v2 (each oldNames mode), and RAX-PIE along the whole
 * path, RAX-PIE (v1) -> MLTI-PIE (v2) -> OS-PIE (v3) -> core (v4). The modules are the shipped
 * ones, unchanged; only the registry differs. Every XML answer is validated against the core
 * schema with what this registry promotes into it.
 */
const SCHEMA = 'test/fixtures/schemas/promoted.xsd';
const ns = (name: string) => `http://docs.openstack.org/compute/ext/${name}/api/v1.1`;
const RAX = {
  PIE: 'http://docs.rackspacecloud.com/servers/api/ext/pie/v1.0',
  CBS: 'http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.0',
  BAK: 'http://docs.rackspace.com/servers/api/ext/backup/v1.0',
  DESC: 'http://docs.rackspacecloud.com/servers/api/ext/desc/v1.0',
};
const MLTI_PIE = 'http://docs.openstack.org/compute/ext/multi-vendor/pie/v1.0';

const CHAIN: ConfigInput = {
  builtinPromotions: false,
  versions: [
    { id: 'v1', status: 'DEPRECATED', updated: '2011-09-27T00:00:00Z' },
    { id: 'v2', status: 'SUPPORTED', updated: '2013-01-01T00:00:00Z' },
    { id: 'v3', status: 'SUPPORTED', updated: '2015-01-01T00:00:00Z' },
    { id: 'v4', status: 'CURRENT', updated: '2026-01-01T00:00:00Z' },
  ],
  promotions: [
    { from: 'RAX-DCF', to: 'OS-DCF', since: 'v2', namespace: ns('disk_config'), date: '2012-01-18T00:00:00Z', oldNames: 'both' },
    { from: 'RAX-BAK', to: 'OS-BAK', since: 'v2', namespace: ns('backup'), oldNames: 'both' },
    { from: 'RAX-CBS', to: 'OS-CBS', since: 'v2', namespace: ns('cbs'), oldNames: 'accept', sunset: '2030-01-01T00:00:00Z' },
    { from: 'RAX-PATCH', to: 'OS-PATCH', since: 'v2', namespace: ns('patch'), oldNames: 'both' },
    { from: 'RAX-ATOM', to: 'OS-ATOM', since: 'v2', namespace: ns('atom'), oldNames: 'both' },
    { from: 'RAX-DESC', to: 'OS-DESC', since: 'v2', namespace: ns('desc'), oldNames: 'refuse' },
    { from: 'RAX-EDIT', to: 'OS-EDIT', since: 'v2', namespace: ns('edit'), oldNames: 'both' },
    { from: 'RAX-PIE', to: 'MLTI-PIE', since: 'v2', namespace: MLTI_PIE, oldNames: 'both' },
    { from: 'MLTI-PIE', to: 'OS-PIE', since: 'v3', namespace: ns('pie'), oldNames: 'accept' },
    { from: 'OS-PIE', to: 'core', since: 'v4', oldNames: 'refuse' },
  ],
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await testGateway(CHAIN);
});
const call = (path: string, init: RequestInit = {}): Promise<Reply> => callOwn(gw.app, path, { ...init, schema: SCHEMA });
const XML = { headers: { Accept: 'application/xml' } };
const newServer = async (version: string, extra: Record<string, unknown> = {}): Promise<string> => {
  const r = await call(`/${version}/servers`, json('POST', { server: { name: 'c', imageRef: IMAGE, flavorRef: FLAVOR, ...extra } }));
  expect(r.status, r.text).toBe(202);
  gw.clock.advance(2000);
  return r.json().server.id;
};
const extensionKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => k.includes(':')).sort();

describe('an attribute, step by step: RAX-PIE:shared -> MLTI-PIE:shared (+ old, both) -> OS-PIE:shared -> shared', () => {
  test.each([
    ['v1', ['RAX-PIE:shared'], { '@RAX-PIE:shared': 'false', '@xmlns:RAX-PIE': RAX.PIE }],
    ['v2', ['MLTI-PIE:shared', 'RAX-PIE:shared'], { '@MLTI-PIE:shared': 'false', '@RAX-PIE:shared': 'false', '@xmlns:MLTI-PIE': MLTI_PIE }],
    ['v3', ['OS-PIE:shared'], { '@OS-PIE:shared': 'false', '@xmlns:OS-PIE': ns('pie') }],
    ['v4', ['shared'], { '@shared': 'false' }],
  ])('%s', async (v, jsonNames, xmlAttributes) => {
    const image = (await call(`/${v}/images/${IMAGE}`)).json().image;
    expect(Object.keys(image).filter((k) => k.endsWith('shared'))).toEqual(jsonNames);
    const x = parseXml((await call(`/${v}/images/${IMAGE}`, XML)).text).image;
    expect(x).toMatchObject(xmlAttributes);
    expect(Object.keys(x).filter((k) => k.endsWith('shared'))).toHaveLength(Object.keys(xmlAttributes).filter((k) => k.endsWith('shared')).length);
  });
});

describe('a query parameter, step by step: every accepted spelling filters; old ones are told and counted', () => {
  const filtered = async (path: string) => {
    const r = await call(path);
    return { status: r.status, ids: r.status === 200 ? r.json().servers.map((s: { id: string }) => s.id) : [], deprecation: r.headers.get('deprecation'), link: r.headers.get('link'), text: r.text };
  };
  test.each([
    ['v1', 'RAX-PIE:img', null, null],
    ['v2', 'MLTI-PIE:img', null, null],
    ['v2', 'RAX-PIE:img', '@1356998400', '<http://localhost/v2/extensions/MLTI-PIE>; rel="successor-version"'],
    ['v3', 'OS-PIE:img', null, null],
    ['v3', 'MLTI-PIE:img', '@1420070400', '<http://localhost/v3/extensions/OS-PIE>; rel="successor-version"'],
    ['v3', 'RAX-PIE:img', '@1356998400', '<http://localhost/v3/extensions/OS-PIE>; rel="successor-version"'],
    ['v4', 'img', null, null],
  ])('%s ?%s=', async (v, param, deprecation, link) => {
    const id = await newServer(v);
    const r = await filtered(`/${v}/servers?${param}=${IMAGE}`);
    expect(r.ids).toContain(id);
    expect(await filtered(`/${v}/servers?${param}=155d900f-4e14-4e4c-a73d-069cbf4541e6`)).toMatchObject({ ids: [] });
    expect([r.deprecation, r.link]).toEqual([deprecation, link]);
  });

  test('v4 refuses every old spelling, naming the core one', async () => {
    for (const param of ['OS-PIE:img', 'MLTI-PIE:img', 'RAX-PIE:img']) {
      const r = await call(`/v4/servers?${param}=${IMAGE}`);
      expect(r.status).toBe(400);
      expect(r.json().badRequest.message).toBe(`"${param}" is an old name that this API version no longer accepts; use "img".`);
    }
  });

  test('the old and new spelling together must agree', async () => {
    expect((await call(`/v3/servers?OS-PIE:img=${IMAGE}&RAX-PIE:img=${IMAGE}`)).status).toBe(200);
    expect((await call(`/v3/servers?OS-PIE:img=${IMAGE}&RAX-PIE:img=155d900f-4e14-4e4c-a73d-069cbf4541e6`)).status).toBe(400);
  });
});

describe('headers, states and actions (RAX-CBS -> OS-CBS in v2, old names accepted, not written)', () => {
  test('JSON: the old action and header are read, with Deprecation and Sunset; states and headers are written the new way', async () => {
    const id = await newServer('v2');
    const r = await call(`/v2/servers/${id}/action`, json('POST', { 'RAX-CBS:mount_volume': { CBSID: '7' } }, { 'RAX-CBS-Volume-Type': 'SSD' }));
    expect(r.status).toBe(202);
    expect(r.headers.get('sunset')).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
    expect(r.headers.get('link')).toBe('<http://localhost/v2/extensions/OS-CBS>; rel="successor-version"');
    const show = await call(`/v2/servers/${id}`);
    const s = show.json().server;
    expect(s.status).toBe('OS-CBS:ATTACHING');
    expect(s['OS-CBS:volumes']).toEqual([{ CBSID: '7', type: 'SSD' }]);
    expect(s['RAX-CBS:volumes']).toBeUndefined();
    expect([show.headers.get('OS-CBS-Volumes-Attached'), show.headers.get('RAX-CBS-Volumes-Attached')]).toEqual(['1', null]);
    expect(show.headers.get('deprecation')).toBeNull();
    // The same server in v1 speaks the old names, as it always did.
    const v1 = await call(`/v1/servers/${id}`);
    expect([v1.json().server.status, v1.headers.get('RAX-CBS-Volumes-Attached')]).toEqual(['RAX-CBS:ATTACHING', '1']);
    expect(gw.oldNames.counts()).toEqual(expect.arrayContaining([
      { alias: 'RAX-CBS', name: 'RAX-CBS:mount_volume', count: 1 },
      { alias: 'RAX-CBS', name: 'RAX-CBS-Volume-Type', count: 1 },
    ]));
  });

  test('XML: the action in the old namespace is accepted and told; in the new one quietly', async () => {
    const id = await newServer('v2');
    const old = await call(`/v2/servers/${id}/action`, xml('POST', `<mount_volume xmlns="${RAX.CBS}" CBSID="1"/>`));
    expect([old.status, old.headers.get('deprecation') !== null]).toEqual([202, true]);
    gw.clock.advance(1000);
    const now = await call(`/v2/servers/${id}/action`, xml('POST', `<mount_volume xmlns="${ns('cbs')}" CBSID="2"/>`));
    expect([now.status, now.headers.get('deprecation')]).toEqual([202, null]);
    const x = parseXml((await call(`/v2/servers/${id}`, XML)).text).server;
    expect(x['@status']).toBe('OS-CBS:ATTACHING');
    expect(x['OS-CBS:volumes']['OS-CBS:volume'].map((v: Record<string, string>) => v['@CBSID'])).toEqual(['1', '2']);
  });

  test('the header under both spellings with different values is a 400, and nothing changes', async () => {
    const id = await newServer('v2');
    const r = await call(`/v2/servers/${id}/action`, json('POST', { 'OS-CBS:mount_volume': { CBSID: '9' } }, { 'OS-CBS-Volume-Type': 'SSD', 'RAX-CBS-Volume-Type': 'SATA' }));
    expect(r.status).toBe(400);
    expect((await call(`/v2/servers/${id}`)).json().server.status).toBe('ACTIVE');
  });
});

describe('an element refused once promoted (RAX-DESC -> OS-DESC in v2, oldNames: refuse)', () => {
  test('JSON and XML: the old name is a 400 naming the new one; the new one works', async () => {
    const id = await newServer('v2');
    const old = await call(`/v2/servers/${id}/action`, json('POST', { createImage: { name: 'i', 'RAX-DESC:description': 'old' } }));
    expect(old.status).toBe(400);
    expect(old.json().badRequest.message).toBe('"RAX-DESC:description" is an old name that this API version no longer accepts; use "OS-DESC:description".');
    const oldXml = await call(`/v2/servers/${id}/action`, xml('POST', `<createImage xmlns="${CORE_NS}" xmlns:d="${RAX.DESC}" name="i"><d:description>old</d:description></createImage>`));
    expect(oldXml.status).toBe(400);
    expect(parseXml(oldXml.text).badRequest.message).toContain(`use "description" in the namespace ${ns('desc')}`);
    const r = await call(`/v2/servers/${id}/action`, json('POST', { createImage: { name: 'i', 'OS-DESC:description': 'new' } }));
    expect(r.status).toBe(202);
    const image = await call(new URL(r.headers.get('location')!).pathname, XML);
    expect(parseXml(image.text).image['OS-DESC:description']).toBe('new');
    expect((await call('/v2/extensions/RAX-DESC')).status).toBe(404);
  });
});

describe('a resource and its document (RAX-BAK -> OS-BAK in v2, both)', () => {
  const SCHEDULE = { enabled: true, weekly: 'THURSDAY', daily: 'H_0400_0600' };
  test('the new path, in the new names; the answer carries both root names', async () => {
    const id = await newServer('v2');
    const r = await call(`/v2/servers/${id}/OS-BAK/backup-schedule`, json('PUT', { 'OS-BAK:backupSchedule': SCHEDULE }));
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ 'OS-BAK:backupSchedule': SCHEDULE, 'RAX-BAK:backupSchedule': SCHEDULE });
    const x = await call(`/v2/servers/${id}/OS-BAK/backup-schedule`, XML);
    expect(parseXml(x.text).backupSchedule['@xmlns']).toBe(ns('backup'));
  });

  test('the old path answers the same, its XML in the namespace the client knows, with Deprecation', async () => {
    const id = await newServer('v2');
    const put = await call(`/v2/servers/${id}/RAX-BAK/backup-schedule`, json('PUT', { 'RAX-BAK:backupSchedule': SCHEDULE }));
    expect([put.status, put.headers.get('link')]).toEqual([200, '<http://localhost/v2/extensions/OS-BAK>; rel="successor-version"']);
    const x = await call(`/v2/servers/${id}/RAX-BAK/backup-schedule`, XML);
    expect(x.headers.get('deprecation')).not.toBeNull();
    expect(parseXml(x.text).backupSchedule).toMatchObject({ '@xmlns': RAX.BAK, '@weekly': 'THURSDAY' });
    expect((await call(`/v2/servers/${id}/OS-BAK/backup-schedule`)).json()['OS-BAK:backupSchedule']).toEqual(SCHEDULE);
    expect((await call(`/v1/servers/${id}/RAX-BAK/backup-schedule`)).json()).toEqual({ 'RAX-BAK:backupSchedule': SCHEDULE });
    expect((await call(`/v1/servers/${id}/OS-BAK/backup-schedule`)).status).toBe(404);
  });
});

describe('a verb and its link relation (RAX-PATCH -> OS-PATCH in v2, both); a media type (RAX-ATOM -> OS-ATOM)', () => {
  test('images link both relations; both URIs patch; the old one is told', async () => {
    const links = (await call(`/v2/images/${IMAGE}`)).json().image.links.map((l: { rel: string }) => l.rel);
    expect(links).toEqual(['self', 'bookmark', 'OS-PATCH', 'RAX-PATCH']);
    const quiet = await call(`/v2/images/OS-PATCH/${IMAGE}`, json('PATCH', { name: 'cirros-new' }));
    const old = await call(`/v2/images/RAX-PATCH/${IMAGE}`, json('PATCH', { name: 'cirros-old' }));
    expect([quiet.status, quiet.headers.get('deprecation'), old.status, old.headers.get('deprecation') !== null]).toEqual([200, null, 200, true]);
    expect((await call(`/v1/images/${IMAGE}`)).json().image.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'bookmark', 'RAX-PATCH']);
  });

  test('ext= picks the codec by either alias; the old one is told', async () => {
    const byNew = await call('/v2/images', { headers: { Accept: 'application/atom+xml;ext=OS-ATOM' } });
    const byOld = await call('/v2/images', { headers: { Accept: 'application/atom+xml;ext=RAX-ATOM' } });
    expect([byNew.status, byNew.headers.get('deprecation'), byOld.status, byOld.headers.get('deprecation') !== null]).toEqual([200, null, 200, true]);
    expect(byOld.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
  });
});

describe('discovery, version by version: exactly the aliases whose names it serves', () => {
  test.each([
    ['v1', ['MLTI-TAGS', 'OS-LOCK', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-DESC', 'RAX-EDIT', 'RAX-PATCH', 'RAX-PIE']],
    ['v2', ['MLTI-PIE', 'MLTI-TAGS', 'OS-ATOM', 'OS-BAK', 'OS-CBS', 'OS-DCF', 'OS-DESC', 'OS-EDIT', 'OS-LOCK', 'OS-PATCH', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-EDIT', 'RAX-PATCH', 'RAX-PIE']],
    ['v3', ['MLTI-PIE', 'MLTI-TAGS', 'OS-ATOM', 'OS-BAK', 'OS-CBS', 'OS-DCF', 'OS-DESC', 'OS-EDIT', 'OS-LOCK', 'OS-PATCH', 'OS-PIE', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-EDIT', 'RAX-PATCH', 'RAX-PIE']],
    ['v4', ['MLTI-TAGS', 'OS-ATOM', 'OS-BAK', 'OS-CBS', 'OS-DCF', 'OS-DESC', 'OS-EDIT', 'OS-LOCK', 'OS-PATCH', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-EDIT', 'RAX-PATCH']],
  ])('%s', async (v, aliases) => {
    const list = (await call(`/${v}/extensions`)).json().extensions;
    expect(list.map((e: { alias: string }) => e.alias)).toEqual(aliases);
    const x = parseXml((await call(`/${v}/extensions`, XML)).text).extensions.extension;
    expect(x.map((e: Record<string, string>) => e['@alias'])).toEqual(aliases);
  });

  test('in v3 both of OS-PIE\'s predecessors point at it', async () => {
    for (const alias of ['RAX-PIE', 'MLTI-PIE']) {
      expect((await call(`/v3/extensions/${alias}`)).json().extension.links.at(-1)).toEqual({ rel: 'successor-version', href: '/v3/extensions/OS-PIE' });
    }
  });
});

describe('data survives every step: one server, read in every version', () => {
  test('a server created in v1 with the old names reads in each version\'s names', async () => {
    const id = await newServer('v1', { 'RAX-DCF:diskConfig': 'MANUAL' });
    expect(extensionKeys((await call(`/v1/servers/${id}`)).json().server)).toEqual(['MLTI-TAGS:tags', 'OS-LOCK:locked', 'RAX-CBS:volumes', 'RAX-DCF:diskConfig']);
    for (const v of ['v2', 'v3', 'v4']) {
      const s = (await call(`/${v}/servers/${id}`)).json().server;
      expect(extensionKeys(s)).toEqual(['MLTI-TAGS:tags', 'OS-CBS:volumes', 'OS-DCF:diskConfig', 'OS-LOCK:locked', 'RAX-DCF:diskConfig']);
      expect([s['OS-DCF:diskConfig'], s['RAX-DCF:diskConfig']]).toEqual(['MANUAL', 'MANUAL']);
    }
  });
});

describe('two root names for one document: one field, twice', () => {
  const A = { enabled: true, weekly: 'MONDAY', daily: 'DISABLED' };
  const B = { enabled: false, weekly: 'DISABLED', daily: 'DISABLED' }; // also the default schedule
  test('the old and the new root with different values is a 400 and changes nothing; the same, one document, told', async () => {
    const id = await newServer('v2');
    const r = await call(`/v2/servers/${id}/OS-BAK/backup-schedule`, json('PUT', { 'OS-BAK:backupSchedule': A, 'RAX-BAK:backupSchedule': B }));
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain('"OS-BAK:backupSchedule" and "RAX-BAK:backupSchedule" name the same field with different values');
    // Nothing was stored: the schedule is still the default one.
    expect((await call(`/v2/servers/${id}/OS-BAK/backup-schedule`)).json()['OS-BAK:backupSchedule']).toEqual(B);
    const same = await call(`/v2/servers/${id}/OS-BAK/backup-schedule`, json('PUT', { 'OS-BAK:backupSchedule': A, 'RAX-BAK:backupSchedule': A }));
    expect([same.status, same.headers.get('deprecation') !== null]).toEqual([200, true]);
  });
});

/** The other modes on the kinds above: a route and headers only accepted, a media type refused. */
const MODES: ConfigInput = {
  builtinPromotions: false,
  versions: [{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }],
  promotions: [
    { from: 'RAX-BAK', to: 'OS-BAK', since: 'v1', namespace: ns('backup'), oldNames: 'accept' },
    { from: 'RAX-ATOM', to: 'OS-ATOM', since: 'v1', namespace: ns('atom'), oldNames: 'refuse' },
    { from: 'RAX-CBS', to: 'OS-CBS', since: 'v1', namespace: ns('cbs'), oldNames: 'refuse' },
    { from: 'RAX-DCF', to: 'OS-DCF', since: 'v1', namespace: ns('disk_config'), oldNames: 'accept' },
  ],
};

describe('accept and refuse on routes, headers and media types', () => {
  let modes: TestGateway;
  beforeAll(async () => {
    modes = await testGateway(MODES);
  });
  const get = (path: string, init: RequestInit = {}) => callOwn(modes.app, path, { ...init, schema: SCHEMA });

  test('accept: a route at the old alias answers in the new names only, in JSON and XML', async () => {
    const id = (await get('/v1/servers', json('POST', { server: { name: 'm', imageRef: IMAGE, flavorRef: FLAVOR } }))).json().server.id;
    const put = await get(`/v1/servers/${id}/RAX-BAK/backup-schedule`, json('PUT', { 'RAX-BAK:backupSchedule': { enabled: true, weekly: 'MONDAY', daily: 'DISABLED' } }));
    expect([put.status, put.headers.get('deprecation') !== null]).toEqual([200, true]);
    expect(Object.keys(put.json())).toEqual(['OS-BAK:backupSchedule']);
    const x = await get(`/v1/servers/${id}/RAX-BAK/backup-schedule`, XML);
    expect(parseXml(x.text).backupSchedule['@xmlns']).toBe(ns('backup'));
  });

  test('refuse: ext= of the old alias is a 400 naming the type to ask for', async () => {
    const r = await get('/v1/servers', { headers: { Accept: 'application/atom+xml;ext=RAX-ATOM' } });
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toBe('"ext=RAX-ATOM" is an old name that this API version no longer accepts; use "application/atom+xml;ext=OS-ATOM".');
    expect((await get('/v1/servers', { headers: { Accept: 'application/atom+xml;ext=OS-ATOM' } })).status).toBe(200);
  });

  test('refuse: an old header is a 400 on any route of the version, whether or not the route reads it', async () => {
    const id = (await get('/v1/servers', json('POST', { server: { name: 'h', imageRef: IMAGE, flavorRef: FLAVOR } }))).json().server.id;
    modes.clock.advance(2000);
    const r = await get(`/v1/servers/${id}/action`, json('POST', { reboot: { type: 'SOFT' } }, { 'RAX-CBS-Volume-Type': 'SSD' }));
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain('use "OS-CBS-Volume-Type"');
    expect((await get(`/v1/servers/${id}`)).json().server.status).toBe('ACTIVE');
    expect((await get('/v1/flavors', { headers: { 'RAX-CBS-Volume-Type': 'SSD' } })).status).toBe(400);
  });
});
