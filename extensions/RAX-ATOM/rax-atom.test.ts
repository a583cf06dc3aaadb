import { beforeAll, expect, test } from 'vitest';
import { call, testGateway, type TestGateway, type Parsed } from '../../test/support/gateway.ts';
import { createServer, IMAGE } from '../../test/support/compute.ts';
import { hasReference, REFERENCE } from '../../test/support/xml.ts';
import { validateXML } from 'xmllint-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const ATOM = { headers: { Accept: 'application/atom+xml' } };
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'entry' || n === 'link' }).parse(xml);
const atomRng = async (xml: string) => {
  const r = await validateXML({ xml: [{ fileName: 'feed.xml', contents: xml }], schema: [{ fileName: 'atom.rng', contents: readFileSync(join(REFERENCE, 'nova-rng-2014.1/atom.rng'), 'utf8') }], extension: 'relaxng' });
  return r.errors.map((e) => e.message);
};

let gw: TestGateway;
let id: string;
beforeAll(async () => {
  gw = await testGateway({ extensions: { paths: ['test/fixtures/atom'] } });
  id = await createServer(gw.app, { name: 'atom-server' });
  await createServer(gw.app, { name: 'second' });
});

test('server lists are feeds, servers entries; the content is the XML representation', async () => {
  const r = await call(gw.app, '/v1/servers/detail', ATOM);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/atom+xml');
  const feed = parse(r.text).feed;
  expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  expect(feed.entry.map((e: Parsed) => e.title['#text'])).toEqual(['atom-server', 'second']);
  expect(feed.entry[0].id).toBe(`urn:uuid:${id}`);
  expect(feed.entry[0].content.server['@name']).toBe('atom-server');
  const one = parse((await call(gw.app, `/v1/servers/${id}`, ATOM)).text).entry[0];
  expect(one.link.map((l: Parsed) => l['@rel'])).toEqual(['self', 'bookmark']);
});

test('image entries, and a next link on a paged feed', async () => {
  expect(parse((await call(gw.app, `/v1/images/${IMAGE}`, ATOM)).text).entry[0].title['#text']).toBe('cirros-0.6.2');
  const paged = parse((await call(gw.app, '/v1/servers?limit=1', ATOM)).text).feed;
  expect(paged.link[0]['@rel']).toBe('next');
});

test(';ext= picks the extension; without it the first in load order answers', async () => {
  const title = async (accept: string) => parse((await call(gw.app, '/v1/servers', { headers: { Accept: accept } })).text).feed.title['#text'];
  expect(await title('application/atom+xml')).toBe('servers');
  expect(await title('application/atom+xml;ext=RAX-ATOM')).toBe('servers');
  expect(await title('application/atom+xml;ext=RAX-FEED')).toBe('RAX-FEED servers');
  expect((await call(gw.app, '/v1/images', { headers: { Accept: 'application/atom+xml;ext=RAX-FEED' } })).status).toBe(406);
  expect((await call(gw.app, '/v1/servers', { headers: { Accept: 'application/atom+xml;ext=RAX-NOPE' } })).status).toBe(406);
});

test('Atom is offered where an extension adds it, not elsewhere', async () => {
  expect((await call(gw.app, '/v1/flavors', ATOM)).status).toBe(406);
  expect((await call(gw.app, '/v1/extensions', ATOM)).status).toBe(406);
});

test.skipIf(!hasReference)('feeds and entries are valid against nova\'s atom.rng (RFC 4287)', async () => {
  for (const path of ['/v1/servers', '/v1/servers/detail', `/v1/servers/${id}`, '/v1/images/detail', `/v1/images/${IMAGE}`, '/v1/servers?limit=1']) {
    expect(await atomRng((await call(gw.app, path, ATOM)).text), path).toEqual([]);
  }
});
