import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startGlanceStub, type GlanceStub } from '../conformance/glance-stub.ts';
import { startCountingProxy, type CountingProxy } from './harness/counting-proxy.ts';
import { startKeystone, type Credentials, type Keystone } from './harness/keystone.ts';
import { startServer, writeConfig, type Spawned } from './support/process.ts';
import { hasGophercloud, hasOpenstacksdk, PYTHON } from './support/clients.ts';
import { PROJECT } from './support/xml.ts';
import { parseXml, testGateway } from './support/gateway.ts';
import { listen } from '../src/server.ts';

/**
 * The keystone strategy against a real Keystone (Debian `keystone`, served by waitress), with
 * extgate as `npm start` runs it: unmodified clients (the openstack CLI, openstacksdk, gophercloud)
 * authenticate with passwords and find extgate in the catalog; projects are kept apart; roles and
 * policy decide. A counting proxy between extgate and Keystone sees every validation, and plays an
 * outage. `.ci/run` installs the packages; elsewhere, without them, this file is skipped.
 */
const GOPATH = '/usr/share/gocode';
const hasKeystone = existsSync('/usr/bin/keystone-manage') && existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import waitress'], { stdio: 'ignore' }).status === 0;
const hasCli = existsSync('/usr/bin/openstack');
const hasSdk = hasOpenstacksdk;
if (process.env.EXTGATE_REQUIRE_CLIENTS === '1' && !(hasKeystone && hasCli)) {
  throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but keystone, python3-waitress or python3-openstackclient is missing');
}

const SERVICE_PASSWORD = 'extgate-service-pw';

interface Person {
  readonly credentials: Credentials;
  readonly userId: string;
  readonly projectId: string;
  token: string;
}

let keystone: Keystone;
let proxy: CountingProxy;
let glance: GlanceStub;
let extgate: Spawned & { url: string };
const people: Record<'alice' | 'rita' | 'bob' | 'carol', Person> = {} as never;
const validations = () => proxy.count('GET /v3/auth/tokens');

beforeAll(async () => {
  if (!hasKeystone) return;
  proxy = await startCountingProxy();
  const config = writeConfig({
    durations: { BUILD: 300, REBOOT: 300, HARD_REBOOT: 300 },
    rateLimits: [{ verb: 'POST', value: 1000, unit: 'MINUTE' }],
    auth: { strategy: 'keystone', keystone: { url: `${proxy.url}/v3`, username: 'extgate', project: 'service' }, cacheSeconds: 300 },
  });
  // The service password comes from the environment, as the README says to pass it.
  [keystone, extgate] = await Promise.all([startKeystone(), startServer(config, [], { EXTGATE_KEYSTONE_PASSWORD: SERVICE_PASSWORD })]);
  proxy.target = new URL(keystone.url).origin;
  const ks = keystone.client;
  const service = await ks.createProject('service');
  const user = await ks.createUser('extgate', SERVICE_PASSWORD);
  await ks.assignRole(service.id, user.id, 'service');
  for (const [project, members] of [['alpha', [['alice', 'member'], ['rita', 'reader']]], ['beta', [['bob', 'member']]], ['ops', [['carol', 'admin']]]] as const) {
    const p = await ks.createProject(project);
    for (const [name, role] of members) {
      const u = await ks.createUser(name, `${name}-pw`);
      await ks.assignRole(p.id, u.id, role);
      people[name] = { credentials: { user: name, password: `${name}-pw`, project }, userId: u.id, projectId: p.id, token: '' };
    }
  }
  glance = await startGlanceStub(`${extgate.url}/v2`);
  await ks.registerService('compute', 'nova', `${extgate.url}/v2/$(project_id)s`, keystone.region);
  await ks.registerService('image', 'glance', glance.url, keystone.region);
  for (const p of Object.values(people)) p.token = (await ks.issueToken(p.credentials)).id;
}, 180_000);

afterAll(async () => {
  extgate?.child.kill('SIGKILL');
  await glance?.stop();
  await proxy?.close();
  await keystone?.stop();
});

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${extgate.url}${path}`, { headers: { ...(token === undefined ? {} : { 'X-Auth-Token': token }), ...headers } });
const send = (method: string, path: string, token: string, body?: unknown) =>
  fetch(`${extgate.url}${path}`, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const createServer = async (who: Person, name: string): Promise<string> => {
  const r = await send('POST', '/v1/servers', who.token, { server: { name, imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001' } });
  expect(r.status).toBe(202);
  return ((await r.json()) as { server: { id: string } }).server.id;
};
const ids = async (r: Response): Promise<string[]> => ((await r.json()) as { servers: { id: string }[] }).servers.map((s) => s.id);

describe.skipIf(!hasKeystone)('Keystone tokens (a real Keystone, extgate over a socket)', () => {
  test('no token, a garbage or malformed one: 401 with WWW-Authenticate, in JSON and XML, before any routing; version documents are public', async () => {
    for (const path of ['/', '/v1', '/v2/']) expect((await get(path)).status, path).toBe(200);
    const none = await get('/v1/servers');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Keystone uri="${proxy.url}/v3"`);
    expect(await none.json()).toEqual({ unauthorized: { code: 401, message: 'Authentication required: send a Keystone token in X-Auth-Token.' } });
    const xml = await get('/v1/servers', undefined, { Accept: 'application/xml' });
    expect(parseXml(await xml.text()).unauthorized['@code']).toBe('401');
    // Not a 404 or a 405 either: nothing is disclosed to a caller without a valid token.
    expect((await get('/v1/no-such-thing')).status).toBe(401);
    expect((await get('/v1/extensions')).status).toBe(401);
    const before = validations();
    expect((await get('/v1/servers', 'gAAAAAnot-a-token')).status).toBe(401);
    expect((await get('/v1/servers', 'gAAAAAnot-a-token')).status).toBe(401);
    expect(validations() - before).toBe(1); // an invalid token is remembered too
    expect((await get('/v1/servers', 'has a space')).status).toBe(401);
    expect(validations() - before).toBe(1); // a malformed one never reaches Keystone
  });

  test('alice\'s server is hers: tenant and user from the token; bob cannot see it; carol (admin) lists it with all_tenants; rita (reader) reads only', async () => {
    const { alice, bob, carol, rita } = people;
    const id = await createServer(alice, 'alice-1');
    const shown = (await (await get(`/v1/${alice.projectId}/servers/${id}`, alice.token)).json()) as { server: { tenant_id: string; user_id: string } };
    expect(shown.server).toMatchObject({ tenant_id: alice.projectId, user_id: alice.userId });
    expect(await ids(await get('/v1/servers', alice.token))).toContain(id);

    expect(await ids(await get('/v1/servers/detail', bob.token))).not.toContain(id);
    expect((await get(`/v1/servers/${id}`, bob.token)).status).toBe(404);
    expect((await send('POST', `/v1/servers/${id}/action`, bob.token, { reboot: { type: 'HARD' } })).status).toBe(404);
    expect((await send('PUT', `/v1/servers/${id}`, bob.token, { server: { name: 'bobs' } })).status).toBe(404);
    expect((await send('DELETE', `/v1/servers/${id}`, bob.token)).status).toBe(404);
    // alice's token on bob's tenant URL
    const crossed = await get(`/v1/${bob.projectId}/servers`, alice.token);
    expect(crossed.status).toBe(403);
    expect(((await crossed.json()) as { forbidden: { message: string } }).forbidden.message).toContain(alice.projectId);

    expect(await ids(await get('/v1/servers?all_tenants=1', carol.token))).toContain(id);
    expect(await ids(await get('/v1/servers', carol.token))).not.toContain(id);
    expect((await get(`/v1/servers/${id}`, carol.token)).status).toBe(200);
    const notAdmin = await get('/v1/servers?all_tenants=1', alice.token);
    expect(notAdmin.status).toBe(403);

    expect(await ids(await get('/v1/servers', rita.token))).toContain(id);
    const readerCreate = await send('POST', '/v1/servers', rita.token, { server: { name: 'x', imageRef: 'a', flavorRef: 'b' } });
    expect(readerCreate.status).toBe(403);
    expect(await readerCreate.json()).toEqual({ forbidden: { code: 403, message: 'Policy doesn\'t allow os_compute_api:servers:create to be performed.' } });
    const readerReboot = await send('POST', `/v1/servers/${id}/action`, rita.token, { reboot: { type: 'SOFT' } });
    expect(readerReboot.status).toBe(403);
    // Nothing changed: still alice's name, not rebooting.
    const after = (await (await get(`/v1/servers/${id}`, alice.token)).json()) as { server: { name: string; status: string } };
    expect(after.server.name).toBe('alice-1');
    expect(after.server.status).not.toMatch(/REBOOT/);
    // Extension data follows its resource: bob cannot read alice's backup schedule either.
    expect((await get(`/v1/servers/${id}/RAX-BAK/backup-schedule`, bob.token)).status).toBe(404);
    expect((await get(`/v1/servers/${id}/RAX-BAK/backup-schedule`, alice.token)).status).toBe(200);
  });

  test('a hundred requests with one new token, fifty at once: one validation', async () => {
    const token = (await keystone.client.issueToken(people.alice.credentials)).id;
    const before = validations();
    const first = await Promise.all(Array.from({ length: 50 }, () => get('/v1/servers', token)));
    expect(first.map((r) => r.status)).toEqual(Array(50).fill(200));
    for (let i = 0; i < 50; i++) expect((await get('/v1/flavors', token)).status).toBe(200);
    expect(validations() - before).toBe(1);
    // The discovery documents answered ahead of Hono take a cached token too.
    expect((await get('/v1/extensions', token)).status).toBe(200);
  });

  test('a revoked token is a 401', async () => {
    const token = (await keystone.client.issueToken(people.bob.credentials)).id;
    await fetch(`${keystone.url}/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } });
    expect((await get('/v1/servers', token)).status).toBe(401);
  });

  test('its own service token refused (revoked), the gateway gets a new one and goes on', async () => {
    const service = proxy.headers('GET /v3/auth/tokens', 'x-auth-token').at(-1)!;
    await fetch(`${keystone.url}/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': service, 'X-Subject-Token': service } });
    const obtained = proxy.count('POST /v3/auth/tokens');
    const token = (await keystone.client.issueToken(people.bob.credentials)).id;
    expect((await get('/v1/servers', token)).status).toBe(200);
    expect(proxy.count('POST /v3/auth/tokens')).toBe(obtained + 1);
    expect(proxy.headers('GET /v3/auth/tokens', 'x-auth-token').at(-1)).not.toBe(service);
  });

  test('Keystone unreachable or failing: new tokens get 503 with Retry-After; cached tokens still work', async () => {
    const fresh = (await keystone.client.issueToken(people.bob.credentials)).id;
    try {
      for (const mode of ['down', 'failing'] as const) {
        proxy.mode = mode;
        const r = await get('/v1/servers', fresh, { Accept: 'application/xml' });
        expect(r.status, mode).toBe(503);
        expect(r.headers.get('retry-after')).toBe('5');
        expect(parseXml(await r.text()).serviceUnavailable['@code']).toBe('503');
        expect((await get('/v1/servers', people.alice.token)).status, `${mode}: a cached token`).toBe(200);
      }
    } finally {
      proxy.mode = 'up';
    }
    expect((await get('/v1/servers', fresh)).status).toBe(200);
    // Logs are written in batches, at least every second.
    await vi.waitFor(() => expect(extgate.output()).toMatch(/identity: Keystone at .* is unreachable/), { timeout: 3000, interval: 100 });
    expect(extgate.output()).not.toContain(SERVICE_PASSWORD);
  });

  test('a cached token is trusted for cacheSeconds at most: revoked meanwhile, it is refused once its entry expires', async () => {
    const gw = await testGateway({ auth: { strategy: 'keystone', keystone: { url: `${proxy.url}/v3`, username: 'extgate', password: SERVICE_PASSWORD, project: 'service' }, cacheSeconds: 1 } });
    const server = await listen(gw.app, '127.0.0.1', 0);
    try {
      const token = (await keystone.client.issueToken(people.alice.credentials)).id;
      const at = (t: string) => fetch(`${server.url}/v1/servers`, { headers: { 'X-Auth-Token': t } });
      expect((await at(token)).status).toBe(200);
      await fetch(`${keystone.url}/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } });
      expect((await at(token)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await at(token)).status).toBe(401);
    } finally {
      await server.close(0);
    }
  });
});

/**
 * Clients run asynchronously: the counting proxy lives in this process, and a synchronous child
 * would stop it from answering the gateway the client is talking to.
 */
const exec = promisify(execFile);
const run = async (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> => (await exec(cmd, args, { encoding: 'utf8', timeout: 120_000, env })).stdout;

/** The openstack CLI as one of the people, through the catalog. */
const openstack = async (who: Person, args: string[]): Promise<{ status: number | null; out: string; err: string }> => {
  const r = await exec('openstack', args, {
    encoding: 'utf8', timeout: 120_000,
    env: {
      ...process.env, OS_AUTH_URL: keystone.url, OS_USERNAME: who.credentials.user, OS_PASSWORD: who.credentials.password,
      OS_PROJECT_NAME: who.credentials.project, OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: keystone.region, OS_IDENTITY_API_VERSION: '3',
    },
  }).then(
    (ok) => ({ status: 0, out: ok.stdout, err: ok.stderr }),
    (failed: { code?: number; stdout?: string; stderr?: string }) => ({ status: failed.code ?? null, out: failed.stdout ?? '', err: failed.stderr ?? '' }),
  );
  return r;
};

describe.skipIf(!hasKeystone)('unmodified clients authenticate against Keystone and find extgate in the catalog', () => {
  test.skipIf(!hasCli)('the openstack CLI: alice creates, lists, shows, reboots and deletes; bob does not see it; carol does with --all-projects; rita cannot create', async () => {
    const { alice, bob, carol, rita } = people;
    const created = await openstack(alice, ['server', 'create', '--image', 'cirros-0.6.2', '--flavor', 'm1.tiny', '--wait', '-f', 'json', 'cli-alice']);
    expect(created.status, created.err).toBe(0);
    const server = JSON.parse(created.out) as { id: string; status: string; project_id: string; user_id: string };
    expect(server).toMatchObject({ status: 'ACTIVE', project_id: alice.projectId, user_id: alice.userId });
    expect((await openstack(alice, ['server', 'reboot', '--wait', server.id])).status).toBe(0);
    // The others at once: each CLI run is a few seconds of Python.
    const [listed, shown, bobList, bobShow, carolList, ritaCreate, limits] = await Promise.all([
      openstack(alice, ['server', 'list', '-f', 'value', '-c', 'ID']),
      openstack(alice, ['server', 'show', server.id, '-f', 'value', '-c', 'status']),
      openstack(bob, ['server', 'list', '-f', 'value', '-c', 'ID']),
      openstack(bob, ['server', 'show', server.id]),
      openstack(carol, ['server', 'list', '--all-projects', '-f', 'value', '-c', 'ID']),
      openstack(rita, ['server', 'create', '--image', 'cirros-0.6.2', '--flavor', 'm1.tiny', 'cli-rita']),
      openstack(alice, ['limits', 'show', '--rate', '-f', 'json']),
    ]);
    expect(listed.out).toContain(server.id);
    expect(shown.out.trim()).toBe('ACTIVE');
    expect(bobList.status).toBe(0);
    expect(bobList.out).not.toContain(server.id);
    expect(bobShow.status).not.toBe(0);
    expect(bobShow.err).toContain(`No server with a name or ID of '${server.id}' exists.`);
    expect(carolList.out).toContain(server.id);
    expect(ritaCreate.err).toContain('Policy doesn\'t allow os_compute_api:servers:create to be performed. (HTTP 403)');
    // Alice's project's rate limits (a bucket of 1,000 a minute refills while the CLI starts: no count to check).
    expect(limits.status, limits.err).toBe(0);
    expect(JSON.parse(limits.out)).toEqual([{ Verb: 'POST', URI: '*', Value: 1000, Remain: expect.any(Number), Unit: 'MINUTE', 'Next Available': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) }]);
    expect((await openstack(alice, ['server', 'delete', '--wait', server.id])).status).toBe(0);
    expect((await openstack(alice, ['server', 'list', '-f', 'value', '-c', 'ID'])).out).not.toContain(server.id);
  }, 240_000);

  test.skipIf(!hasSdk)('openstacksdk with passwords', async () => {
    const who = (p: Person) => `${p.credentials.user}:${p.credentials.password}@${p.credentials.project}`;
    const out = await run(PYTHON, [join(PROJECT, 'test/clients/openstacksdk_keystone.py'), keystone.url, who(people.alice), who(people.bob)]);
    expect(out).toContain(`catalog compute endpoint: ${extgate.url}/v2/${people.alice.projectId}`);
    expect(out).toContain('created: ACTIVE, project is the token\'s: True, user is the token\'s: True');
    expect(out).toContain('owner lists it: True');
    expect(out).toContain('other project lists it: False');
    expect(out).toContain('other project get_server: NotFoundException');
    expect(out).toContain('other project delete_server: NotFoundException');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 120_000);

  test.skipIf(!hasGophercloud)('gophercloud with passwords', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'extgate-gophercloud-'));
    const binary = join(cache, 'gophercloud-keystone');
    const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(cache, 'cache') };
    await run('go', ['build', '-o', binary, join(PROJECT, 'test/clients/gophercloud-keystone/main.go')], env);
    const { alice } = people;
    const out = await run(binary, [keystone.url, 'alice', 'alice-pw', 'alpha', 'bob', 'bob-pw', 'beta', alice.projectId]);
    expect(out).toContain(`catalog compute endpoint: ${extgate.url}/v2/${alice.projectId}/`);
    expect(out).toContain('created: ACTIVE, tenant is the token\'s: true');
    expect(out).toContain('other project lists it: false');
    expect(out).toContain('other project get: 404 true');
    expect(out).toContain('other project delete: 404 true');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);
});
