import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gate } from './fixtures/gate/RAX-GATE/gate.ts';
import { hasPostgres, startPostgres, type Postgres } from './harness/postgres.ts';
import { call, testGateway, XML } from './support/gateway.ts';
import { createServer, json } from './support/compute.ts';
import { startServer, writeConfig, type Spawned } from './support/process.ts';

/**
 * The gateway on PostgreSQL (`store.url`): the compute API as on SQLite, several instances on one
 * database (what one writes the others read; conflicting updates through different instances, one
 * 409 and no lost update), and the database stopped and started under them (503, then served again).
 */
let pg: Postgres;
beforeAll(async () => {
  if (hasPostgres) pg = await startPostgres();
});
afterAll(async () => pg?.close());

describe.skipIf(!hasPostgres)('on PostgreSQL', () => {
  test('the compute API in JSON and XML: create, list, show, act, delete', async () => {
    const gw = await testGateway({ store: { url: await pg.createDatabase() } });
    const id = await createServer(gw.app);
    gw.clock.advance(2000);
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server.status).toBe('ACTIVE');
    expect((await call(gw.app, `/v1/servers/${id}`, XML)).text).toContain(`id="${id}"`);
    expect((await call(gw.app, '/v1/servers/detail?limit=1')).json().servers.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await call(gw.app, `/v1/servers/${id}/action`, json('POST', { reboot: { type: 'SOFT' } }))).status).toBe(202);
    expect((await call(gw.app, `/v1/servers/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(gw.app, `/v1/servers/${id}`)).status).toBe(404);
    // Seeded once, whichever instance came first.
    expect((await call(gw.app, '/v1/flavors')).json().flavors).toHaveLength(3);
  });

  test('U+0000, which PostgreSQL\'s text cannot hold, in an id, a filter or a marker: what it would be on SQLite, and no other request hurt', async () => {
    const gw = await testGateway({ store: { url: await pg.createDatabase() } });
    const id = await createServer(gw.app, { name: 'web-1' });
    const flavor = (await call(gw.app, '/v1/flavors')).json().flavors[0].id as string;
    // Reads asked for at once go to the database as one query: the bad id must not fail the others.
    const [bad, good, server] = await Promise.all([call(gw.app, '/v1/flavors/%00'), call(gw.app, `/v1/flavors/${flavor}`), call(gw.app, `/v1/servers/${id}`, XML)]);
    expect([bad.status, good.status, server.status]).toEqual([404, 200, 200]);
    expect(bad.json().itemNotFound.code).toBe(404);
    for (const filter of ['name=%00', 'name=web-1%00', 'image=%00', 'flavor=%00', 'status=%00', 'changes-since=2000-01-01&status=ACTIVE%00']) {
      const r = await call(gw.app, `/v1/servers/detail?${filter}`);
      expect(r.status, filter).toBe(200);
      expect(r.json().servers, filter).toEqual([]);
    }
    expect((await call(gw.app, '/v1/servers?name=web-1')).json().servers.map((s: { id: string }) => s.id)).toEqual([id]);
    const marker = await call(gw.app, '/v1/servers?marker=%00', XML);
    expect(marker.status).toBe(400);
    expect(marker.text).toContain('badRequest');
  });

  test('two instances, one database: conflicting updates through each give one 200 and one 409, never a lost update', async () => {
    const url = await pg.createDatabase();
    const input = { store: { url }, extensions: { paths: ['test/fixtures/gate'], onInvalid: 'fail' as const }, vendors: {} };
    const [a, b] = await Promise.all([testGateway(input), testGateway(input)]);
    const id = await createServer(a.app);
    expect((await call(b.app, `/v1/servers/${id}`)).status).toBe(200);
    gate.close();
    const ra = call(a.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'from-a' } }));
    const rb = call(b.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'from-b' } }));
    while (gate.waiting < 2) await new Promise((r) => setTimeout(r, 5));
    gate.open();
    const statuses = (await Promise.all([ra, rb])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409]);
    const names = await Promise.all([a, b].map(async (gw) => (await call(gw.app, `/v1/servers/${id}`)).json().server.name));
    expect(names[0]).toBe(names[1]);
  });

  test('rate limits count in the database: a caller\'s requests through either instance draw from one bucket', async () => {
    const input = { store: { url: await pg.createDatabase() }, rateLimits: [{ verb: 'POST' as const, value: 3, unit: 'MINUTE' as const }] };
    const [a, b] = await Promise.all([testGateway(input), testGateway(input)]);
    expect([await createServer(a.app), await createServer(b.app), await createServer(a.app)]).toHaveLength(3);
    const refused = await call(b.app, '/v1/servers', json('POST', { server: { name: 'x', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } }));
    expect(refused.status).toBe(429);
    expect(refused.json().overLimit.retryAfter).toBe('20');
    expect((await call(a.app, '/v1/limits')).json().limits.rate[0].limit[0]).toMatchObject({ verb: 'POST', value: 3, remaining: 0 });
    b.clock.advance(20_000);
    expect((await call(b.app, '/v1/servers', json('POST', { server: { name: 'y', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } }))).status).toBe(202);
  });

  describe('the database stopped and started under a running gateway', () => {
    let s: Spawned & { url: string };
    afterAll(() => s?.child.kill('SIGKILL'));

    test('503 serviceUnavailable with Retry-After in the negotiated media type, unhealthy; back, served again without a restart', async () => {
      s = await startServer(writeConfig({ store: { url: await pg.createDatabase(), timeoutMs: 1000 }, shutdownDrainMs: 0 }));
      expect((await fetch(`${s.url}/v1/servers`)).status).toBe(200);
      await pg.stop();
      try {
        for (const accept of ['application/json', 'application/xml']) {
          const started = Date.now();
          const r = await fetch(`${s.url}/v1/servers`, { headers: { Accept: accept } });
          expect(r.status).toBe(503);
          expect(r.headers.get('retry-after')).toBe('5');
          expect(await r.text()).toContain(accept === 'application/json' ? '"serviceUnavailable"' : '<serviceUnavailable');
          expect(Date.now() - started).toBeLessThan(3000);
        }
        const created = await fetch(`${s.url}/v1/servers`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'x', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } }) });
        expect(created.status).toBe(503);
        const health = await fetch(`${s.url}/healthcheck`, { headers: { Accept: 'application/json' } });
        expect(health.status).toBe(503);
        // What is wrong, not where: the health check is public.
        const store = (await health.json()).backends.store;
        expect(store).toMatchObject({ healthy: false, error: expect.stringMatching(/^PostgreSQL (is unavailable \(\w+\)|did not answer)/) });
        expect(store.error).not.toMatch(/127\.0\.0\.1|postgres:\/\//);
      } finally {
        await pg.start();
      }
      expect((await fetch(`${s.url}/v1/servers`)).status).toBe(200);
      expect((await fetch(`${s.url}/healthcheck`)).status).toBe(200);
      expect(s.output()).not.toMatch(/"level":"error".*unexpected error/);
    });
  });
});
