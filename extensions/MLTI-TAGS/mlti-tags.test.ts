import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway, type Parsed } from '../../test/support/gateway.ts';
import { CORE_NS, createServer, FLAVOR, IMAGE, json, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.openstack.org/compute/ext/multi-vendor/tags/v1.0';
let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

test('tags set on create and update, in JSON and XML; a list of strings / of tag elements', async () => {
  const id = await createServer(gw.app, { 'MLTI-TAGS:tags': ['web', 'prod'] });
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server['MLTI-TAGS:tags']).toEqual(['web', 'prod']);
  const body = `<server xmlns="${CORE_NS}" xmlns:t="${NS}"><t:tags><t:tag>db</t:tag></t:tags></server>`;
  const r = await call(gw.app, `/v1/servers/${id}`, xml('PUT', body));
  expect(r.status).toBe(200);
  expect(parseXml(r.text).server['MLTI-TAGS:tags']['MLTI-TAGS:tag']).toBe('db');
});

test('?MLTI-TAGS:tag= filters the list; several tags, comma-separated, must all be there', async () => {
  const a = await createServer(gw.app, { 'MLTI-TAGS:tags': ['web', 'prod'] });
  const b = await createServer(gw.app, { 'MLTI-TAGS:tags': ['web'] });
  await createServer(gw.app, { 'MLTI-TAGS:tags': ['db'] });
  const ids = async (path: string) => (await call(gw.app, path)).json().servers.map((s: Parsed) => s.id);
  expect(await ids('/v1/servers?MLTI-TAGS:tag=web')).toEqual([a, b]);
  expect(await ids('/v1/servers?MLTI-TAGS:tag=web,prod')).toEqual([a]);
  expect(await ids('/v2/servers?tags=prod,web')).toEqual([a]);
  expect(parseXml((await call(gw.app, '/v1/servers?MLTI-TAGS:tag=none', XML)).text).servers.server).toBeUndefined();
  expect((await call(gw.app, '/v1/servers?MLTI-TAGS:tag=web,')).status).toBe(400);
});

test('bad tags: 400, nothing created', async () => {
  const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'x', imageRef: IMAGE, flavorRef: FLAVOR, 'MLTI-TAGS:tags': ['a,b'] } }));
  expect(r.status).toBe(400);
  expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
});

test('?MLTI-TAGS:tag= is a condition of the store\'s query: it reads the servers holding the tags, not the others', async () => {
  const tagged = [await createServer(gw.app, { 'MLTI-TAGS:tags': ['rare', 'web'] }), await createServer(gw.app, { 'MLTI-TAGS:tags': ['web', 'rare'] })];
  for (let i = 0; i < 10; i++) await createServer(gw.app, { 'MLTI-TAGS:tags': i % 2 === 0 ? ['web'] : [] });
  // What the real store read for the list: the documents it gave the gateway's own test.
  const list = gw.store.list.bind(gw.store);
  let read = 0;
  gw.store.list = (kind, opts = {}) =>
    list(kind, {
      ...opts,
      where: (doc) => {
        read++;
        return opts.where === undefined || opts.where(doc);
      },
    });
  const ids = async (path: string) => {
    read = 0;
    const servers = (await call(gw.app, path)).json().servers.map((s: Parsed) => s.id);
    return { servers, read };
  };
  expect(await ids('/v1/servers?MLTI-TAGS:tag=rare')).toEqual({ servers: tagged, read: 2 });
  expect(await ids('/v1/servers/detail?MLTI-TAGS:tag=web,rare')).toEqual({ servers: tagged, read: 2 });
  expect(await ids('/v2/servers?tags=rare')).toEqual({ servers: tagged, read: 2 });
  expect(await ids('/v1/servers?MLTI-TAGS:tag=nowhere')).toEqual({ servers: [], read: 0 });
  expect((await ids('/v1/servers?MLTI-TAGS:tag=web')).read).toBe(7);
});
