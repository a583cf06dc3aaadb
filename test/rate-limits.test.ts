import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';
import { MemoryRateLimiter, type RateLimit } from '../src/ops/rate-limits.ts';
import { listen } from '../src/server.ts';
import { accept, call, testGateway, XML, type TestGateway } from './support/gateway.ts';
import { startServer, writeConfig } from './support/process.ts';
import { hasReference, reference } from './support/xml.ts';

/**
 * Rate limits (nova's legacy limits, as token buckets): over a limit, 429 overLimit with
 * Retry-After in the negotiated media type and nothing changed; GET /{version}/limits in nova's
 * shape; one caller's requests never count against another's.
 */
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const FLAVOR = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001';
const create = (gw: TestGateway, init: { accept?: string; from?: string } = {}) =>
  call(gw.app, '/v1/servers', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: init.accept ?? 'application/json', ...(init.from === undefined ? {} : { 'X-Forwarded-For': init.from }) },
    body: JSON.stringify({ server: { name: 'limited', imageRef: IMAGE, flavorRef: FLAVOR } }),
  });
const serverCount = async (gw: TestGateway) => (await call(gw.app, '/v1/servers')).json().servers.length;

describe('token buckets', () => {
  const limits: RateLimit[] = [
    { verb: 'POST', uri: '*', regex: '.*', value: 2, unit: 'MINUTE' },
    { verb: 'POST', uri: '*/servers', regex: '^/servers', value: 10, unit: 'HOUR' },
  ];

  test('a bucket holds `value` requests and refills continuously over its unit', () => {
    const b = new MemoryRateLimiter(limits);
    expect(b.take('a', [0], 0)).toBeUndefined();
    expect(b.take('a', [0], 0)).toBeUndefined();
    expect(b.take('a', [0], 0)).toEqual({ limit: 0, retryAfterMs: 30_000 });
    expect(b.take('a', [0], 29_999)).toMatchObject({ limit: 0 });
    expect(b.take('a', [0], 30_000)).toBeUndefined();
    expect(b.levels('a', 30_000)[0]).toEqual({ remaining: 0, nextAvailable: 60_000 });
    expect(b.levels('a', 120_000)[0]).toEqual({ remaining: 2, nextAvailable: 120_000 });
  });

  test('refused by one limit, a request takes nothing from the others; keys are apart', () => {
    const b = new MemoryRateLimiter(limits);
    b.take('a', [0, 1], 0);
    b.take('a', [0, 1], 0);
    expect(b.take('a', [0, 1], 0)).toMatchObject({ limit: 0 });
    expect(b.levels('a', 0).map((l) => l.remaining)).toEqual([0, 8]);
    expect(b.levels('b', 0).map((l) => l.remaining)).toEqual([2, 10]);
  });

  test('bounded: past maxKeys, refilled buckets go first, then the least recently used, down to nine tenths', () => {
    const b = new MemoryRateLimiter(limits, 10);
    for (let k = 0; k < 10; k++) b.take(`k${k}`, [0], 0);
    b.take('k0', [0], 1); // k0 used again: no longer the oldest
    b.take('new', [0], 2); // none refilled yet: the least recently used (k1) goes, down to 9, then the new one
    expect(b.size).toBe(10);
    expect(b.levels('k0', 2)[0]!.remaining).toBe(0); // kept: still counted
    expect(b.levels('k1', 2)[0]!.remaining).toBe(2); // dropped: a fresh bucket
    expect(b.levels('k2', 2)[0]!.remaining).toBe(1); // kept
    b.take('later', [0], 120_000); // all refilled by now: they go
    expect(b.size).toBe(1);
  });
});

describe('over a limit: 429 overLimit, nothing changed', () => {
  const rateLimits = [{ verb: 'POST' as const, value: 2, unit: 'MINUTE' as const }];

  test('JSON: Retry-After, retryAfter and retryAt in the body; the refused create stored nothing; honoured after the wait', async () => {
    const gw = await testGateway({ rateLimits });
    expect((await create(gw)).status).toBe(202);
    expect((await create(gw)).status).toBe(202);
    const before = await serverCount(gw);
    const refused = await create(gw);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.json()).toEqual({
      overLimit: { code: 429, message: 'This request was rate-limited.', details: 'Only 2 POST request(s) can be made to * every minute.', retryAfter: '30', retryAt: '2026-11-29T12:00:30Z' },
    });
    expect(await serverCount(gw)).toBe(before);
    // Reads are not counted by a POST limit; a body the server would refuse is refused by the limit first.
    expect((await call(gw.app, '/v1/servers/detail')).status).toBe(200);
    expect((await call(gw.app, '/v1/servers', { method: 'POST', body: 'not json' })).status).toBe(429);
    gw.clock.advance(30_000);
    expect((await create(gw)).status).toBe(202);
    expect((await create(gw)).status).toBe(429);
  });

  test('XML: the fault in the compute namespace, valid against our faults.xsd and the published one', async () => {
    const gw = await testGateway({ rateLimits });
    await create(gw);
    await create(gw);
    const refused = await create(gw, { accept: 'application/xml' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.text).toContain('<overLimit xmlns="http://docs.openstack.org/compute/api/v1.1" code="429" retryAt="2026-11-29T12:00:30Z"><message>This request was rate-limited.</message>');
    if (hasReference) expect((await reference.faultsXsd(refused.text)).errors).toEqual([]);
  });

  test('callers are apart (the client address without Keystone, from X-Forwarded-For behind a trusted proxy)', async () => {
    const gw = await testGateway({ rateLimits, trustProxy: true });
    for (let i = 0; i < 2; i++) expect((await create(gw, { from: '10.0.0.1' })).status).toBe(202);
    expect((await create(gw, { from: '10.0.0.1' })).status).toBe(429);
    // The last entry is the address the trusted proxy saw; what the client wrote before it is not trusted.
    expect((await create(gw, { from: '10.0.0.1, 10.0.0.2' })).status).toBe(202);
    expect((await create(gw, { from: '10.0.0.9, 10.0.0.1' })).status).toBe(429);
  });

  test('a regex over the path and query, as the API reads it: only GETs with changes-since are limited, however spelt', async () => {
    const gw = await testGateway({ rateLimits: [{ verb: 'GET', uri: '*changes-since*', regex: 'changes-since', value: 1, unit: 'MINUTE' }] });
    expect((await call(gw.app, '/v1/servers?changes-since=2026-01-01T00:00:00Z')).status).toBe(200);
    expect((await call(gw.app, '/v1/openstack/servers/detail?changes-since=2026-01-01T00:00:00Z')).status).toBe(429);
    expect((await call(gw.app, '/v1/servers?changes%2Dsince=2026-01-01T00:00:00Z')).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await call(gw.app, '/v1/servers')).status).toBe(200);
  });

  test('the version documents, the health check and the metrics are never limited; everything under a version is', async () => {
    const gw = await testGateway({ rateLimits: [{ verb: 'ALL', value: 1, unit: 'DAY' }] });
    expect((await call(gw.app, '/v1/flavors')).status).toBe(200);
    expect((await call(gw.app, '/v1/flavors')).status).toBe(429);
    expect((await call(gw.app, '/v2/extensions')).status).toBe(429);
    for (let i = 0; i < 3; i++) for (const path of ['/', '/v1', '/v2/', '/healthcheck', '/metrics']) expect((await call(gw.app, path)).status, path).toBe(200);
  });
});

describe('GET /{version}/limits', () => {
  test('nova\'s shape: one rate per uri and regex, a limit per verb, what remains and when next; tenant form too', async () => {
    const gw = await testGateway({
      rateLimits: [
        { verb: 'POST', value: 10, unit: 'MINUTE' },
        { verb: 'PUT', value: 10, unit: 'MINUTE' },
        { verb: 'POST', uri: '*/servers', regex: '^/servers', value: 50, unit: 'DAY' },
      ],
    });
    await create(gw);
    const doc = (await call(gw.app, '/v1/openstack/limits')).json();
    expect(doc).toEqual({
      limits: {
        rate: [
          {
            uri: '*', regex: '.*',
            limit: [
              { verb: 'POST', value: 10, remaining: 9, unit: 'MINUTE', 'next-available': '2026-11-29T12:00:00Z' },
              { verb: 'PUT', value: 10, remaining: 10, unit: 'MINUTE', 'next-available': '2026-11-29T12:00:00Z' },
            ],
          },
          { uri: '*/servers', regex: '^/servers', limit: [{ verb: 'POST', value: 50, remaining: 49, unit: 'DAY', 'next-available': '2026-11-29T12:00:00Z' }] },
        ],
        absolute: {},
      },
    });
    const xml = await call(gw.app, '/v1/limits', XML);
    expect(xml.text).toContain('<limits xmlns="http://docs.openstack.org/common/api/v1.0"><rates><rate uri="*" regex=".*"><limit verb="POST" value="10" remaining="9" unit="MINUTE" next-available="2026-11-29T12:00:00Z"/>');
    if (hasReference) expect((await reference.limitsXsd(xml.text)).errors).toEqual([]);
  });

  test('no limits configured (the default): an empty rate list; `<limits/>` in XML, which the published schema takes', async () => {
    const gw = await testGateway();
    expect((await call(gw.app, '/v2/limits')).json()).toEqual({ limits: { rate: [], absolute: {} } });
    const xml = await call(gw.app, '/v2/limits', XML);
    expect(xml.text).toMatch(/<limits xmlns="http:\/\/docs.openstack.org\/common\/api\/v1.0"\/>$/);
    if (hasReference) expect((await reference.limitsXsd(xml.text)).errors).toEqual([]);
    expect((await call(gw.app, '/v1/limits', accept('text/html'))).status).toBe(406);
    expect((await call(gw.app, '/v1/limits', { method: 'DELETE' })).status).toBe(405);
  });
});

test('a bad limit stops the start, every problem named', () => {
  const bad = () => parseConfig({ rateLimits: [{ verb: 'FETCH', value: 0, unit: 'WEEK', regex: '(' }] });
  expect(bad).toThrow(ConfigError);
  try {
    bad();
  } catch (err) {
    const message = (err as Error).message;
    for (const field of ['rateLimits.0.verb', 'rateLimits.0.value', 'rateLimits.0.unit', 'rateLimits.0.regex: must be a valid regular expression']) expect(message).toContain(field);
  }
});

describe('served for real', () => {
  const opened: { stop(): Promise<void> | void }[] = [];
  afterAll(async () => {
    for (const s of opened) await s.stop();
  });

  test('npm start with limits: a client over its limit gets 429s whose Retry-After, honoured, lets it through; the documents answered ahead of Hono are limited too', async () => {
    const config = writeConfig({ port: 0, rateLimits: [{ verb: 'GET', value: 3, unit: 'SECOND' }] });
    const s = await startServer(config);
    opened.push({ stop: () => void s.child.kill() });
    // At once, so that the bucket (3 a second, one more every 333 ms) cannot refill in between.
    const replies = await Promise.all(Array.from({ length: 6 }, () => fetch(`${s.url}/v1/extensions`)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(3);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const retryAfter = refused[0]!.headers.get('retry-after') ?? '';
    expect(retryAfter).toBe('1');
    expect((await refused[0]!.json()).overLimit.code).toBe(429);
    await new Promise((r) => setTimeout(r, Number(retryAfter) * 1000));
    expect((await fetch(`${s.url}/v1/extensions`)).status).toBe(200);
  });

  test('behind Keystone, a project\'s requests count against that project alone', async () => {
    // A stand-in Keystone: the token names its project.
    const keystone = createServer((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'svc' }).end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3600_000).toISOString() } }));
        return;
      }
      const project = String(req.headers['x-subject-token']).split('-')[0];
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3600_000).toISOString(), user: { id: `u-${project}` }, project: { id: project }, roles: [{ name: 'reader' }] } }));
    });
    await new Promise<void>((ready) => keystone.listen(0, '127.0.0.1', ready));
    opened.push({ stop: () => void keystone.close() });
    const gw = await testGateway({
      rateLimits: [{ verb: 'GET', value: 2, unit: 'HOUR' }],
      auth: { strategy: 'keystone', keystone: { url: `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`, username: 'extgate', password: 'pw' } },
    });
    const server = await listen(gw.app, '127.0.0.1', 0);
    opened.push({ stop: () => server.close(0) });
    const get = async (token: string) => (await fetch(`${server.url}/v1/servers`, { headers: { 'X-Auth-Token': token } })).status;
    expect([await get('alpha-1'), await get('alpha-2'), await get('alpha-3')]).toEqual([200, 200, 429]);
    expect([await get('beta-1'), await get('beta-1')]).toEqual([200, 200]);
    const limits = await fetch(`${server.url}/v1/limits`, { headers: { 'X-Auth-Token': 'beta-1', Accept: 'application/json' } });
    expect(limits.status).toBe(429);
    const gamma = await (await fetch(`${server.url}/v1/limits`, { headers: { 'X-Auth-Token': 'gamma-1' } })).json();
    expect(gamma.limits.rate[0].limit[0].remaining).toBe(1);
  });
});
