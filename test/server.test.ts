import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Hono } from 'hono';
import { listen } from '../src/server.ts';
import { runCli, startServer, writeConfig, type Spawned } from './support/process.ts';
import { hasReference, PROJECT, reference, validateOwn } from './support/xml.ts';
import { LISTED_V1 } from './support/shipped.ts';

const BAD = `${PROJECT}/test/fixtures/bad`;

/**
 * Served by @hono/node-server, request headers are read from Node's parsed headers rather than
 * the Fetch Headers (src/http/request.ts): every header the gateway reads, over a real socket.
 */
describe('request headers over a socket', () => {
  let server: Spawned & { url: string };
  beforeAll(async () => {
    server = await startServer(writeConfig({ durations: { BUILD: 0, 'RAX-CBS:ATTACHING': 0 } }));
  });
  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  test('Accept with q-values, the suffix, If-None-Match', async () => {
    const x = await fetch(`${server.url}/v1/extensions`, { headers: { Accept: 'application/json;q=0.5, application/xml' } });
    expect(x.headers.get('content-type')).toBe('application/xml');
    expect(x.headers.get('content-length')).toBe(String((await x.arrayBuffer()).byteLength));
    expect((await fetch(`${server.url}/v1/extensions.json`, { headers: { Accept: 'application/xml' } })).headers.get('content-type')).toBe('application/json');
    expect((await fetch(`${server.url}/v1/extensions`, { headers: { Accept: 'text/html' } })).status).toBe(406);
    const etag = x.headers.get('etag')!;
    const again = await fetch(`${server.url}/v1/extensions`, { headers: { Accept: 'application/xml', 'If-None-Match': `"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.url}/v1/extensions`, { headers: { 'If-None-Match': etag } })).status).toBe(200);
  });

  test('documents answered ahead of Hono are byte for byte what Hono answers', async () => {
    // `/v1/extensions` is answered by http/direct.ts; a query or a tenant sends the same request to Hono.
    for (const [path, accept] of [['/v1/extensions', 'application/xml'], ['/v1/extensions/RAX-DCF', 'application/json'], ['/v1/extensions/RAX-DCF', '*/*']]) {
      const direct = await fetch(`${server.url}${path}`, { headers: { Accept: accept } });
      const viaHono = await fetch(`${server.url}${path.replace('/v1/', '/v1/tenant-1/')}?`, { headers: { Accept: accept } });
      expect(direct.status).toBe(200);
      for (const h of ['content-type', 'content-length', 'etag', 'vary']) expect([h, direct.headers.get(h)]).toEqual([h, viaHono.headers.get(h)]);
      expect(await direct.text()).toBe(await viaHono.text());
    }
    expect((await fetch(`${server.url}/v1/extensions/RAX-NOPE`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/extensions`, { method: 'HEAD' })).headers.get('etag')).toMatch(/^"/);
  });

  test('Content-Type of a body, and the request and response headers of an extension', async () => {
    const body = JSON.stringify({ server: { name: 's', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } });
    expect((await fetch(`${server.url}/v1/servers`, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    const created = await fetch(`${server.url}/v1/servers`, { method: 'POST', body, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(created.status).toBe(202);
    const id = (await created.json()).server.id;
    const mount = await fetch(`${server.url}/v1/servers/${id}/action`, {
      method: 'POST',
      body: JSON.stringify({ 'RAX-CBS:mount_volume': { CBSID: '7' } }),
      headers: { 'Content-Type': 'application/json', 'rax-cbs-volume-type': 'SSD' },
    });
    expect(mount.status).toBe(202);
    const shown = await fetch(`${server.url}/v1/servers/${id}`);
    expect(shown.headers.get('RAX-CBS-Volumes-Attached')).toBe('1');
    expect((await shown.json()).server['RAX-CBS:volumes']).toEqual([{ CBSID: '7', type: 'SSD' }]);
  });
});

describe('npm start: a real listening gateway', () => {
  let server: Spawned & { url: string };
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  test('serves discovery in JSON and XML over a socket', async () => {
    const j = await fetch(`${server.url}/v1/extensions`);
    expect(j.status).toBe(200);
    expect(j.headers.get('content-length')).toBe(String((await j.clone().arrayBuffer()).byteLength));
    expect((await j.json()).extensions.map((e: { alias: string }) => e.alias)).toEqual(LISTED_V1);
    const x = await fetch(`${server.url}/v1/extensions`, { headers: { Accept: 'application/xml' } });
    const xml = await x.text();
    expect(x.headers.get('content-type')).toBe('application/xml');
    expect((await validateOwn(xml)).errors).toEqual([]);
    if (hasReference) expect((await reference.extensionsXsd(xml)).errors).toEqual([]);
  });

  test('the version document links back to the host and port the client used', async () => {
    const port = new URL(server.url).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/', headers: { Host: `localhost:${port}` } }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).version.links[0].href).toBe(`http://localhost:${port}/v1/`);
  });

  test('a malformed request line gets an HTTP error, not a crash', async () => {
    const port = Number(new URL(server.url).port);
    const net = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write('GARBAGE\r\n\r\n'));
      let s = '';
      sock.on('data', (d) => (s += d));
      sock.on('close', () => resolve(s));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/v1/extensions`)).status).toBe(200);
  });
});

describe('shutdown', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s: exits 0 and stops listening', async (signal) => {
    const s = await startServer(writeConfig({ shutdownDrainMs: 0 }));
    expect((await fetch(`${s.url}/`)).status).toBe(200);
    s.child.kill(signal);
    expect(await s.exited).toBe(0);
    await expect(fetch(`${s.url}/`)).rejects.toThrow();
  });

  test('SIGTERM drains: the health check answers 503 at once, requests are still served for shutdownDrainMs, then it exits', async () => {
    const s = await startServer(writeConfig({ shutdownDrainMs: 1500 }));
    expect((await fetch(`${s.url}/healthcheck`)).status).toBe(200);
    const sent = Date.now();
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const health = await fetch(`${s.url}/healthcheck`, { headers: { Accept: 'application/json' } });
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unhealthy', draining: true });
    // A new connection is still served meanwhile.
    expect((await fetch(`${s.url}/v1/servers`, { headers: { Connection: 'close' } })).status).toBe(200);
    expect(await s.exited).toBe(0);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1400);
    expect(s.output()).toMatch(/SIGTERM: the health check answers 503 from now; serving for 1500 ms more/);
  });

  test('an in-flight request finishes before the server closes', async () => {
    const app = new Hono();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.get('/slow', async (c) => {
      await gate;
      return c.text('done');
    });
    const s = await listen(app, '127.0.0.1', 0);
    const inFlight = fetch(`${s.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    let closed = false;
    const closing = s.close(5000).then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release();
    const res = await inFlight;
    expect(await res.text()).toBe('done');
    await closing;
    expect(closed).toBe(true);
  });
});

describe('bad extensions at boot', () => {
  const badConfig = () => writeConfig({ extensions: { paths: [BAD] } });

  test('serve refuses to start and names every problem', async () => {
    const s = runCli(['serve', '--config', badConfig()], { PORT: '0' });
    expect(await s.exited).toBe(1);
    const out = s.output();
    expect(out).toContain('RAX-BAD: namespace:');
    expect(out).toContain('RAX-BAD: updated:');
    expect(out).toContain('RAX-BAD: links:');
    expect(out).toContain('[pdf-link]');
  });

  test('with onInvalid "skip" it serves the others and logs what it left out', async () => {
    const s = await startServer(writeConfig({ extensions: { paths: [BAD], onInvalid: 'skip' } }));
    try {
      expect(s.output()).toContain('extension left out: RAX-BAD: updated:');
      const aliases = (await (await fetch(`${s.url}/v1/extensions`)).json()).extensions.map((e: { alias: string }) => e.alias);
      expect(aliases).not.toContain('RAX-BAD');
      expect(aliases).toContain('RAX-BAK');
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test('check: exit 1 with the report, without serving', async () => {
    const s = runCli(['check', '--config', badConfig()]);
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('RAX-BAD: updated: "last tuesday" must be an xsd:dateTime timestamp');
    expect(s.output()).toContain('3 problem(s)');
  });

  test('check: exit 0 on the shipped extensions; each version\'s aliases as its lineage spells them', async () => {
    const s = runCli(['check']);
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('v1: MLTI-TAGS, OS-DCF, OS-LOCK, RAX-ATOM, RAX-BAK, RAX-CBS, RAX-DCF (old name of OS-DCF), RAX-DESC, RAX-EDIT, RAX-PATCH, RAX-PIE\n');
    expect(s.output()).toContain('v2: OS-DCF, RAX-ATOM, RAX-BAK, RAX-CBS, RAX-DCF (old name of OS-DCF), RAX-DESC, RAX-EDIT, RAX-PATCH, RAX-PIE; in core: MLTI-TAGS, OS-LOCK\n');
  });

  test('check --names: every name each version serves, its owner and where it came from', async () => {
    const s = runCli(['check', '--names']);
    expect(await s.exited).toBe(0);
    const [v1, v2] = s.output().split(/\nv2 \(CURRENT\)/);
    const row = (text: string, ...cells: string[]) => expect(text).toMatch(new RegExp(`^  ${cells.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(' +')}$`, 'm'));
    row(v1!, 'attribute', 'server', 'OS-DCF:diskConfig', 'RAX-DCF', 'promoted by spec/promotions.json promotions[0]');
    row(v1!, 'attribute', 'server', 'RAX-DCF:diskConfig', 'RAX-DCF', 'old name (both) by spec/promotions.json promotions[0]');
    row(v1!, 'action', 'server', 'OS-LOCK:lock', 'OS-LOCK', 'defined');
    row(v1!, 'state', 'server', 'RAX-CBS:ATTACHING', 'RAX-CBS', 'defined');
    row(v1!, 'route', 'servers', 'GET /servers/{server_id}/RAX-BAK/backup-schedule', 'RAX-BAK', 'defined');
    row(v1!, 'action', 'server', 'reboot', 'core', 'core');
    row(v2!, 'action', 'server', 'lock', 'OS-LOCK', 'promoted by spec/promotions.json promotions[1]');
    row(v2!, 'action', 'server', 'OS-LOCK:lock', 'OS-LOCK', 'old name (refuse) by spec/promotions.json promotions[1]');
    row(v2!, 'parameter', 'servers', 'tags', 'MLTI-TAGS', 'promoted by spec/promotions.json promotions[2]');
    row(v2!, 'header', 'request', 'RAX-CBS-Volume-Type', 'RAX-CBS', 'defined');
    row(v2!, 'media type', 'servers', 'application/atom+xml;ext=RAX-ATOM', 'RAX-ATOM', 'defined');
  });

  test('a bad config file is reported, not a stack trace', async () => {
    const s = runCli(['check', '--config', writeConfig({ port: 'eighty', versions: [] })]);
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('invalid configuration');
    expect(s.output()).toContain('port');
    expect(s.output()).toContain('versions');
    expect(s.output()).not.toMatch(/at .*\.ts:\d+/);
  });
});
