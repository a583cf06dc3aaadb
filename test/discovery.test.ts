import { beforeAll, describe, expect, test } from 'vitest';
import { accept, call, parseXml, testGateway, XML, type TestGateway, type Parsed } from './support/gateway.ts';
import { hasReference, reference } from './support/xml.ts';
import { LISTED_V1 } from './support/shipped.ts';


let gw: TestGateway;
beforeAll(async () => {
  gw = await testGateway();
});

describe('GET /v1/extensions in JSON', () => {
  test('lists every loaded extension, sorted by alias, each item exactly the six keys', async () => {
    const r = await call(gw.app, '/v1/extensions');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = r.json();
    expect(Object.keys(body)).toEqual(['extensions']);
    expect(body.extensions.map((e: Parsed) => e.alias)).toEqual(LISTED_V1);
    for (const e of body.extensions) {
      expect(Object.keys(e)).toEqual(['name', 'namespace', 'alias', 'updated', 'description', 'links']);
      expect(e.links.some((l: Parsed) => l.rel === 'describedby' && l.type === 'application/pdf')).toBe(true);
    }
  });

  test('carries the spec example metadata of RAX-BAK verbatim (example 3.4)', async () => {
    const r = await call(gw.app, '/v1/extensions/RAX-BAK');
    expect(r.json()).toEqual({
      extension: {
        name: 'Backup Schedule Extension',
        namespace: 'http://docs.rackspace.com/servers/api/ext/backup/v1.0',
        alias: 'RAX-BAK',
        updated: '2011-09-12T10:40:00-04:00',
        description: 'Allows the schedule of periodic (daily and weekly) images from a server.',
        links: [
          { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-backup.pdf' },
          { rel: 'describedby', type: 'application/xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-backup/rax-backup.wadl' },
        ],
      },
    });
  });

  test('the item in the show document equals the item in the list', async () => {
    const list = (await call(gw.app, '/v1/extensions')).json().extensions;
    for (const item of list) {
      const shown = (await call(gw.app, `/v1/extensions/${item.alias}`)).json();
      expect(shown).toEqual({ extension: item });
    }
  });
});

describe('GET /v1/extensions in XML', () => {
  test('list: common namespace, attributes, <description>, atom:link children', async () => {
    const r = await call(gw.app, '/v1/extensions', XML);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/xml');
    const doc = parseXml(r.text).extensions;
    expect(doc['@xmlns']).toBe('http://docs.openstack.org/common/api/v1.0');
    expect(doc['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(doc.extension.map((e: Parsed) => e['@alias'])).toEqual(LISTED_V1);
    const bak = doc.extension.find((e: Parsed) => e['@alias'] === 'RAX-BAK');
    expect(bak['@name']).toBe('Backup Schedule Extension');
    expect(bak['@updated']).toBe('2011-09-12T10:40:00-04:00');
    expect(bak.description).toBe('Allows the schedule of periodic (daily and weekly) images from a server.');
    expect(bak['atom:link'][0]).toEqual({ '@rel': 'describedby', '@type': 'application/pdf', '@href': 'http://docs.rackspacecloud.com/servers/api/ext/rax-backup.pdf' });
  });

  test('show: one <extension> root with the same facts as JSON', async () => {
    const x = parseXml((await call(gw.app, '/v1/extensions/RAX-DCF', XML)).text).extension[0];
    const j = (await call(gw.app, '/v1/extensions/RAX-DCF')).json().extension;
    expect(x['@name']).toBe(j.name);
    expect(x['@namespace']).toBe(j.namespace);
    expect(x['@updated']).toBe(j.updated);
    expect(x.description).toBe(j.description);
    expect(x['atom:link'].map((l: Parsed) => l['@href'])).toEqual(j.links.map((l: Parsed) => l.href));
  });

  test('escapes what XML must escape', async () => {
    const { app } = await testGateway({ extensions: { builtin: false, paths: ['test/fixtures/escaping'] } });
    const r = await call(app, '/v1/extensions/RAX-ESC', XML);
    expect(r.status).toBe(200);
    expect(parseXml(r.text).extension[0]['@name']).toBe('Fish & "Chips" <Extension>');
  });
});

describe.skipIf(!hasReference)('discovery XML against the published OpenStack schemas', () => {
  test('list: strict compute XSD, nova RelaxNG, keystone XSD', async () => {
    const xml = (await call(gw.app, '/v1/extensions', XML)).text;
    for (const check of [reference.extensionsXsd, reference.extensionsRng, reference.keystoneXsd]) {
      expect((await check(xml)).errors).toEqual([]);
    }
  });

  test('show: strict compute XSD, nova RelaxNG, keystone XSD', async () => {
    for (const alias of LISTED_V1) {
      const xml = (await call(gw.app, `/v1/extensions/${alias}`, XML)).text;
      for (const check of [reference.extensionsXsd, reference.extensionRng, reference.keystoneXsd]) {
        expect((await check(xml)).errors).toEqual([]);
      }
    }
  });

  test('a paged list with its next link passes the compute XSD', async () => {
    const xml = (await call(gw.app, '/v1/extensions?limit=1', XML)).text;
    expect((await reference.extensionsXsd(xml)).errors).toEqual([]);
  });

  test('itemNotFound passes the compute faults.xsd', async () => {
    const xml = (await call(gw.app, '/v1/extensions/RAX-NOPE', XML)).text;
    expect((await reference.faultsXsd(xml)).errors).toEqual([]);
  });
});

describe('negotiation', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['/v1/extensions', {}, 'application/json'],
    ['/v1/extensions', { Accept: '*/*' }, 'application/json'],
    ['/v1/extensions', { Accept: 'application/*' }, 'application/json'],
    ['/v1/extensions', { Accept: 'application/json' }, 'application/json'],
    ['/v1/extensions', { Accept: 'application/xml' }, 'application/xml'],
    ['/v1/extensions', { Accept: 'application/xml;q=0.9, application/json;q=0.5' }, 'application/xml'],
    ['/v1/extensions', { Accept: 'application/xml;q=0.4, application/json;q=0.5' }, 'application/json'],
    ['/v1/extensions', { Accept: 'text/html, application/xml;q=0.1' }, 'application/xml'],
    ['/v1/extensions.json', { Accept: 'application/xml' }, 'application/json'],
    ['/v1/extensions.xml', { Accept: 'application/json' }, 'application/xml'],
    ['/v1/extensions.xml', { Accept: 'text/html' }, 'application/xml'],
    ['/v1/extensions/RAX-BAK.xml', {}, 'application/xml'],
    ['/v1/extensions/RAX-BAK.json', { Accept: 'application/xml' }, 'application/json'],
  ];
  test.each(cases)('%s with %j gives %s', async (path, headers, type) => {
    const r = await call(gw.app, path, { headers });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(type);
    expect(r.headers.get('vary')).toBe('Accept');
  });

  test.each(['text/html', 'application/atom+xml', 'image/png, text/plain;q=0.5', 'application/json;q=0'])(
    'Accept %s gets a 406 notAcceptable fault in JSON',
    async (type) => {
      const r = await call(gw.app, '/v1/extensions', accept(type));
      expect(r.status).toBe(406);
      expect(r.json().notAcceptable.code).toBe(406);
      expect(r.json().notAcceptable.message).toContain('application/json, application/xml');
    },
  );
});

describe('pagination', () => {
  test('limit gives a page and a next link only while more remain (JSON)', async () => {
    // Follow the next links to the end: every page but the last has one, and together they are the list.
    const seen: string[] = [];
    let path = '/v1/extensions?limit=3';
    for (;;) {
      const page = (await call(gw.app, path)).json();
      expect(page.extensions.length).toBeLessThanOrEqual(3);
      seen.push(...page.extensions.map((e: Parsed) => e.alias));
      if (page.extensions_links === undefined) break;
      const last = page.extensions[page.extensions.length - 1].alias;
      expect(page.extensions_links).toEqual([{ rel: 'next', href: `http://localhost/v1/extensions?limit=3&marker=${last}` }]);
      const next = new URL(page.extensions_links[0].href);
      path = next.pathname + next.search;
    }
    expect(seen).toEqual(LISTED_V1);
  });

  test('no next link when the page reaches the end exactly', async () => {
    const body = (await call(gw.app, `/v1/extensions?limit=${LISTED_V1.length}`)).json();
    expect(body.extensions).toHaveLength(LISTED_V1.length);
    expect(body.extensions_links).toBeUndefined();
  });

  test('marker alone gives the rest', async () => {
    const body = (await call(gw.app, '/v1/extensions?marker=OS-LOCK')).json();
    expect(body.extensions.map((e: Parsed) => e.alias)).toEqual(LISTED_V1.slice(3));
  });

  test('XML next link is an atom:link rel="next" on the list; the tenant path and suffix are kept', async () => {
    const r = await call(gw.app, 'http://gw.example:8774/v1/t123/extensions.xml?limit=2');
    const doc = parseXml(r.text).extensions;
    expect(doc.extension).toHaveLength(2);
    expect(doc['atom:link']).toEqual([{ '@rel': 'next', '@href': 'http://gw.example:8774/v1/t123/extensions.xml?limit=2&marker=OS-DCF' }]);
  });

  test.each([
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['marker=RAX-NOPE', 'RAX-NOPE'],
    ['marker=', 'marker'],
  ])('?%s is a 400 badRequest in JSON and XML', async (query, mentions) => {
    const j = await call(gw.app, `/v1/extensions?${query}`);
    expect(j.status).toBe(400);
    expect(j.json().badRequest.code).toBe(400);
    expect(j.json().badRequest.message).toContain(mentions);
    const x = await call(gw.app, `/v1/extensions?${query}`, XML);
    expect(x.status).toBe(400);
    expect(parseXml(x.text).badRequest['@code']).toBe('400');
  });
});

describe('faults', () => {
  test('unknown alias: 404 itemNotFound in JSON', async () => {
    const r = await call(gw.app, '/v1/extensions/RAX-NOPE');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ itemNotFound: { message: 'No extension with alias "RAX-NOPE" in API version v1.', code: 404 } });
  });

  test('unknown alias: 404 itemNotFound in XML, in the compute namespace', async () => {
    const r = await call(gw.app, '/v1/extensions/RAX-NOPE', XML);
    expect(r.status).toBe(404);
    const f = parseXml(r.text).itemNotFound;
    expect(f['@xmlns']).toBe('http://docs.openstack.org/compute/api/v1.1');
    expect(f['@code']).toBe('404');
    expect(f.message).toBe('No extension with alias "RAX-NOPE" in API version v1.');
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s on discovery is 405 badMethod with Allow', async (method) => {
    for (const path of ['/v1/extensions', '/v1/extensions/RAX-BAK', '/v1/t1/extensions', '/', '/v1']) {
      const j = await call(gw.app, path, { method });
      expect(j.status).toBe(405);
      expect(j.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(j.json().badMethod.code).toBe(405);
      const x = await call(gw.app, path, { method, headers: { Accept: 'application/xml' } });
      expect(x.status).toBe(405);
      expect(parseXml(x.text).badMethod['@code']).toBe('405');
    }
  });

  test('OPTIONS answers the allowed methods', async () => {
    const r = await call(gw.app, '/v1/extensions', { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  test('an unknown path is a 404 fault in the negotiated type', async () => {
    const j = await call(gw.app, '/v1/nothing/here/at/all');
    expect(j.status).toBe(404);
    expect(j.json().itemNotFound.code).toBe(404);
    const x = await call(gw.app, '/v1/nothing/here/at/all', XML);
    expect(parseXml(x.text).itemNotFound['@code']).toBe('404');
  });

  test('HEAD gives the headers of GET and no body', async () => {
    const get = await call(gw.app, '/v1/extensions');
    const head = await call(gw.app, '/v1/extensions', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    // The length GET's body has (over a socket Node adds it to GET; test/http-details.test.ts).
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(get.text)));
  });
});

describe('tenant-scoped form', () => {
  test.each(['', '.xml'])('/v1/{tenant}/extensions (suffix "%s") answers the same bytes as /v1/extensions', async (suffix) => {
    for (const [scoped, plain] of [
      [`/v1/6f70656e/extensions${suffix}`, `/v1/extensions${suffix}`],
      [`/v1/6f70656e/extensions/RAX-BAK${suffix}`, `/v1/extensions/RAX-BAK${suffix}`],
      [`/v1/6f70656e/extensions/RAX-NOPE${suffix}`, `/v1/extensions/RAX-NOPE${suffix}`],
    ] as const) {
      const a = await call(gw.app, scoped);
      const b = await call(gw.app, plain);
      expect(a.status).toBe(b.status);
      expect(a.text).toBe(b.text);
    }
  });
});

describe('ETag', () => {
  test('strong ETag per representation; If-None-Match gives 304 with no body', async () => {
    const j = await call(gw.app, '/v1/extensions');
    const x = await call(gw.app, '/v1/extensions', XML);
    const etag = j.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(x.headers.get('etag')).not.toBe(etag);
    const again = await call(gw.app, '/v1/extensions', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const listed = await call(gw.app, '/v1/extensions', { headers: { 'If-None-Match': `"other", W/${etag}` } });
    expect(listed.status).toBe(304);
    const star = await call(gw.app, '/v1/extensions/RAX-BAK', { headers: { 'If-None-Match': '*' } });
    expect(star.status).toBe(304);
  });

  test('a JSON ETag does not match the XML representation', async () => {
    const etag = (await call(gw.app, '/v1/extensions')).headers.get('etag')!;
    const r = await call(gw.app, '/v1/extensions', { headers: { 'If-None-Match': etag, Accept: 'application/xml' } });
    expect(r.status).toBe(200);
  });

  test('the same registry gives the same bytes and ETag; a different registry a different ETag', async () => {
    const other = await testGateway();
    const a = await call(gw.app, '/v1/extensions');
    const b = await call(other.app, '/v1/extensions');
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    const fewer = await testGateway({ extensions: { disable: ['OS-LOCK'] } });
    const c = await call(fewer.app, '/v1/extensions');
    expect(c.headers.get('etag')).not.toBe(a.headers.get('etag'));
  });
});
