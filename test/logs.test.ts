import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { runCli, startServer, writeConfig, type Spawned } from './support/process.ts';

/**
 * The logs of `npm start` as an operator reads them: one JSON line per event on stdout, a request
 * followed from the client's x-openstack-request-id to its line, no token anywhere.
 */
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const FLAVOR = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001';
const TOKEN = 'gAAAAA-a-secret-token-that-must-never-be-logged';
const GLOBAL = 'req-0b6e7c38-54a9-4d8b-9a3c-7f1b2e3d4c5a';

let s: Spawned & { url: string };
const ids: Record<string, string> = {};
beforeAll(async () => {
  s = await startServer(writeConfig({ durations: { BUILD: 0 }, shutdownDrainMs: 0 }));
  const call = async (name: string, path: string, init: RequestInit = {}) => {
    const r = await fetch(`${s.url}${path}`, init);
    await r.arrayBuffer();
    ids[name] = r.headers.get('x-openstack-request-id')!;
    return r;
  };
  const created = await call('create', '/v1/alpha/servers', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN, 'X-OpenStack-Request-ID': GLOBAL },
    body: JSON.stringify({ server: { name: 'logged', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'AUTO', adminPass: 'a-password-never-logged' } }),
  });
  const id = (await (await fetch(created.headers.get('location')!)).json()).server.id;
  await call('show', `/v1/servers/${id}`, { headers: { 'X-OpenStack-Request-ID': 'not-a-request-id' } });
  await call('missing', '/v1/servers/00000000-0000-4000-8000-000000000000');
  await call('reboot', `/v1/servers/${id}/action`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reboot: { type: 'SOFT' } }) });
  await call('extensions', '/v1/extensions');
  // A project a client chose, with what JSON must escape.
  await call('odd', '/v1/a%22b%5Cc%E2%9C%93/servers');
  s.child.kill('SIGTERM');
  await s.exited;
});
afterAll(() => s?.child.kill('SIGKILL'));

const lines = (): Record<string, unknown>[] =>
  s.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
const lineOf = (reqId: string) => lines().find((l) => l.reqId === reqId);

describe('logs', () => {
  test('every line on stdout is JSON with a time, a level and a message', () => {
    const out = s.output().split('\n').filter((l) => l.trim() !== '');
    expect(out.length).toBeGreaterThan(5);
    for (const l of out) {
      const j = JSON.parse(l);
      expect(j).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String), service: 'extgate' });
    }
  });

  test('a request, found by the id its client got: route template, status, time, project, user, extensions, old names, the client\'s global id', () => {
    expect(lineOf(ids.create!)).toMatchObject({
      msg: 'request', method: 'POST', route: '/v1/servers', status: 202, version: 'v1', project: 'alpha', user: 'extgate',
      globalReqId: GLOBAL, oldNames: ['RAX-DCF:diskConfig'], ms: expect.any(Number),
    });
    // OS-LOCK's hook runs on every action (a locked server refuses them).
    expect(lineOf(ids.reboot!)).toMatchObject({ route: '/v1/servers/{server_id}/action', status: 202, extensions: expect.arrayContaining(['OS-LOCK']) });
    // A malformed global id is not logged as one; ids are never in the route.
    expect(lineOf(ids.show!)).toMatchObject({ route: '/v1/servers/{server_id}', status: 200 });
    expect(lineOf(ids.show!)!.globalReqId).toBeUndefined();
    expect(lineOf(ids.missing!)).toMatchObject({ route: '/v1/servers/{server_id}', status: 404 });
    expect(lineOf(ids.extensions!)).toMatchObject({ route: '/v1/extensions', status: 200, bytes: expect.any(Number) });
    expect(lineOf(ids.extensions!)!.bytes).toBeGreaterThan(1000);
    expect(lineOf(ids.odd!)).toMatchObject({ route: '/v1/servers', status: 200, project: 'a"b\\c✓' });
    for (const l of lines()) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('start-up says what was loaded; shutdown says how it drained; no token or password anywhere', () => {
    const started = lines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('extgate listening on'));
    expect(started).toMatchObject({ level: 'info', auth: 'noauth', apiVersions: expect.arrayContaining([expect.objectContaining({ id: 'v1', extensions: expect.arrayContaining(['RAX-BAK']) })]) });
    expect(lines().map((l) => l.msg)).toEqual(expect.arrayContaining(['SIGTERM: stopped']));
    expect(s.output()).not.toContain(TOKEN);
    expect(s.output()).not.toContain('a-password-never-logged');
  });
});

describe('for a person at a terminal', () => {
  test('LOG_FORMAT=pretty (the default when stdout is a terminal): pino-pretty\'s lines, one per event; a bad LOG_FORMAT stops the start', async () => {
    const p = await startServer(writeConfig({ shutdownDrainMs: 0 }), [], { LOG_FORMAT: 'pretty' });
    try {
      await (await fetch(`${p.url}/v1/flavors`)).arrayBuffer();
      await vi.waitFor(() => expect(p.output()).toMatch(/\] INFO: request \{.*"route":"\/v1\/flavors".*"status":200/), { timeout: 3000 });
      expect(p.output()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: extgate listening on http:/m);
      expect(p.output().split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    } finally {
      p.child.kill('SIGKILL');
    }
    const bad = runCli(['serve', '--config', writeConfig({})], { LOG_FORMAT: 'fancy', PORT: '0' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('logFormat');
  });
});
