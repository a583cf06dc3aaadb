import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listen, type RunningServer } from '../src/server.ts';
import { createServer as createNovaServer } from '../src/testing.ts';
import { testGateway, type TestGateway } from './support/gateway.ts';

/**
 * GET /metrics over a real socket, after a known mix of requests: the counters say what was sent,
 * under route templates (never ids); promtool (Debian `prometheus`) accepts the scrape when
 * installed; CI installs it.
 */
const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (process.env.EXTGATE_REQUIRE_CLIENTS === '1' && !hasPromtool) throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but promtool (Debian prometheus) is missing');

let gw: TestGateway;
let server: RunningServer;
let scrape: string;
beforeAll(async () => {
  gw = await testGateway();
  server = await listen(gw.app, '127.0.0.1', 0);
  const id = await createNovaServer(gw.app);
  gw.clock.advance(2000);
  const at = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init).then((r) => r.arrayBuffer());
  for (let i = 0; i < 5; i++) await at(`/v1/servers/${id}`);
  for (let i = 0; i < 3; i++) await at(`/v1/servers/${crypto.randomUUID()}`);
  await at('/v1/servers/detail');
  await at('/v1/extensions');
  await at('/v1/extensions/RAX-BAK');
  await at('/v1/extensions/OS-LOCK');
  await at('/v1/nothing-here');
  await at(`/v1/servers/${id}/action`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ 'RAX-CBS:mount_volume': { CBSID: '1' } }) });
  await at(`/v1/servers/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { 'RAX-DCF:diskConfig': 'AUTO' } }) });
  scrape = await (await fetch(`${server.url}/metrics`)).text();
});
afterAll(() => server?.close(0));

const value = (line: string): number => {
  const found = scrape.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
};

describe('metrics', () => {
  test('requests by method, route template, status and version; ids never in a label', () => {
    expect(value('http_requests_total{method="GET",route="/v1/servers/{server_id}",status="200",version="v1"}')).toBe(5);
    expect(value('http_requests_total{method="GET",route="/v1/servers/{server_id}",status="404",version="v1"}')).toBe(3);
    expect(value('http_requests_total{method="GET",route="/v1/servers/detail",status="200",version="v1"}')).toBe(1);
    // The list answered ahead of Hono, and two items under one template.
    expect(value('http_requests_total{method="GET",route="/v1/extensions",status="200",version="v1"}')).toBe(1);
    expect(value('http_requests_total{method="GET",route="/v1/extensions/{alias}",status="200",version="v1"}')).toBe(2);
    expect(value('http_requests_total{method="GET",route="(none)",status="404",version=""}')).toBe(1);
    expect(scrape).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(value('http_request_duration_seconds_count{method="GET",route="/v1/servers/{server_id}",status_class="2xx",version="v1"}')).toBe(5);
    expect(value('extgate_faults_total{code="404"}')).toBe(4);
    expect(value('http_requests_in_flight')).toBe(1); // the scrape itself
  });

  test('extensions loaded, their hooks timed, store operations timed, old names counted, process metrics', () => {
    expect(value('extgate_extensions{alias="RAX-BAK",vendor="RAX"}')).toBe(1);
    expect(value('extgate_extensions_loaded')).toBe(gw.registry.extensions.length);
    expect(scrape).toMatch(/extgate_extension_hook_duration_seconds_count\{alias="[A-Z-]+",hook="servers\.\w+:pre(Handler|Serialization)"\} \d+/);
    expect(value('extgate_store_operation_duration_seconds_count{operation="get"}')).toBeGreaterThan(0);
    expect(value('extgate_store_operation_duration_seconds_count{operation="commit"}')).toBeGreaterThan(0);
    // RAX-DCF is OS-DCF since v1 (spec/promotions.json): the PUT used its old name.
    expect(value('extgate_deprecated_name_uses_total{alias="RAX-DCF",name="RAX-DCF:diskConfig",kind="name"}')).toBe(1);
    expect(scrape).toContain('process_cpu_seconds_total');
    expect(scrape).toContain('# TYPE http_requests_total counter');
  });

  test.skipIf(!hasPromtool)('promtool check metrics accepts the scrape', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'extgate-metrics-')), 'scrape.txt');
    writeFileSync(file, scrape);
    const r = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
