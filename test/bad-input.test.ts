import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, XML, type Reply, type TestGateway } from './support/gateway.ts';
import { CORE_NS, FLAVOR, gatewayWithServer, IMAGE, json, xml } from './support/compute.ts';

/**
 * What a client can send wrong never gets past the gateway's edge: a 400 fault in the media type
 * the client negotiated, and nothing changed. (Found by a probe of 10,000 generated bad requests:
 * these gave 500s, or were taken.)
 */
const BAK = 'http://docs.rackspace.com/servers/api/ext/backup/v1.0';
let gw: TestGateway;
let id: string;
beforeEach(async () => {
  ({ gw, id } = await gatewayWithServer());
});

/** The fault's message, whichever media type it came in. */
const faultOf = (r: Reply): string => {
  expect(r.status).toBe(400);
  if (r.headers.get('content-type') === 'application/xml') return parseXml(r.text).badRequest.message;
  return r.json().badRequest.message;
};
const servers = async () => (await call(gw.app, '/v1/servers/detail')).json().servers;
const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nestedObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('nesting deeper than any request needs', () => {
  test.each([101, 1000])('XML %i elements deep on create: 400 in XML, nothing created', async (n) => {
    const r = await call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}">${'<a>'.repeat(n)}${'</a>'.repeat(n)}</server>`));
    expect(r.headers.get('content-type')).toBe('application/xml');
    expect(faultOf(r)).toBe('The XML request body is nested deeper than 32 elements.');
    expect(await servers()).toHaveLength(1);
  });

  test.each([
    ['PUT /v1/servers/{id}', (body: string) => call(gw.app, `/v1/servers/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: `{"server": {"name": "deep", "x": ${body}}}` })],
    ['PUT .../RAX-BAK/backup-schedule', (body: string) => call(gw.app, `/v1/servers/${id}/RAX-BAK/backup-schedule`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: `{"RAX-BAK:backupSchedule": ${body}}` })],
    ['PATCH /v1/images/RAX-PATCH/{id}', (body: string) => call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: `{"name": "deep", "x": ${body}}` })],
  ])('JSON 1,000 and 50,000 levels deep on %s: 400, nothing changed', async (_, send) => {
    for (const body of [nested(1000), nested(50_000), nestedObject(1000), nestedObject(50_000)]) {
      expect(faultOf(await send(body))).toBe('The JSON request body is nested deeper than 32 levels.');
    }
    expect((await servers())[0].name).toBe('web');
    expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image.name).toBe('cirros-0.6.2');
  });
});

describe('names that would reach an object\'s prototype', () => {
  test.each(['__proto__', 'constructor', 'prototype'])('%s as an XML attribute or element, or a JSON key: 400, nothing created', async (name) => {
    const sends = [
      call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" ${name}="1"/>`)),
      call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}"><${name}/></server>`)),
      call(gw.app, '/v1/servers', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"server": {"name": "x", "imageRef": "${IMAGE}", "flavorRef": "${FLAVOR}", "${name}": {"polluted": true}}}` }),
      call(gw.app, `/v1/servers/${id}/RAX-BAK/backup-schedule`, xml('PUT', `<backupSchedule xmlns="${BAK}" enabled="true" weekly="MONDAY" daily="DISABLED" ${name}="x"/>`)),
    ];
    for (const r of await Promise.all(sends)) expect(faultOf(r)).toContain(`"${name}" is not a field of`);
    expect(await servers()).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a metadata key is user data: __proto__ and constructor are stored and returned through JSON, XML and RAX-PATCH alike', async () => {
    const viaJson = (await call(gw.app, '/v1/servers', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'j', imageRef: IMAGE, flavorRef: FLAVOR, metadata: JSON.parse('{"__proto__": "a", "constructor": "b"}') } }) })).json().server.id;
    const viaXml = parseXml((await call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}"><metadata><meta key="__proto__">a</meta><meta key="constructor">b</meta></metadata></server>`))).text).server['@id'];
    for (const server of [viaJson, viaXml]) {
      const j = JSON.parse((await call(gw.app, `/v1/servers/${server}`)).text).server.metadata;
      expect(Object.entries(j)).toEqual(Object.entries(JSON.parse('{"__proto__": "a", "constructor": "b"}')));
      const x = (await call(gw.app, `/v1/servers/${server}`, XML)).text;
      expect(x).toContain('<meta key="__proto__">a</meta><meta key="constructor">b</meta>');
    }
    const patched = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"metadata": {"__proto__": "p"}}' });
    expect(Object.keys(JSON.parse(patched.text).image.metadata)).toEqual(['os_distro', '__proto__']);
    const xmlPatch = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, xml('PATCH', `<image xmlns="${CORE_NS}"><metadata><meta key="constructor">c</meta></metadata></image>`));
    expect(xmlPatch.text).toContain('<meta key="__proto__">p</meta><meta key="constructor">c</meta>');
  });
});

describe('XML is read as XML', () => {
  const create = (name: string) => call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="${name}" imageRef="${IMAGE}" flavorRef="${FLAVOR}"/>`));

  test('character references and the predefined entities are decoded', async () => {
    const r = await create('a&#65;&#x42;&amp;&lt;&gt;&quot;&apos;&#10;&#x1F600;');
    expect(r.status).toBe(202);
    const name = (await call(gw.app, `/v1/servers/${parseXml(r.text).server['@id']}`)).json().server.name;
    expect(name).toBe('aAB&<>"\'\n\u{1F600}');
  });

  test.each([
    ['an undeclared entity', 'a&foo;', 'undefined entity'],
    ['a reference to U+0000', 'a&#0;', 'not well-formed'],
    ['a reference past U+10FFFF', 'a&#x110000;', 'not well-formed'],
    ['a reference to U+FFFE', 'a&#xFFFE;', 'not well-formed'],
  ])('%s is a 400, nothing created', async (_, name, mentions) => {
    expect(faultOf(await create(name))).toContain(mentions);
    expect(await servers()).toHaveLength(1);
  });

  test('a newline and a return written by the gateway in XML read back as themselves, in an attribute and in text', async () => {
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'two\nlines\r\n', imageRef: IMAGE, flavorRef: FLAVOR, metadata: { note: 'a\r\nb\rc' } } }));
    const written = (await call(gw.app, `/v1/servers/${r.json().server.id}`, XML)).text;
    expect(written).toContain('name="two&#10;lines&#13;&#10;"');
    expect(written).toContain('<meta key="note">a&#13;\nb&#13;c</meta>');
    // The name and metadata exactly as the gateway wrote them, sent back in a new server.
    const name = /name="[^"]*"/.exec(written)![0];
    const metadata = /<metadata>.*?<\/metadata>/s.exec(written)![0];
    const again = await call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" ${name} imageRef="${IMAGE}" flavorRef="${FLAVOR}">${metadata}</server>`));
    const back = (await call(gw.app, `/v1/servers/${parseXml(again.text).server['@id']}`)).json().server;
    expect([back.name, back.metadata.note]).toEqual(['two\nlines\r\n', 'a\r\nb\rc']);
  });

  test('a JSON string XML cannot carry is a 400 naming the character: both media types store the same strings', async () => {
    for (const [name, code] of [['bell\u0007', 'U+0007'], ['half \ud800', 'U+D800'], ['\uffff', 'U+FFFF']]) {
      const r = await call(gw.app, '/v1/servers', json('POST', { server: { name, imageRef: IMAGE, flavorRef: FLAVOR } }));
      expect(faultOf(r)).toContain(`"name" holds a character that XML cannot carry (${code})`);
    }
    expect(faultOf(await call(gw.app, '/v1/servers', json('POST', { server: { name: 'm', imageRef: IMAGE, flavorRef: FLAVOR, metadata: { 'k\u0001': 'v' } } })))).toContain('U+0001');
    expect(await servers()).toHaveLength(1);
  });

  test('malformed XML on PATCH /v1/images/RAX-PATCH/{id} is a 400', async () => {
    const r = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, xml('PATCH', `<image xmlns="${CORE_NS}" name="x"`));
    expect(faultOf(r)).toContain('not well-formed XML');
  });
});

describe('a query parameter of an extension that is not loaded, on every route', () => {
  test.each([
    ['GET', '/v1/servers/{id}'],
    ['PUT', '/v1/servers/{id}'],
    ['POST', '/v1/servers/{id}/action'],
    ['GET', '/v1/servers/{id}/RAX-BAK/backup-schedule'],
    ['GET', `/v1/images/${IMAGE}`],
    ['GET', '/v1/flavors/detail'],
    ['GET', '/v2/servers'],
  ])('%s %s?RAX-NOPE:y=1: 400 naming it, nothing changed', async (method, path) => {
    const body = method === 'PUT' ? json('PUT', { server: { name: 'renamed' } }) : method === 'POST' ? json('POST', { reboot: { type: 'HARD' } }) : { method };
    const r = await call(gw.app, `${path.replace('{id}', id)}?RAX-NOPE:y=1`, body);
    expect(faultOf(r)).toBe('The query parameter "RAX-NOPE:y" names the extension RAX-NOPE, which is not loaded here.');
    expect((await servers())[0]).toMatchObject({ name: 'web', status: 'ACTIVE' });
  });

  test('a loaded extension\'s parameter where it does not apply is left alone, as unqualified unknown ones are', async () => {
    expect((await call(gw.app, `/v1/servers/${id}?RAX-PIE:img=${IMAGE}&sort_key=name`)).status).toBe(200);
  });
});

describe('the media types the version document advertises', () => {
  test.each([
    ['v1', 'application/vnd.openstack.compute+json;version=1'],
    ['v2', 'application/vnd.openstack.compute+json;version=2'],
    ['v1', 'application/vnd.openstack.compute+xml;version=1'],
  ])('%s: %s in Accept and Content-Type', async (v, type) => {
    const advertised = (await call(gw.app, `/${v}`)).json().version['media-types'].map((m: { type: string }) => m.type);
    expect(advertised).toContain(type);
    const body = type.includes('json')
      ? JSON.stringify({ server: { name: 'vendor', imageRef: IMAGE, flavorRef: FLAVOR } })
      : `<server xmlns="${CORE_NS}" name="vendor" imageRef="${IMAGE}" flavorRef="${FLAVOR}"/>`;
    const r = await call(gw.app, `/${v}/servers`, { method: 'POST', headers: { 'Content-Type': type, Accept: type }, body });
    expect(r.status).toBe(202);
    expect(r.headers.get('content-type')).toBe(type);
    for (const path of [`/${v}`, `/${v}/extensions`, `/${v}/servers/detail`]) {
      const got = await call(gw.app, path, { headers: { Accept: type } });
      expect([path, got.status, got.headers.get('content-type')]).toEqual([path, 200, type]);
    }
  });
});

describe('what the probe found taken', () => {
  test('a null where a value must be is a 400: a name is not emptied', async () => {
    expect(faultOf(await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { name: null } })))).toBe('"name" must not be null.');
    expect((await servers())[0].name).toBe('web');
  });

  test.each([
    ['300 pairs', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v']))],
    ['a key of 1,000 characters', { ['k'.repeat(1000)]: 'v' }],
    ['a value of 5,000 characters', { k: 'v'.repeat(5000) }],
    ['an empty key', { '': 'v' }],
  ])('RAX-PATCH keeps the core\'s metadata limits: %s is a 400, nothing changed', async (_, metadata) => {
    const r = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, json('PATCH', { metadata }));
    expect(faultOf(r)).toMatch(/^The patched "metadata" /);
    expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image.metadata).toEqual({ os_distro: 'cirros' });
  });

  test('a second root document named by an extension is refused, as the same name inside the document is', async () => {
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: 'a', imageRef: IMAGE, flavorRef: FLAVOR }, 'OS-DCF:nope': 1 }));
    expect(faultOf(r)).toBe('"OS-DCF:nope" is not a document this request takes; it takes "server".');
    expect(await servers()).toHaveLength(1);
  });
});
