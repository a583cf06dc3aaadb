import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, XML, type TestGateway } from '../../test/support/gateway.ts';
import { action, gatewayWithServer, json, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.openstack.org/compute/ext/lock/api/v1.1';
let gw: TestGateway;
let id: string;
beforeEach(async () => {
  ({ gw, id } = await gatewayWithServer());
});

test('lock (JSON) and unlock (XML): OS-LOCK:locked follows', async () => {
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server['OS-LOCK:locked']).toBe(false);
  expect((await action(gw.app, id, { 'OS-LOCK:lock': null })).status).toBe(202);
  expect(parseXml((await call(gw.app, `/v1/servers/${id}`, XML)).text).server['@OS-LOCK:locked']).toBe('true');
  expect((await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<unlock xmlns="${NS}"/>`))).status).toBe(202);
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server['OS-LOCK:locked']).toBe(false);
});

test('a locked server refuses actions, updates and deletion with 409, and nothing changes', async () => {
  await action(gw.app, id, { 'OS-LOCK:lock': {} });
  for (const [path, init] of [
    [`/v1/servers/${id}/action`, json('POST', { reboot: { type: 'HARD' } })],
    [`/v1/servers/${id}/action`, json('POST', { createImage: { name: 'x' } })],
    [`/v1/servers/${id}`, json('PUT', { server: { name: 'renamed' } })],
    [`/v1/servers/${id}`, { method: 'DELETE' }],
  ] as const) {
    const r = await call(gw.app, path, init);
    expect(r.status).toBe(409);
    expect(r.json().conflictingRequest.message).toContain('locked');
  }
  const s = (await call(gw.app, `/v1/servers/${id}`)).json().server;
  expect(s).toMatchObject({ name: 'web', status: 'ACTIVE' });
  expect((await call(gw.app, '/v1/images')).json().images).toHaveLength(2);
});

test('lock and unlock start from any state the registry has, an extension\'s too (from: "any")', async () => {
  expect((await action(gw.app, id, { reboot: { type: 'SOFT' } })).status).toBe(202);
  expect((await action(gw.app, id, { 'OS-LOCK:lock': null })).status).toBe(202);
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server).toMatchObject({ status: 'REBOOT', 'OS-LOCK:locked': true });
  gw.clock.advance(1000);
  await action(gw.app, id, { 'OS-LOCK:unlock': null });
  expect((await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '1' } })).status).toBe(202);
  expect((await action(gw.app, id, { 'OS-LOCK:lock': null })).status).toBe(202);
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server).toMatchObject({ status: 'RAX-CBS:ATTACHING', 'OS-LOCK:locked': true });
});
