import { beforeAll, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway, type Parsed } from './support/gateway.ts';
import { hasReference, reference } from './support/xml.ts';
import type { ConfigInput } from '../src/config.ts';
import { LISTED_V1, LISTED_V2 } from './support/shipped.ts';

const TWO_VERSIONS: ConfigInput = {
  versions: [
    { id: 'v1', status: 'SUPPORTED', updated: '2011-09-27T00:00:00Z' },
    { id: 'v2', status: 'CURRENT', updated: '2026-11-29T00:00:00Z' },
  ],
  extensions: { paths: ['test/fixtures/versioned'] },
};

let one: TestGateway;
let two: TestGateway;
beforeAll(async () => {
  one = await testGateway();
  two = await testGateway(TWO_VERSIONS);
});

describe('GET /', () => {
  test('JSON lists the versions with a self link built from the request host', async () => {
    const r = await call(one.app, 'http://api.example.com:9000/');
    expect(r.status).toBe(200);
    // By default v1 as it always was, and v2, whose core has what spec/promotions.json promotes into it.
    expect(r.json()).toEqual({
      versions: [
        { id: 'v1', status: 'SUPPORTED', updated: '2011-09-27T00:00:00Z', links: [{ rel: 'self', href: 'http://api.example.com:9000/v1/' }] },
        { id: 'v2', status: 'CURRENT', updated: '2026-12-01T00:00:00Z', links: [{ rel: 'self', href: 'http://api.example.com:9000/v2/' }] },
      ],
    });
  });

  test('XML lists the versions in the common namespace', async () => {
    const r = await call(two.app, 'https://gw.example/', XML);
    const versions = parseXml(r.text).versions;
    expect(versions['@xmlns']).toBe('http://docs.openstack.org/common/api/v1.0');
    expect(versions.version.map((v: Parsed) => [v['@id'], v['@status']])).toEqual([['v1', 'SUPPORTED'], ['v2', 'CURRENT']]);
    expect(versions.version[1]['atom:link']).toEqual([{ '@rel': 'self', '@href': 'https://gw.example/v2/' }]);
  });

  test('links follow the host the client used, whatever was asked before', async () => {
    await call(one.app, 'http://first.example/');
    const r = await call(one.app, 'http://second.example:1234/');
    expect(r.json().versions[0].links[0].href).toBe('http://second.example:1234/v1/');
  });
});

describe('GET /v1', () => {
  test.each(['/v1', '/v1/'])('%s: the version document in JSON', async (path) => {
    const r = await call(one.app, `http://127.0.0.1:8774${path}`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      version: {
        id: 'v1',
        status: 'SUPPORTED',
        updated: '2011-09-27T00:00:00Z',
        'media-types': [
          { base: 'application/json', type: 'application/vnd.openstack.compute+json;version=1' },
          { base: 'application/xml', type: 'application/vnd.openstack.compute+xml;version=1' },
        ],
        links: [{ rel: 'self', href: 'http://127.0.0.1:8774/v1/' }],
      },
    });
  });

  test('the version document in XML: media types, then the self link', async () => {
    const r = await call(one.app, 'http://127.0.0.1:8774/v1/', XML);
    const v = parseXml(r.text).version[0];
    expect(v['@id']).toBe('v1');
    expect(v['media-types']['media-type'].map((m: Parsed) => m['@base'])).toEqual(['application/json', 'application/xml']);
    expect(v['atom:link']).toEqual([{ '@rel': 'self', '@href': 'http://127.0.0.1:8774/v1/' }]);
  });

  test('ETag and 304 on the version document too', async () => {
    const etag = (await call(one.app, '/v1')).headers.get('etag')!;
    expect((await call(one.app, '/v1', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });
});

describe('several versions side by side are configuration', () => {
  test('each version has its own extension list: OS-NEXT applies from v2 only', async () => {
    const v1 = (await call(two.app, '/v1/extensions')).json().extensions.map((e: Parsed) => e.alias);
    const v2 = (await call(two.app, '/v2/extensions')).json().extensions.map((e: Parsed) => e.alias);
    expect(v1).not.toContain('OS-NEXT');
    expect(v2).toContain('OS-NEXT');
    expect(v1).toEqual(LISTED_V1);
    expect(v2).toEqual([...LISTED_V2, 'OS-NEXT'].sort());
    expect((await call(two.app, '/v1/extensions/OS-NEXT')).status).toBe(404);
    expect((await call(two.app, '/v2/extensions/OS-NEXT')).status).toBe(200);
    expect((await call(two.app, '/v2/tenant/extensions/OS-NEXT.xml')).status).toBe(200);
  });

  test('/v2 answers its own version document', async () => {
    expect((await call(two.app, '/v2')).json().version.id).toBe('v2');
  });

  test.each([['/v3'], ['/v3/extensions'], ['/v0/extensions/RAX-BAK']])('unknown version %s: 404 fault naming the versions', async (path) => {
    const j = await call(two.app, path);
    expect(j.status).toBe(404);
    expect(j.json().itemNotFound.message).toContain('v1, v2');
    const x = await call(two.app, path, XML);
    expect(parseXml(x.text).itemNotFound['@code']).toBe('404');
  });
});

describe.skipIf(!hasReference)('versions XML against nova RelaxNG', () => {
  test('GET / passes versions.rng, GET /v1 passes version.rng', async () => {
    expect((await reference.versionsRng((await call(two.app, '/', XML)).text)).errors).toEqual([]);
    expect((await reference.versionRng((await call(two.app, '/v1', XML)).text)).errors).toEqual([]);
    expect((await reference.versionRng((await call(two.app, '/v2/', XML)).text)).errors).toEqual([]);
  });
});
