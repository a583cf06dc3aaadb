import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway, type Parsed } from './support/gateway.ts';
import { action, CORE_NS, createServer, FLAVOR, IMAGE, json, xml } from './support/compute.ts';
import { hasReference, reference } from './support/xml.ts';
import { request as httpRequest } from 'node:http';
import { listen } from '../src/server.ts';

let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

const status = async (id: string) => (await call(gw.app, `/v1/servers/${id}`)).json().server.status;

describe('flavors and images', () => {
  test('seeded flavors: list, detail, show in JSON', async () => {
    const list = (await call(gw.app, '/v1/flavors')).json().flavors;
    expect(list.map((f: Parsed) => f.name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium']);
    expect(Object.keys(list[0])).toEqual(['id', 'name', 'links']);
    const detail = (await call(gw.app, '/v1/flavors/detail')).json().flavors[0];
    expect(detail).toMatchObject({ id: FLAVOR, name: 'm1.tiny', ram: 512, disk: 1, vcpus: 1 });
    const one = await call(gw.app, `http://gw.example:8774/v1/flavors/${FLAVOR}`);
    expect(one.json().flavor.links).toEqual([
      { rel: 'self', href: `http://gw.example:8774/v1/flavors/${FLAVOR}` },
      { rel: 'bookmark', href: `http://gw.example:8774/flavors/${FLAVOR}` },
    ]);
  });

  test('seeded images in XML; a missing image is a 404 fault', async () => {
    const images = parseXml((await call(gw.app, '/v1/images/detail', XML)).text).images;
    expect(images['@xmlns']).toBe(CORE_NS);
    expect(images.image.map((i: Parsed) => i['@status'])).toEqual(['ACTIVE', 'ACTIVE']);
    const missing = await call(gw.app, '/v1/images/00000000-0000-4000-8000-000000000000', XML);
    expect(missing.status).toBe(404);
    expect(parseXml(missing.text).itemNotFound['@code']).toBe('404');
  });

  test('DELETE an image: 204, then 404', async () => {
    expect((await call(gw.app, `/v1/images/${IMAGE}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(gw.app, `/v1/images/${IMAGE}`)).status).toBe(404);
  });
});

describe('servers: create, states, update, delete', () => {
  test('create in JSON: 202 with adminPass and a Location; BUILD settles into ACTIVE on the clock', async () => {
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'web', imageRef: IMAGE, flavorRef: FLAVOR, metadata: { 'RAX-X:y': 'z' } } }));
    expect(r.status).toBe(202);
    const created = r.json().server;
    // As nova answers a create: the id, links and password, and what extensions add there.
    expect(Object.keys(created).sort()).toEqual(['RAX-DCF:diskConfig', 'OS-DCF:diskConfig', 'adminPass', 'id', 'links'].sort());
    expect(created.adminPass).toMatch(/.{8,}/);
    expect(created.links[0]).toEqual({ rel: 'self', href: `http://localhost/v1/servers/${created.id}` });
    expect(r.headers.get('location')).toBe(`http://localhost/v1/servers/${created.id}`);
    const s = (await call(gw.app, `/v1/servers/${created.id}`)).json().server;
    expect(s.status).toBe('BUILD');
    expect(s.adminPass).toBeUndefined();
    expect(s.metadata).toEqual({ 'RAX-X:y': 'z' });
    expect(s.image.id).toBe(IMAGE);
    expect(s.addresses.public[0].version).toBe(4);
    gw.clock.advance(1999);
    expect(await status(s.id)).toBe('BUILD');
    gw.clock.advance(1);
    expect(await status(s.id)).toBe('ACTIVE');
  });

  test('create in XML, image and flavor given as links', async () => {
    const body = `<server xmlns="${CORE_NS}" name="x" imageRef="http://h/images/${IMAGE}" flavorRef="http://h/flavors/${FLAVOR}"><metadata><meta key="k">v</meta></metadata></server>`;
    const r = await call(gw.app, '/v1/servers', xml('POST', body));
    expect(r.status).toBe(202);
    const created = parseXml(r.text).server;
    expect(created['@name']).toBeUndefined();
    expect(created['@adminPass']).toBeDefined();
    const s = parseXml((await call(gw.app, `/v1/servers/${created['@id']}`, XML)).text).server;
    expect(s['@name']).toBe('x');
    expect(s.metadata.meta).toMatchObject({ '@key': 'k', '#text': 'v' });
  });

  test.each([
    [{ name: 'w', imageRef: '00000000-0000-4000-8000-000000000000', flavorRef: FLAVOR }, 'imageRef'],
    [{ name: 'w', imageRef: IMAGE, flavorRef: 'nope' }, 'flavorRef'],
    [{ imageRef: IMAGE, flavorRef: FLAVOR }, 'name'],
    [{ name: '', imageRef: IMAGE, flavorRef: FLAVOR }, 'name'],
    [{ name: 'w', imageRef: IMAGE, flavorRef: FLAVOR, accessIPv4: 'x' }, 'accessIPv4'],
  ])('create with %j: 400 naming %s, nothing created', async (server, mentions) => {
    const r = await call(gw.app, '/v1/servers', json('POST', { server }));
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain(mentions);
    expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
  });

  test('PUT changes name and access addresses (200), in JSON and XML', async () => {
    const id = await createServer(gw.app);
    const j = await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'renamed', accessIPv4: '10.1.2.3' } }));
    expect(j.status).toBe(200);
    expect(j.json().server).toMatchObject({ name: 'renamed', accessIPv4: '10.1.2.3' });
    const x = await call(gw.app, `/v1/servers/${id}`, xml('PUT', `<server xmlns="${CORE_NS}" accessIPv6="::1"/>`));
    expect(x.status).toBe(200);
    expect(parseXml(x.text).server['@accessIPv6']).toBe('::1');
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server.name).toBe('renamed');
  });

  test('DELETE: 204, then 404 in both media types', async () => {
    const id = await createServer(gw.app);
    expect((await call(gw.app, `/v1/servers/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(gw.app, `/v1/servers/${id}`)).status).toBe(404);
    expect(parseXml((await call(gw.app, `/v1/servers/${id}`, XML)).text).itemNotFound['@code']).toBe('404');
  });
});

describe('actions and the state machine', () => {
  test('reboot SOFT and HARD: ACTIVE -> REBOOT / HARD_REBOOT -> ACTIVE', async () => {
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    expect((await action(gw.app, id, { reboot: { type: 'SOFT' } })).status).toBe(202);
    expect(await status(id)).toBe('REBOOT');
    gw.clock.advance(1000);
    expect(await status(id)).toBe('ACTIVE');
    const x = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<reboot xmlns="${CORE_NS}" type="HARD"/>`));
    expect(x.status).toBe(202);
    expect(await status(id)).toBe('HARD_REBOOT');
    gw.clock.advance(2000);
    expect(await status(id)).toBe('ACTIVE');
  });

  test('an action on a server that does not exist is 404 whatever it asks, an action nobody has 400 (JSON and XML)', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const body of [{ forceDelete: null }, { reboot: { type: 'SOFT' } }, { reboot: { type: 'SIDEWAYS' } }]) {
      expect((await action(gw.app, missing, body)).status).toBe(404);
    }
    const x = await call(gw.app, `/v1/servers/${missing}/action`, xml('POST', `<rebuild xmlns="${CORE_NS}"/>`, { Accept: 'application/xml' }));
    expect([x.status, Object.keys(parseXml(x.text)).at(-1)]).toEqual([404, 'itemNotFound']);
    const id = await createServer(gw.app);
    expect((await action(gw.app, id, { forceDelete: null })).status).toBe(400);
  });

  test('a transition the state does not allow: 409 conflictingRequest, nothing changes', async () => {
    const id = await createServer(gw.app);
    const r = await action(gw.app, id, { reboot: { type: 'SOFT' } });
    expect(r.status).toBe(409);
    expect(r.json().conflictingRequest.message).toContain('BUILD');
    expect(await status(id)).toBe('BUILD');
    const x = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<createImage xmlns="${CORE_NS}" name="snap"/>`));
    expect(x.status).toBe(409);
    expect(parseXml(x.text).conflictingRequest['@code']).toBe('409');
    expect((await call(gw.app, '/v1/images')).json().images).toHaveLength(2);
  });

  test('createImage: 202 with a Location; the image is SAVING, then ACTIVE', async () => {
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    const r = await action(gw.app, id, { createImage: { name: 'snap', metadata: { why: 'test' } } });
    expect(r.status).toBe(202);
    const location = r.headers.get('location')!;
    const path = new URL(location).pathname;
    const image = (await call(gw.app, path)).json().image;
    expect(image).toMatchObject({ name: 'snap', status: 'SAVING', metadata: { why: 'test' } });
    expect(image.server.id).toBe(id);
    gw.clock.advance(2000);
    expect((await call(gw.app, path)).json().image.status).toBe('ACTIVE');
  });

  test('createImage: the snapshot needs what its source image needed (minRam), and the whole root disk (minDisk)', async () => {
    const id = await createServer(gw.app, { imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6' }); // ubuntu: minRam 1024, minDisk 10
    gw.clock.advance(2000);
    const r = await action(gw.app, id, { createImage: { name: 'snap' } });
    const image = (await call(gw.app, new URL(r.headers.get('location')!).pathname)).json().image;
    expect([image.minRam, image.minDisk]).toEqual([1024, 10]); // m1.tiny has 512 MB and a 1 GB disk
  });

  test('a second createImage while the first snapshot is saving is 409 (JSON and XML), and makes no image; then it works', async () => {
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    expect((await action(gw.app, id, { createImage: { name: 'one' } })).status).toBe(202);
    const again = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<createImage xmlns="${CORE_NS}" name="two"/>`, { Accept: 'application/xml' }));
    expect(again.status).toBe(409);
    expect(parseXml(again.text).conflictingRequest.message).toContain('image_snapshot');
    expect((await action(gw.app, id, { reboot: { type: 'SOFT' } })).status).toBe(409);
    expect((await call(gw.app, '/v1/images?name=two')).json().images).toEqual([]);
    gw.clock.advance(2000);
    expect((await action(gw.app, id, { createImage: { name: 'two' } })).status).toBe(202);
  });

  test.each([
    [{}, 'exactly one action'],
    [{ reboot: { type: 'SOFT' }, createImage: { name: 'x' } }, 'exactly one action'],
    [{ explode: {} }, '"explode" is not an action'],
    [{ reboot: { type: 'GENTLE' } }, 'SOFT or HARD'],
    [{ 'RAX-NOPE:x': {} }, 'RAX-NOPE'],
  ])('action body %j: 400', async (body, mentions) => {
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    const r = await action(gw.app, id, body);
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain(mentions);
    expect(await status(id)).toBe('ACTIVE');
  });
});

describe('access addresses', () => {
  test('IPv6 is kept in its compact form (RFC 5952), as nova keeps it; an address that is not one is 400', async () => {
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'v6', imageRef: IMAGE, flavorRef: FLAVOR, accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' } }));
    const id = r.json().server.id;
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server.accessIPv6).toBe('::babe:dc0c:1602');
    const u = await call(gw.app, `/v1/servers/${id}`, xml('PUT', `<server xmlns="${CORE_NS}" accessIPv6="2001:DB8:0:0:0:0:0:1"/>`));
    expect(parseXml(u.text).server['@accessIPv6']).toBe('2001:db8::1');
    expect((await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { accessIPv6: '1:2:3' } }))).status).toBe(400);
    // A zone id names the client's own interface: 400, not a 500 from the URL parser.
    expect((await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { accessIPv6: 'fe80::1%eth0' } }))).status).toBe(400);
    expect((await call(gw.app, '/v1/servers', json('POST', { server: { name: 'z', imageRef: IMAGE, flavorRef: FLAVOR, accessIPv6: 'fe80::1%eth0' } }))).status).toBe(400);
  });
});

describe('who owns a server (noauth)', () => {
  test('tenant_id is the URL\'s tenant, else X-Auth-Project-Id, else "openstack"', async () => {
    const tenant = (await call(gw.app, `/v1/servers/${await createServer(gw.app, {}, 'v1/proj-a')}`)).json().server;
    expect(tenant.tenant_id).toBe('proj-a');
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'h', imageRef: IMAGE, flavorRef: FLAVOR } }, { 'X-Auth-Project-Id': 'proj-b' }));
    expect((await call(gw.app, `/v1/servers/${r.json().server.id}`)).json().server.tenant_id).toBe('proj-b');
    expect((await call(gw.app, `/v1/servers/${await createServer(gw.app)}`, XML)).text).toContain('tenant_id="openstack"');
  });

  test('a project that is not 1 to 255 characters without control characters is 400 (XML could not carry it), and nothing is made', async () => {
    const r = await call(gw.app, '/v1/ab%01cd/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}"/>`, { Accept: 'application/xml' }));
    expect(r.status).toBe(400);
    expect(parseXml(r.text).badRequest.message).toContain('project');
    const long = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'h', imageRef: IMAGE, flavorRef: FLAVOR } }, { 'X-Auth-Project-Id': 'p'.repeat(256) }));
    expect(long.status).toBe(400);
    expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
  });
});

describe('lists', () => {
  test('limit and marker with next links; detail has full servers; the tenant form answers the same', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createServer(gw.app, { name: `s${i}` }));
    const first = (await call(gw.app, '/v1/t1/servers?limit=2')).json();
    expect(first.servers.map((s: Parsed) => s.id)).toEqual(ids.slice(0, 2));
    expect(first.servers_links[0].href).toBe(`http://localhost/v1/t1/servers?limit=2&marker=${ids[1]}`);
    expect(first.servers[0].links[0].href).toBe(`http://localhost/v1/t1/servers/${ids[0]}`);
    const next = new URL(first.servers_links[0].href);
    const second = (await call(gw.app, next.pathname + next.search)).json();
    expect(second.servers.map((s: Parsed) => s.id)).toEqual([ids[2]]);
    expect(second.servers_links).toBeUndefined();
    expect((await call(gw.app, '/v1/servers.json?limit=1')).json().servers[0].links[0].href).toBe(`http://localhost/v1/servers/${ids[0]}`);
    expect((await call(gw.app, '/v1/t1/servers.json?limit=1')).json().servers[0].links[0].href).toBe(`http://localhost/v1/t1/servers/${ids[0]}`);
    expect((await call(gw.app, `/v1/servers/${ids[0]}.xml`)).text).toContain(`href="http://localhost/v1/servers/${ids[0]}"`);
    const detail = (await call(gw.app, '/v1/servers/detail?limit=1', XML)).text;
    expect(parseXml(detail).servers['atom:link']).toHaveLength(1);
  });

  test.each(['limit=-1', 'limit=x', 'marker=nope'])('?%s: 400', async (q) => {
    expect((await call(gw.app, `/v1/servers?${q}`)).status).toBe(400);
  });

  test('unqualified unknown parameters are ignored; qualified unknown ones are 400', async () => {
    expect((await call(gw.app, '/v1/servers/detail?all_tenants=1&sort_key=name')).status).toBe(200);
    const r = await call(gw.app, '/v1/servers?RAX-NOPE:y=1', XML);
    expect(r.status).toBe(400);
    expect(parseXml(r.text).badRequest.message).toContain('RAX-NOPE');
  });
});

describe('bad requests change nothing', () => {
  test.each([
    ['malformed JSON', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"server": ' }, 400],
    ['malformed XML', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<server' }, 400],
    ['XML with an external entity', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><server xmlns="${CORE_NS}" name="&e;" imageRef="${IMAGE}" flavorRef="${FLAVOR}"/>` }, 400],
    ['a wrong Content-Type', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' }, 415],
    ['no Content-Type', { method: 'POST', body: new Uint8Array([123, 125]) }, 415],
    ['an oversized body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'x'.repeat(1_100_000) } }) }, 413],
    ['an empty body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '' }, 400],
    ['a wrong type', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 5, imageRef: IMAGE, flavorRef: FLAVOR } }) }, 400],
    ['a foreign XML namespace', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: `<server xmlns="${CORE_NS}" xmlns:n="http://evil" name="w" imageRef="${IMAGE}" flavorRef="${FLAVOR}" n:x="1"/>` }, 400],
  ])('%s', async (_, init, code) => {
    for (const accept of ['application/json', 'application/xml']) {
      const r = await call(gw.app, '/v1/servers', { ...(init as RequestInit), headers: { ...((init as RequestInit).headers as Record<string, string>), Accept: accept } });
      expect(r.status).toBe(code);
      expect(r.headers.get('content-type')).toBe(accept);
    }
    expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
  });

  test('a wrong verb: 405 with Allow', async () => {
    const r = await call(gw.app, '/v1/servers', { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    const one = await call(gw.app, `/v1/servers/${await createServer(gw.app)}`, { method: 'POST' });
    expect(one.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
  });
});

describe.skipIf(!hasReference)('compute XML against the reference compute v2 schema', () => {
  test('servers, images, flavors and faults pass compute-api-v2-xsd10/server.xsd', async () => {
    const id = await createServer(gw.app, { metadata: { a: 'b' } });
    for (const path of ['/v1/servers', '/v1/servers/detail', `/v1/servers/${id}`, '/v1/images/detail', `/v1/images/${IMAGE}`, '/v1/flavors/detail', `/v1/flavors/${FLAVOR}`, '/v1/servers/00000000-0000-4000-8000-000000000000']) {
      const body = (await call(gw.app, path, XML)).text;
      expect((await reference.computeXsd(body)).errors, path).toEqual([]);
    }
  });
});

test('a chunked body over the limit, with no Content-Length, is a 413 (real socket)', async () => {
  const gw = await testGateway({ maxBodyBytes: 1024 });
  const server = await listen(gw.app, '127.0.0.1', 0);
  try {
    const url = new URL(server.url);
    const result = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let written = 0;
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/v1/servers', method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, written });
        req.destroy();
      });
      req.on('error', () => undefined);
      const pump = () => {
        while (written < 4096 && req.write(' '.repeat(512))) written++;
        if (written < 4096) req.once('drain', pump);
        else req.end();
      };
      pump();
      setTimeout(() => reject(new Error('no answer')), 10_000);
    });
    expect(result.status).toBe(413);
  } finally {
    await server.close(100);
  }
});
