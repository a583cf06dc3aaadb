import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { startServer, writeConfig } from './support/process.ts';
import { VERSION } from '../src/version.ts';
import { call, testGateway } from './support/gateway.ts';

/** GET /healthcheck: what a load balancer probes, and what an operator reads with Accept: application/json. */
describe('health check', () => {
  test('healthy: 200 OK in plain text; the JSON detail in the registry API\'s shape; no token needed behind Keystone', async () => {
    const gw = await testGateway();
    const plain = await call(gw.app, '/healthcheck');
    expect([plain.status, plain.text, plain.headers.get('content-type')]).toEqual([200, 'OK', 'text/plain; charset=UTF-8']);
    const detail = await call(gw.app, '/healthcheck', { headers: { Accept: 'application/json' } });
    expect(detail.json()).toEqual({
      status: 'healthy', version: VERSION, uptime: expect.any(Number),
      backends: { store: { enabled: true, healthy: true }, identity: { enabled: false, healthy: true } },
    });
    expect(detail.headers.get('cache-control')).toBe('no-store');
  });

  test('the store unusable (its folder gone): 503 naming why; unhealthy in JSON', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'extgate-health-')), 'data');
    const gw = await testGateway({ store: { path: join(folder, 'extgate.sqlite') } });
    expect((await call(gw.app, '/healthcheck')).status).toBe(200);
    rmSync(folder, { recursive: true, force: true });
    const plain = await call(gw.app, '/healthcheck');
    expect(plain.status).toBe(503);
    expect(plain.text).toMatch(/^UNHEALTHY store: .* is not writable \(ENOENT\)/);
    const detail = (await call(gw.app, '/healthcheck', { headers: { Accept: 'application/json' } })).json();
    expect(detail.status).toBe('unhealthy');
    expect(detail.backends.store).toEqual({ enabled: true, healthy: false, error: expect.stringContaining('not writable') });
  });

  test('Keystone unreachable: degraded (cached tokens still serve), 200; the health check needs no token', async () => {
    const gw = await testGateway({ auth: { strategy: 'keystone', keystone: { url: 'http://127.0.0.1:9/v3', username: 'x', password: 'y', timeoutMs: 300 } } });
    const plain = await call(gw.app, '/healthcheck');
    expect(plain.status).toBe(200);
    const detail = (await call(gw.app, '/healthcheck', { headers: { Accept: 'application/json' } })).json();
    expect(detail.status).toBe('degraded');
    expect(detail.backends.identity).toEqual({ enabled: true, healthy: false, error: expect.stringContaining('unreachable') });
    expect((await call(gw.app, '/v1/servers')).status).toBe(401);
  });
});


describe('a listener of its own for health and metrics (`admin`)', () => {
  test('the API port no longer answers them; the admin port answers only them, counting the API port\'s requests', async () => {
    const s = await startServer(writeConfig({ admin: { host: '127.0.0.1', port: 0 } }));
    try {
      await vi.waitFor(() => expect(s.output()).toMatch(/health check and metrics on http:\/\/127\.0\.0\.1:\d+/), { timeout: 5000 });
      const admin = /health check and metrics on (http:\/\/[^\s"]+)/.exec(s.output())![1]!;
      expect(admin).not.toBe(s.url);
      expect((await fetch(`${s.url}/healthcheck`)).status).toBe(404);
      expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${s.url}/v1/flavors`)).status).toBe(200);
      const health = await fetch(`${admin}/healthcheck`);
      expect([health.status, await health.text()]).toEqual([200, 'OK']);
      const scrape = await (await fetch(`${admin}/metrics`)).text();
      expect(scrape).toMatch(/http_requests_total\{method="GET",route="\/v1\/flavors",status="200",version="v1"\} 1/);
      expect((await fetch(`${admin}/v1/flavors`)).status).toBe(404);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
