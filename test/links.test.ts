import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listen, type RunningServer } from '../src/server.ts';
import { call, parseXml, testGateway } from './support/gateway.ts';
import { action, createServer, FLAVOR, IMAGE, json } from './support/compute.ts';

/**
 * Every link and Location, and where it points: the configured public URL when there is one, so
 * that no Host header or absolute request target a client sends puts another site into the links
 * the next client follows; the request's own scheme and Host otherwise; X-Forwarded-* only from a
 * proxy the configuration trusts.
 */
const hrefs = (text: string): string[] => [...text.matchAll(/"href":"([^"]+)"|href="([^"]+)"/g)].map((m) => m[1] ?? m[2]!);

describe('publicUrl decides every link, whatever the request says', () => {
  const PUBLIC = 'https://compute.example.com:8443/api';
  test.each([
    ['the version list', '/'],
    ['a version', '/v1'],
    ['a server', '/v1/servers/{id}'],
    ['a page of servers', '/v1/servers?limit=1'],
    ['an image, with its RAX-PATCH link', `/v1/images/${IMAGE}`],
    ['the backup schedule route\'s base', '/v1/servers/{id}'],
  ])('%s', async (_, path) => {
    const gw = await testGateway({ publicUrl: `${PUBLIC}/` });
    const id = await createServer(gw.app);
    await createServer(gw.app);
    for (const headers of [{ Host: 'evil.example' }, { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' }] as Record<string, string>[]) {
      for (const accept of ['application/json', 'application/xml']) {
        const r = await call(gw.app, `http://evil.example${path.replace('{id}', id)}`, { headers: { ...headers, Accept: accept } });
        const links = hrefs(r.text).filter((h) => h.includes('://'));
        expect(links.length).toBeGreaterThan(0);
        for (const h of links) expect(h.startsWith(`${PUBLIC}/`), h).toBe(true);
      }
    }
  });

  test('an old extension\'s successor-version link, and the new one\'s predecessor-version', async () => {
    const gw = await testGateway({ publicUrl: PUBLIC });
    const old = (await call(gw.app, 'http://evil.example/v1/extensions/RAX-DCF')).json().extension.links.at(-1);
    expect(old).toEqual({ rel: 'successor-version', href: `${PUBLIC}/v1/extensions/OS-DCF` });
    const x = parseXml((await call(gw.app, 'http://evil.example/v1/extensions/OS-DCF', { headers: { Accept: 'application/xml' } })).text);
    expect(x.extension[0]['atom:link'].at(-1)).toEqual({ '@rel': 'predecessor-version', '@href': `${PUBLIC}/v1/extensions/RAX-DCF` });
  });

  test('the next link of a page of extensions (their own links are the extensions\' documents)', async () => {
    const gw = await testGateway({ publicUrl: PUBLIC });
    const r = await call(gw.app, 'http://evil.example/v1/extensions?limit=2', { headers: { Host: 'evil.example' } });
    expect(r.json().extensions_links[0].href).toMatch(new RegExp(`^${PUBLIC}/v1/extensions\\?limit=2&marker=`));
  });

  test('Location of a created server and image, and the Deprecation Link', async () => {
    const gw = await testGateway({ publicUrl: PUBLIC });
    const r = await call(gw.app, 'http://evil.example/v1/servers', json('POST', { server: { name: 'p', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'AUTO' } }));
    expect(r.headers.get('location')).toBe(`${PUBLIC}/v1/servers/${r.json().server.id}`);
    expect(r.headers.get('link')).toBe(`<${PUBLIC}/v1/extensions/OS-DCF>; rel="successor-version"`);
    gw.clock.advance(2000);
    const image = await action(gw.app, r.json().server.id, { createImage: { name: 'i' } });
    expect(image.headers.get('location')).toMatch(new RegExp(`^${PUBLIC}/v1/images/`));
  });

  test('a publicUrl that is not an http(s) URL is a configuration error', async () => {
    await expect(testGateway({ publicUrl: 'compute.example.com' })).rejects.toThrow(/publicUrl/);
    await expect(testGateway({ publicUrl: 'https://x.example/?q=1' })).rejects.toThrow(/publicUrl/);
  });
});

describe('X-Forwarded-Proto and -Host, only from a trusted proxy', () => {
  const FORWARDED = { 'X-Forwarded-Host': 'cloud.example:443', 'X-Forwarded-Proto': 'https' };
  test('trusted: links take them', async () => {
    const gw = await testGateway({ trustProxy: true });
    const r = await call(gw.app, 'http://10.0.0.5:8774/v1', { headers: FORWARDED });
    expect(r.json().version.links[0].href).toBe('https://cloud.example:443/v1/');
  });

  test('not trusted (the default): ignored', async () => {
    const gw = await testGateway();
    const r = await call(gw.app, 'http://10.0.0.5:8774/v1', { headers: FORWARDED });
    expect(r.json().version.links[0].href).toBe('http://10.0.0.5:8774/v1/');
  });

  test('trusted but not a host or a scheme: 400', async () => {
    const gw = await testGateway({ trustProxy: true });
    expect((await call(gw.app, '/v1', { headers: { 'X-Forwarded-Host': 'a b/c' } })).status).toBe(400);
    expect((await call(gw.app, '/v1', { headers: { 'X-Forwarded-Proto': 'gopher' } })).status).toBe(400);
  });
});

describe('a Host that is not host[:port], over a socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen((await testGateway()).app, '127.0.0.1', 0);
  });
  afterAll(() => server.close(100));

  test.each(['evil.example/path', 'a b', 'x:y', 'exa"mple', ''])('Host "%s": a 400 fault, before any document is served', async (host) => {
    const { connect } = await import('node:net');
    const port = Number(new URL(server.url).port);
    const reply = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write(`GET /v1/extensions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toContain('"badRequest"');
  });

  test.each(['localhost', 'localhost:8774', '127.0.0.1:1', '[::1]:8774', 'compute-1.example.com'])('Host "%s" is fine', async (host) => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request(`${server.url}/v1`, { headers: { Host: host } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).end();
    });
    expect(status).toBe(200);
  });
});
