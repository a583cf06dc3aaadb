import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listen, type RunningServer } from '../src/server.ts';
import { testGateway, type TestGateway } from './support/gateway.ts';
import { createServer, IMAGE } from './support/compute.ts';

/** HTTP as a careful client expects it: HEAD, Allow, Expect: 100-continue, a client that goes away. Over a socket. */
let gw: TestGateway;
let server: RunningServer;
let port: number;
let id: string;
beforeAll(async () => {
  gw = await testGateway({ maxBodyBytes: 4096 });
  id = await createServer(gw.app);
  server = await listen(gw.app, '127.0.0.1', 0);
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close(100));

/** Raw bytes in, everything the server wrote until it closed (or `wait` ms passed). */
const raw = (data: string, then?: (s: Socket) => void, wait = 1500): Promise<string> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(data);
      then?.(s);
    });
    let out = '';
    const done = () => resolve(out);
    s.on('data', (d) => (out += d));
    s.on('close', done);
    s.on('error', done);
    setTimeout(() => {
      s.destroy();
      done();
    }, wait);
  });

describe('HEAD', () => {
  test.each(['/', '/v1', '/v1/extensions', '/v1/extensions/RAX-BAK', '/v1/servers/detail', `/v1/images/${IMAGE}`, '/v1/servers/{id}', '/v1/servers/nope'])(
    'HEAD %s carries the Content-Length its GET would, and no body',
    async (path) => {
      const url = `${server.url}${path.replace('{id}', id)}`;
      const get = await fetch(url);
      const body = await get.arrayBuffer();
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(get.status);
      expect(head.headers.get('content-length')).toBe(String(body.byteLength));
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    },
  );
});

describe('Allow says what works on that exact path', () => {
  test.each([
    ['/v1/servers/detail', 'GET, HEAD, OPTIONS'],
    ['/v1/servers/{id}', 'DELETE, GET, HEAD, OPTIONS, PUT'],
    ['/v1/images/detail', 'GET, HEAD, OPTIONS'],
    ['/v1/servers', 'GET, HEAD, OPTIONS, POST'],
  ])('OPTIONS %s: %s', async (path, allow) => {
    const r = await fetch(`${server.url}${path.replace('{id}', id)}`, { method: 'OPTIONS' });
    expect([r.status, r.headers.get('allow')]).toEqual([204, allow]);
  });

  test.each(['PUT', 'DELETE'])('%s /v1/servers/detail is a 405 with that Allow, not a 404', async (method) => {
    const r = await fetch(`${server.url}/v1/servers/detail`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'PUT' ? '{"server": {}}' : undefined });
    expect([r.status, r.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    expect((await r.json()).badMethod.code).toBe(405);
  });

  test('DELETE /v1/images/ names an item with an empty id: 404 (as nova), in the media type asked; DELETE /v1/images stays 405', async () => {
    const r = await fetch(`${server.url}/v1/images/`, { method: 'DELETE', headers: { Accept: 'application/xml' } });
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('<itemNotFound');
    expect((await fetch(`${server.url}/v1/images`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.url}/v1/servers/`, { method: 'PUT' })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/servers/`, { method: 'PATCH' })).status).toBe(405);
  });
});

describe('Expect: 100-continue', () => {
  const post = (length: number) => `POST /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;

  test('a body declared over maxBodyBytes: 413 fault, and no 100 Continue to send it', async () => {
    const reply = await raw(post(5000));
    expect(reply).not.toContain('100 Continue');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('{"overLimit":{"message":"The request body is larger than 4096 bytes.","code":413}}');
  });

  test('within the limit: 100 Continue, then the request is served', async () => {
    const body = JSON.stringify({ server: { name: 'c', imageRef: IMAGE, flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } });
    const reply = await raw(post(Buffer.byteLength(body)), (s) => setTimeout(() => s.write(body), 50));
    expect(reply).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 /);
  });
});

describe('a client that goes away mid-upload', () => {
  test('is logged once, in one line, as a client abort: no stack, no "unexpected error"', async () => {
    const before = gw.logged.length;
    const head = 'POST /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n{"server": {"name": "';
    await Promise.all(Array.from({ length: 5 }, () => raw(head, (s) => setTimeout(() => s.destroy(), 50), 500)));
    await new Promise((r) => setTimeout(r, 200));
    const lines = gw.logged.slice(before);
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l).toMatch(/^client aborted POST \/v1\/servers while sending its body \([^)\n]*\)$/);
    expect((await fetch(`${server.url}/v1/servers/${id}`)).status).toBe(200);
  });
});

describe('request ids', () => {
  const REQ = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  test.each([
    ['a document answered ahead of Hono', '/v1/extensions', {}],
    ['a route', '/v1/servers/detail', {}],
    ['a fault', '/v1/servers/nope', { Accept: 'application/xml' }],
    ['a 405', '/v1/servers/detail', { method: 'DELETE' }],
  ] as const)('%s: x-openstack-request-id req-<uuid4>, the same in X-Compute-Request-Id, new each time', async (_what, path, init) => {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${server.url}${path}`, { ...init, headers: 'Accept' in init ? { Accept: init.Accept } : {} });
      expect(r.headers.get('x-openstack-request-id')).toMatch(REQ);
      expect(r.headers.get('x-compute-request-id')).toBe(r.headers.get('x-openstack-request-id'));
      ids.push(r.headers.get('x-openstack-request-id'));
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  test('a request Node cannot parse is answered with one too; an incoming one is never echoed as ours', async () => {
    const bad = await raw('GET /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1.1 400/);
    expect(/x-openstack-request-id: (\S+)/i.exec(bad)?.[1]).toMatch(REQ);
    const theirs = 'req-11111111-2222-4333-8444-555555555555';
    const r = await fetch(`${server.url}/v1/flavors`, { headers: { 'X-OpenStack-Request-ID': theirs } });
    expect(r.headers.get('x-openstack-request-id')).toMatch(REQ);
    expect(r.headers.get('x-openstack-request-id')).not.toBe(theirs);
  });
});
