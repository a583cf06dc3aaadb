import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from './support/gateway.ts';
import { action, CORE_NS, FLAVOR, IMAGE, json, xml } from './support/compute.ts';
import { hasReference, reference } from './support/xml.ts';
import { LISTED_V1, LISTED_V2 } from './support/shipped.ts';

/**
 * Promotion in the shipped registry (spec/promotions.json), as clients see it: RAX-DCF became
 * OS-DCF in v1 with its old names kept (both), OS-LOCK and MLTI-TAGS are core in v2 with their
 * old names refused. Every check in JSON and XML.
 */
const RAX_DCF = 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0';
const OS_DCF = 'http://docs.openstack.org/compute/ext/disk_config/api/v1.1';
const OS_LOCK = 'http://docs.openstack.org/compute/ext/lock/api/v1.1';
/** 2012-01-18T00:00:00Z, when RAX-DCF became OS-DCF. */
const DCF_PROMOTED = '@1326844800';

let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

const create = (version: string, server: Record<string, unknown>) =>
  call(gw.app, `/${version}/servers`, json('POST', { server: { name: 'p', imageRef: IMAGE, flavorRef: FLAVOR, ...server } }));

describe('v1: RAX-DCF is OS-DCF, and its old names are kept (oldNames: both)', () => {
  test('JSON: the new name creates quietly; the old one works, with Deprecation and Link to OS-DCF', async () => {
    const quiet = await create('v1', { 'OS-DCF:diskConfig': 'MANUAL' });
    expect(quiet.status).toBe(202);
    expect(quiet.headers.get('deprecation')).toBeNull();
    const old = await create('v1', { 'RAX-DCF:diskConfig': 'MANUAL' });
    expect(old.status).toBe(202);
    expect(old.headers.get('deprecation')).toBe(DCF_PROMOTED);
    expect(old.headers.get('link')).toBe('<http://localhost/v1/extensions/OS-DCF>; rel="successor-version"');
    expect(old.headers.get('sunset')).toBeNull();
    for (const r of [quiet, old]) {
      const s = (await call(gw.app, `/v1/servers/${r.json().server.id}`)).json().server;
      expect([s['OS-DCF:diskConfig'], s['RAX-DCF:diskConfig']]).toEqual(['MANUAL', 'MANUAL']);
    }
    expect(gw.oldNames.counts()).toEqual([{ alias: 'RAX-DCF', name: 'RAX-DCF:diskConfig', count: 1 }]);
  });

  test('XML: the old namespace is read as the old name; responses carry both attributes, each in its namespace', async () => {
    const body = `<server xmlns="${CORE_NS}" xmlns:d="${RAX_DCF}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" d:diskConfig="MANUAL"/>`;
    const r = await call(gw.app, '/v1/servers', xml('POST', body));
    expect(r.status).toBe(202);
    expect(r.headers.get('deprecation')).toBe(DCF_PROMOTED);
    const s = parseXml(r.text).server;
    expect([s['@xmlns:OS-DCF'], s['@xmlns:RAX-DCF']]).toEqual([OS_DCF, RAX_DCF]);
    expect([s['@OS-DCF:diskConfig'], s['@RAX-DCF:diskConfig']]).toEqual(['MANUAL', 'MANUAL']);
    if (hasReference) expect((await reference.computeXsd(r.text)).errors).toEqual([]);
    const quiet = `<server xmlns="${CORE_NS}" xmlns:n="${OS_DCF}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" n:diskConfig="AUTO"/>`;
    expect((await call(gw.app, '/v1/servers', xml('POST', quiet))).headers.get('deprecation')).toBeNull();
  });

  test.each([
    ['JSON', () => create('v1', { 'OS-DCF:diskConfig': 'MANUAL', 'RAX-DCF:diskConfig': 'AUTO' })],
    ['XML', () => call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" xmlns:o="${OS_DCF}" xmlns:r="${RAX_DCF}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" o:diskConfig="MANUAL" r:diskConfig="AUTO"/>`))],
  ])('%s: both spellings with different values is a 400, and nothing is created', async (_, send) => {
    const r = await send();
    expect(r.status).toBe(400);
    expect(r.text).toContain('name the same field with different values');
    expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
  });

  test('both spellings with the same value are one field', async () => {
    const r = await create('v1', { 'OS-DCF:diskConfig': 'MANUAL', 'RAX-DCF:diskConfig': 'MANUAL' });
    expect(r.status).toBe(202);
    expect(r.json().server['OS-DCF:diskConfig']).toBe('MANUAL');
  });

  test('discovery lists both; the old entry links its successor, the new one its predecessor; both documents answer', async () => {
    const list = (await call(gw.app, '/v1/extensions')).json().extensions;
    expect(list.map((e: { alias: string }) => e.alias)).toEqual(LISTED_V1);
    const old = list.find((e: { alias: string }) => e.alias === 'RAX-DCF');
    const now = list.find((e: { alias: string }) => e.alias === 'OS-DCF');
    expect(Object.keys(old).sort()).toEqual(['alias', 'description', 'links', 'name', 'namespace', 'updated']);
    expect([old.namespace, now.namespace]).toEqual([RAX_DCF, OS_DCF]);
    expect([old.updated, now.updated]).toEqual(['2011-09-27T00:00:00', '2012-01-18T00:00:00Z']);
    expect(old.links.at(-1)).toEqual({ rel: 'successor-version', href: '/v1/extensions/OS-DCF' });
    expect(now.links.at(-1)).toEqual({ rel: 'predecessor-version', href: '/v1/extensions/RAX-DCF' });
    for (const alias of ['RAX-DCF', 'OS-DCF']) {
      expect((await call(gw.app, `/v1/extensions/${alias}`)).json().extension.alias).toBe(alias);
      const x = (await call(gw.app, `/v1/extensions/${alias}`, XML)).text;
      expect(parseXml(x).extension[0]['@alias']).toBe(alias);
      if (hasReference) for (const check of [reference.extensionsXsd, reference.extensionRng]) expect((await check(x)).errors).toEqual([]);
    }
    if (hasReference) expect((await reference.extensionsRng((await call(gw.app, '/v1/extensions', XML)).text)).errors).toEqual([]);
  });

  test('an image made from a server keeps its disk configuration under both names', async () => {
    const id = (await create('v1', { 'OS-DCF:diskConfig': 'MANUAL' })).json().server.id;
    gw.clock.advance(2000);
    const r = await action(gw.app, id, { createImage: { name: 'snap' } });
    const image = (await call(gw.app, new URL(r.headers.get('location')!).pathname)).json().image;
    expect([image['OS-DCF:diskConfig'], image['RAX-DCF:diskConfig']]).toEqual(['MANUAL', 'MANUAL']);
  });

  test('each use is counted per old name; logged once a minute per name, not per request', async () => {
    for (let i = 0; i < 3; i++) await create('v1', { 'RAX-DCF:diskConfig': 'AUTO' });
    expect(gw.oldNames.counts()).toEqual([{ alias: 'RAX-DCF', name: 'RAX-DCF:diskConfig', count: 3 }]);
    const logged = gw.logged.filter((m) => m.startsWith('old name'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('old name RAX-DCF:diskConfig used (RAX-DCF is now OS-DCF; spec/promotions.json promotions[0])');
    gw.clock.advance(60_000);
    await create('v1', { 'RAX-DCF:diskConfig': 'AUTO' });
    const later = gw.logged.filter((m) => m.startsWith('old name'));
    expect(later).toHaveLength(2);
    expect(later[1]).toContain('4 uses so far');
  });
});

describe('v2: OS-LOCK and MLTI-TAGS are core; their old names are refused (oldNames: refuse)', () => {
  test('servers carry "locked" and "tags", unprefixed; the old names are gone', async () => {
    const r = await create('v2', { tags: ['web', 'prod'] });
    expect(r.status).toBe(202);
    const s = (await call(gw.app, `/v2/servers/${r.json().server.id}`)).json().server;
    expect([s.locked, s.tags]).toEqual([false, ['web', 'prod']]);
    expect(Object.keys(s).filter((k) => k.startsWith('OS-LOCK') || k.startsWith('MLTI-TAGS'))).toEqual([]);
    // v1 is unchanged: the same server, in its old names.
    const v1 = (await call(gw.app, `/v1/servers/${r.json().server.id}`)).json().server;
    expect([v1['OS-LOCK:locked'], v1['MLTI-TAGS:tags'], v1.locked, v1.tags]).toEqual([false, ['web', 'prod'], undefined, undefined]);
  });

  test('lock and unlock by their bare names, in JSON and XML; a locked server refuses changes', async () => {
    const id = (await create('v2', {})).json().server.id;
    gw.clock.advance(2000);
    expect((await call(gw.app, `/v2/servers/${id}/action`, json('POST', { lock: null }))).status).toBe(202);
    expect((await call(gw.app, `/v2/servers/${id}`)).json().server.locked).toBe(true);
    const reboot = await call(gw.app, `/v2/servers/${id}/action`, json('POST', { reboot: { type: 'SOFT' } }));
    expect(reboot.status).toBe(409);
    expect((await call(gw.app, `/v2/servers/${id}/action`, xml('POST', `<unlock xmlns="${CORE_NS}"/>`))).status).toBe(202);
    const x = await call(gw.app, `/v2/servers/${id}`, XML);
    expect(parseXml(x.text).server['@locked']).toBe('false');
  });

  test.each([
    ['a JSON action', (id: string) => call(gw.app, `/v2/servers/${id}/action`, json('POST', { 'OS-LOCK:lock': null })), '"OS-LOCK:lock" is an old name that this API version no longer accepts; use "lock".'],
    ['an XML action', (id: string) => call(gw.app, `/v2/servers/${id}/action`, xml('POST', `<lock xmlns="${OS_LOCK}"/>`)), 'use "lock" in the core namespace'],
    ['a field', () => create('v2', { 'MLTI-TAGS:tags': ['web'] }), 'use "tags"'],
    ['a query parameter', () => call(gw.app, '/v2/servers?MLTI-TAGS:tag=web'), '"MLTI-TAGS:tag" is an old name that this API version no longer accepts; use "tags".'],
  ])('the old name in %s is a 400 naming the new one, and changes nothing', async (_, send, message) => {
    const id = (await create('v2', {})).json().server.id;
    gw.clock.advance(2000);
    const r = await send(id);
    expect(r.status).toBe(400);
    const fault = r.headers.get('content-type') === 'application/xml' ? parseXml(r.text).badRequest.message : r.json().badRequest.message;
    expect(fault).toContain(message);
    expect((await call(gw.app, `/v2/servers/${id}`)).json().server.locked).toBe(false);
    expect((await call(gw.app, '/v2/servers')).json().servers).toHaveLength(1);
  });

  test('GET /v2/servers?tags= filters, in both list forms; v1 keeps ?MLTI-TAGS:tag=', async () => {
    const web = (await create('v2', { tags: ['web'] })).json().server.id;
    await create('v2', { tags: ['db'] });
    for (const path of ['/v2/servers?tags=web', '/v2/servers/detail?tags=web', '/v1/servers?MLTI-TAGS:tag=web']) {
      expect((await call(gw.app, path)).json().servers.map((s: { id: string }) => s.id)).toEqual([web]);
    }
  });

  test('XML: <tags> and locked are core names, in the core namespace, before the links (valid against compute-v2.xsd)', async () => {
    const body = `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}"><tags><tag>web</tag></tags></server>`;
    const r = await call(gw.app, '/v2/servers', xml('POST', body));
    expect(r.status).toBe(202);
    const id = parseXml(r.text).server['@id'];
    const shown = await call(gw.app, `/v2/servers/${id}`, XML);
    const s = parseXml(shown.text).server;
    expect([s['@locked'], s.tags.tag]).toEqual(['false', 'web']);
    expect(shown.text.indexOf('<tags>')).toBeLessThan(shown.text.indexOf('<atom:link rel="self"'));
  });

  test('discovery in v2 does not list them; asking for them says where they went', async () => {
    expect((await call(gw.app, '/v2/extensions')).json().extensions.map((e: { alias: string }) => e.alias)).toEqual(LISTED_V2);
    const r = await call(gw.app, '/v2/extensions/OS-LOCK');
    expect(r.status).toBe(404);
    expect(r.json().itemNotFound.message).toBe('"OS-LOCK" was promoted into the core of API version v2, which no longer accepts its old names.');
    expect((await call(gw.app, '/v1/extensions/OS-LOCK')).status).toBe(200);
  });

  test('RAX-DCF keeps its v1 lineage in v2: OS-DCF, old names both', async () => {
    const r = await create('v2', { 'RAX-DCF:diskConfig': 'MANUAL' });
    expect(r.headers.get('link')).toBe('<http://localhost/v2/extensions/OS-DCF>; rel="successor-version"');
    expect(r.json().server['OS-DCF:diskConfig']).toBe('MANUAL');
  });
});
