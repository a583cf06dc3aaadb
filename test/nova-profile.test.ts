import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { profileInput } from '../src/config.ts';
import { call, parseXml, testGateway, XML, type TestGateway } from './support/gateway.ts';
import { createServer, FLAVOR, IMAGE, json, xml } from './support/compute.ts';
import { hasReference, reference } from './support/xml.ts';

/**
 * The nova profile: exactly nova's extension set (profiles/nova.json, extensions/nova/), so that a
 * client written for nova, and tempest's strict schemas, see nova. Every check in JSON and XML.
 */
const NOVA_ALIASES = [
  'OS-DCF', 'OS-EXT-AZ', 'OS-EXT-IMG-SIZE', 'OS-EXT-SRV-ATTR', 'OS-EXT-STS', 'OS-FLV-EXT-DATA', 'OS-SRV-USG',
  'os-admin-actions', 'os-extended-volumes', 'os-flavor-access', 'os-flavor-swap', 'os-server-start-stop',
];
/** tempest's compute schema for a server (v2.1 get_server), with additionalProperties false: these keys and no others. */
const SERVER_KEYS = [
  'id', 'name', 'status', 'progress', 'hostId', 'tenant_id', 'user_id', 'created', 'updated', 'accessIPv4', 'accessIPv6',
  'image', 'flavor', 'metadata', 'addresses', 'links',
  'OS-DCF:diskConfig', 'OS-EXT-AZ:availability_zone', 'OS-EXT-STS:vm_state', 'OS-EXT-STS:task_state', 'OS-EXT-STS:power_state',
  'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at', 'OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name',
  'OS-EXT-SRV-ATTR:hypervisor_hostname', 'os-extended-volumes:volumes_attached',
];
const STS = 'http://docs.openstack.org/compute/ext/extended_status/api/v1.1';
const CORE = 'http://docs.openstack.org/compute/api/v1.1';

let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway(profileInput('nova'));
});
afterEach(() => gw.close());

const server = async (id: string, version = 'v2') => (await call(gw.app, `/${version}/servers/${id}`)).json().server;
const act = (id: string, body: unknown) => call(gw.app, `/v2/servers/${id}/action`, json('POST', body));
const activeServer = async () => {
  const id = await createServer(gw.app, {}, 'v2');
  gw.clock.advance(2000);
  return id;
};

describe('what the nova profile serves', () => {
  test('discovery lists nova\'s aliases (and RAX-DCF, the old name OS-DCF keeps readable)', async () => {
    const aliases = (await call(gw.app, '/v2/extensions')).json().extensions.map((e: { alias: string }) => e.alias);
    expect(aliases.filter((a: string) => a !== 'RAX-DCF')).toEqual(NOVA_ALIASES);
    const x = parseXml((await call(gw.app, '/v2/extensions', XML)).text);
    expect(x.extensions.extension.map((e: Record<string, string>) => e['@alias'])).toContain('os-flavor-access');
  });

  test.skipIf(!hasReference)('discovery XML passes the published extensions XSD (multi-dash alias form) and nova\'s RelaxNG', async () => {
    const text = (await call(gw.app, '/v2/extensions', XML)).text;
    expect((await reference.extensionsXsdRelaxedAlias(text)).errors).toEqual([]);
    expect((await reference.extensionsRng(text)).errors).toEqual([]);
  });

  test('a server has nova\'s keys and no others; its state in nova\'s three fields', async () => {
    const r = await call(gw.app, '/v2/servers', json('POST', { server: { name: 'web', imageRef: IMAGE, flavorRef: FLAVOR } }));
    expect(r.status).toBe(202);
    expect(Object.keys(r.json().server).sort()).toEqual(['OS-DCF:diskConfig', 'adminPass', 'id', 'links']);
    const id = r.json().server.id;
    const building = await server(id);
    expect(Object.keys(building).sort()).toEqual([...SERVER_KEYS].sort());
    expect(building).toMatchObject({
      status: 'BUILD', 'OS-EXT-STS:vm_state': 'building', 'OS-EXT-STS:task_state': 'spawning', 'OS-EXT-STS:power_state': 0,
      'OS-SRV-USG:launched_at': null, 'OS-SRV-USG:terminated_at': null, 'OS-EXT-AZ:availability_zone': 'nova',
      'os-extended-volumes:volumes_attached': [], 'OS-EXT-SRV-ATTR:instance_name': `instance-${id.slice(0, 8)}`,
    });
    gw.clock.advance(2000);
    const active = await server(id);
    expect(active).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:power_state': 1 });
    expect(active['OS-SRV-USG:launched_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
    // The detail list shows each server the same way.
    expect((await call(gw.app, '/v2/servers/detail')).json().servers[0]).toEqual(active);
  });

  test('an update answers the server without the show-only extensions\' fields, as nova\'s update did', async () => {
    const id = await activeServer();
    const r = await call(gw.app, `/v2/servers/${id}`, json('PUT', { server: { name: 'renamed' } }));
    expect(r.status).toBe(200);
    const shown = SERVER_KEYS.filter((k) => !/^(OS-EXT-|OS-SRV-USG|os-extended-volumes)/.test(k));
    expect(Object.keys(r.json().server).sort()).toEqual([...shown].sort());
    expect(r.json().server.name).toBe('renamed');
  });

  test('XML: the same fields as attributes in each extension\'s namespace; nulls left out', async () => {
    const id = await activeServer();
    const r = await call(gw.app, `/v2/servers/${id}`, XML);
    expect(r.text).toContain(`xmlns:OS-EXT-STS="${STS}"`);
    const s = parseXml(r.text).server;
    expect(s).toMatchObject({ '@OS-EXT-STS:vm_state': 'active', '@OS-EXT-STS:power_state': '1', '@OS-EXT-AZ:availability_zone': 'nova' });
    expect(s['@OS-EXT-STS:task_state']).toBeUndefined();
    expect(s['@OS-SRV-USG:terminated_at']).toBeUndefined();
  });

  test('flavors: swap ("" when none, else MB), ephemeral and is_public, in JSON and XML', async () => {
    const flavors = (await call(gw.app, '/v2/flavors/detail')).json().flavors;
    expect(flavors.map((f: Record<string, unknown>) => [f.name, f.swap])).toEqual([['m1.tiny', ''], ['m1.small', ''], ['m1.medium', 512]]);
    expect(Object.keys(flavors[0]).sort()).toEqual(['OS-FLV-EXT-DATA:ephemeral', 'disk', 'id', 'links', 'name', 'os-flavor-access:is_public', 'ram', 'swap', 'vcpus']);
    expect(flavors[0]).toMatchObject({ 'OS-FLV-EXT-DATA:ephemeral': 0, 'os-flavor-access:is_public': true });
    const x = parseXml((await call(gw.app, `/v2/flavors/${FLAVOR}`, XML)).text).flavor;
    expect(x).toMatchObject({ '@swap': '', '@OS-FLV-EXT-DATA:ephemeral': '0', '@os-flavor-access:is_public': 'true' });
  });

  test('images: OS-EXT-IMG-SIZE:size in bytes', async () => {
    const image = (await call(gw.app, `/v2/images/${IMAGE}`)).json().image;
    expect(image['OS-EXT-IMG-SIZE:size']).toBe(1024 ** 3);
    expect(parseXml((await call(gw.app, `/v2/images/${IMAGE}`, XML)).text).image['@OS-EXT-IMG-SIZE:size']).toBe(String(1024 ** 3));
  });
});

describe('nova\'s bare actions', () => {
  test('os-stop and os-start (JSON and XML): SHUTOFF and back; from the wrong state, 409', async () => {
    const id = await activeServer();
    expect((await act(id, { 'os-start': null })).status).toBe(409);
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    const stopped = await server(id);
    expect(stopped).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:power_state': 4 });
    expect(stopped.progress).toBeUndefined(); // nova shows progress only while building (and once ACTIVE)
    expect((await call(gw.app, '/v2/servers?status=SHUTOFF')).json().servers.map((s: { id: string }) => s.id)).toEqual([id]);
    const reboot = await act(id, { reboot: { type: 'SOFT' } });
    expect(reboot.status).toBe(409);
    expect((await call(gw.app, `/v2/servers/${id}/action`, xml('POST', `<os-start xmlns="${CORE}"/>`))).status).toBe(202);
    expect((await server(id)).status).toBe('ACTIVE');
  });

  test('a stopped server can be snapshotted (SHUTOFF allows createImage), and stays stopped', async () => {
    const id = await activeServer();
    await act(id, { 'os-stop': null });
    const r = await act(id, { createImage: { name: 'cold' } });
    expect(r.status).toBe(202);
    expect(await server(id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:task_state': 'image_snapshot' });
    gw.clock.advance(2000);
    expect((await server(id))['OS-EXT-STS:task_state']).toBeNull();
  });

  test('lock and unlock: a locked server refuses actions and deletion with 409 before anything changes; locked is not shown', async () => {
    const id = await activeServer();
    expect((await act(id, { lock: null })).status).toBe(202);
    const refused = await act(id, { 'os-stop': null });
    expect(refused.status).toBe(409);
    expect(refused.json().conflictingRequest.message).toContain('locked');
    expect((await call(gw.app, `/v2/servers/${id}`, { method: 'DELETE' })).status).toBe(409);
    const s = await server(id);
    expect(s.status).toBe('ACTIVE');
    expect(Object.keys(s).some((k) => k.includes('locked'))).toBe(false);
    expect((await call(gw.app, `/v2/servers/${id}/action`, xml('POST', `<unlock xmlns="${CORE}"/>`))).status).toBe(202);
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
  });

  test('the names nova did not have are refused, as unknown actions', async () => {
    const id = await activeServer();
    const r = await act(id, { 'os-server-start-stop:os-stop': null });
    expect(r.status).toBe(400);
    expect((await act(id, { 'OS-LOCK:lock': null })).status).toBe(400);
  });
});

describe('the extensions a client of nova expects', () => {
  test('RAX-DCF\'s old names are read but never written under the nova profile (oldNames: accept)', async () => {
    const r = await call(gw.app, '/v2/servers', json('POST', { server: { name: 'old', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'MANUAL' } }));
    expect(r.status).toBe(202);
    const s = await server(r.json().server.id);
    expect(s['OS-DCF:diskConfig']).toBe('MANUAL');
    expect(s['RAX-DCF:diskConfig']).toBeUndefined();
  });
});
