import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from '../../test/support/gateway.ts';
import { createServer, json, xml } from '../../test/support/compute.ts';


const NS = 'http://docs.rackspace.com/servers/api/ext/backup/v1.0';
const EXAMPLE = { 'RAX-BAK:backupSchedule': { enabled: true, weekly: 'THURSDAY', daily: 'H_0400_0600' } };
let gw: TestGateway;
let id: string;
beforeEach(async () => {
  gw = await testGateway();
  id = await createServer(gw.app);
});
const path = () => `/v1/servers/${id}/RAX-BAK/backup-schedule`;
const DISABLED = { 'RAX-BAK:backupSchedule': { enabled: false, weekly: 'DISABLED', daily: 'DISABLED' } };

describe('RAX-BAK: /servers/{id}/RAX-BAK/backup-schedule (spec 3.2.2, example 4.1)', () => {
  test('GET before any PUT: the disabled schedule', async () => {
    const r = await call(gw.app, path());
    expect(r.status).toBe(200);
    expect(r.json()).toEqual(DISABLED);
  });

  test('PUT the spec example (JSON): 200 with it; GET returns it; DELETE: 204 and disabled again', async () => {
    const put = await call(gw.app, path(), json('PUT', EXAMPLE));
    expect(put.status).toBe(200);
    expect(put.json()).toEqual(EXAMPLE);
    expect((await call(gw.app, path())).json()).toEqual(EXAMPLE);
    expect((await call(gw.app, path(), { method: 'DELETE' })).status).toBe(204);
    expect((await call(gw.app, path())).json()).toEqual(DISABLED);
  });

  test('XML in and out, in the extension namespace', async () => {
    const r = await call(gw.app, path(), xml('PUT', `<backupSchedule xmlns="${NS}" enabled="true" weekly="MONDAY" daily="H_2200_0000"/>`));
    expect(r.status).toBe(200);
    const doc = parseXml(r.text).backupSchedule;
    expect(doc).toMatchObject({ '@xmlns': NS, '@enabled': 'true', '@weekly': 'MONDAY', '@daily': 'H_2200_0000' });
    expect((await call(gw.app, path())).json()['RAX-BAK:backupSchedule'].weekly).toBe('MONDAY');
    expect(parseXml((await call(gw.app, path(), XML)).text).backupSchedule['@daily']).toBe('H_2200_0000');
  });

  test.each([
    [{ 'RAX-BAK:backupSchedule': { enabled: true, weekly: 'FUNDAY', daily: 'H_0400_0600' } }, 'weekly'],
    [{ 'RAX-BAK:backupSchedule': { enabled: true, weekly: 'MONDAY', daily: 'H_0300_0500' } }, 'daily'],
    [{ 'RAX-BAK:backupSchedule': { enabled: 'yes', weekly: 'MONDAY', daily: 'DISABLED' } }, 'enabled'],
    [{ 'RAX-BAK:backupSchedule': { weekly: 'MONDAY', daily: 'DISABLED' } }, 'enabled'],
    [{ backupSchedule: { enabled: true, weekly: 'MONDAY', daily: 'DISABLED' } }, 'RAX-BAK:backupSchedule'],
  ])('PUT %j: 400 naming %s, nothing stored', async (body, mentions) => {
    const r = await call(gw.app, path(), json('PUT', body));
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain(mentions);
    expect((await call(gw.app, path())).json()).toEqual(DISABLED);
  });

  test('the schedule goes with its server; a missing server is a 404', async () => {
    await call(gw.app, path(), json('PUT', EXAMPLE));
    await call(gw.app, `/v1/servers/${id}`, { method: 'DELETE' });
    const r = await call(gw.app, path(), XML);
    expect(r.status).toBe(404);
    expect(parseXml(r.text).itemNotFound['@code']).toBe('404');
  });

  test('the schedule is not part of the server document', async () => {
    await call(gw.app, path(), json('PUT', EXAMPLE));
    expect((await call(gw.app, `/v1/servers/${id}`)).text).not.toContain('backupSchedule');
  });

  test('other verbs: 405 with Allow', async () => {
    const r = await call(gw.app, path(), { method: 'POST' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
  });
});

