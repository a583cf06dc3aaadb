import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, XML, type TestGateway } from '../../test/support/gateway.ts';
import { action, createServer, gatewayWithServer, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.0';
let gw: TestGateway;
let id: string;
beforeEach(async () => {
  ({ gw, id } = await gatewayWithServer());
});
const server = async () => (await call(gw.app, `/v1/servers/${id}`)).json().server;

describe('RAX-CBS: actions, a state, headers (spec 3.2.4, 3.2.7, 3.2.8)', () => {
  test('mount_volume in JSON (example 3.14): ACTIVE -> RAX-CBS:ATTACHING -> ACTIVE; the volume is shown', async () => {
    const r = await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '123' } }, { 'RAX-CBS-Volume-Type': 'SSD' });
    expect(r.status).toBe(202);
    expect((await server()).status).toBe('RAX-CBS:ATTACHING');
    gw.clock.advance(1000);
    const s = await server();
    expect(s.status).toBe('ACTIVE');
    expect(s['RAX-CBS:volumes']).toEqual([{ CBSID: '123', type: 'SSD' }]);
  });

  test('mount_volume in XML (example 3.13), the volume type defaulted; volumes as elements in the extension namespace', async () => {
    const r = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<mount_volume xmlns="${NS}" CBSID="123"/>`));
    expect(r.status).toBe(202);
    const s = parseXml((await call(gw.app, `/v1/servers/${id}`, XML)).text).server;
    expect(s['@status']).toBe('RAX-CBS:ATTACHING');
    expect(s['RAX-CBS:volumes']['RAX-CBS:volume']).toMatchObject({ '@CBSID': '123', '@type': 'SATA' });
  });

  test('RAX-CBS-Volumes-Attached on the server GET', async () => {
    expect((await call(gw.app, `/v1/servers/${id}`)).headers.get('RAX-CBS-Volumes-Attached')).toBe('0');
    await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '1' } });
    gw.clock.advance(1000);
    await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '2' } });
    expect((await call(gw.app, `/v1/servers/${id}`, XML)).headers.get('RAX-CBS-Volumes-Attached')).toBe('2');
  });

  test('unmount_volume alike; unmounting an unknown volume or mounting a mounted one: 409, nothing changes', async () => {
    await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '123' } });
    gw.clock.advance(1000);
    const again = await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '123' } });
    expect(again.status).toBe(409);
    expect(again.json().conflictingRequest.message).toContain('already mounted');
    expect((await server()).status).toBe('ACTIVE');
    const unknown = await action(gw.app, id, { 'RAX-CBS:unmount_volume': { CBSID: '999' } });
    expect(unknown.status).toBe(409);
    const ok = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', `<unmount_volume xmlns="${NS}" CBSID="123"/>`));
    expect(ok.status).toBe(202);
    gw.clock.advance(1000);
    expect((await server())['RAX-CBS:volumes']).toEqual([]);
  });

  test('only from ACTIVE: while BUILD or ATTACHING it is a 409', async () => {
    const fresh = await createServer(gw.app);
    expect((await action(gw.app, fresh, { 'RAX-CBS:mount_volume': { CBSID: '1' } })).status).toBe(409);
    await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '1' } });
    expect((await action(gw.app, id, { 'RAX-CBS:mount_volume': { CBSID: '2' } })).status).toBe(409);
    expect((await action(gw.app, id, { reboot: { type: 'SOFT' } })).status).toBe(409);
  });

  test('a body without CBSID: 400', async () => {
    const r = await action(gw.app, id, { 'RAX-CBS:mount_volume': {} });
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain('CBSID');
  });
});
