import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startServer, writeConfig } from './support/process.ts';
import { FLAVOR, IMAGE } from './support/compute.ts';

/**
 * Promotion changes names, never data: the gateway as `npm start` runs it, on one real SQLite
 * file, restarted with a promotion added, with another mode, and with it removed again. The
 * same server reads back whole each time, in the names each registry gives it.
 */
const store = join(mkdtempSync(join(tmpdir(), 'extgate-restart-')), 'extgate.sqlite');
const OS_DCF = 'http://docs.openstack.org/compute/ext/disk_config/api/v1.1';

const serve = async (config: Record<string, unknown>) => {
  const s = await startServer(writeConfig({ store: { path: store }, durations: { BUILD: 0, 'RAX-CBS:ATTACHING': 0 }, shutdownDrainMs: 0, ...config }));
  return {
    url: s.url,
    get: async (path: string) => (await fetch(`${s.url}${path}`)).json(),
    send: (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.url}${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    stop: async () => {
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    },
  };
};

describe('stored data survives promotion on a real SQLite file, across restarts', () => {
  test('created before RAX-DCF was promoted; read after, with old names kept, then only accepted, then with the promotion removed', async () => {
    // 1. No promotion at all: the names as each extension was defined.
    const before = await serve({ builtinPromotions: false });
    const created = await before.send('POST', '/v1/servers', { server: { name: 'kept', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'MANUAL', 'MLTI-TAGS:tags': ['web'] } });
    expect(created.status).toBe(202);
    const id = ((await created.json()) as { server: { id: string } }).server.id;
    expect((await before.send('POST', `/v1/servers/${id}/action`, { 'RAX-CBS:mount_volume': { CBSID: 'v1' } }, { 'RAX-CBS-Volume-Type': 'SSD' })).status).toBe(202);
    expect((await before.send('PUT', `/v1/servers/${id}/RAX-BAK/backup-schedule`, { 'RAX-BAK:backupSchedule': { enabled: true, weekly: 'MONDAY', daily: 'DISABLED' } })).status).toBe(200);
    // Links carry the port each run listens on.
    const portless = (server: unknown, url: string) => JSON.parse(JSON.stringify(server).replaceAll(url, 'http://gateway'));
    const original = portless((await before.get(`/v1/servers/${id}`)).server, before.url);
    expect(original['RAX-DCF:diskConfig']).toBe('MANUAL');
    expect(original['OS-DCF:diskConfig']).toBeUndefined();
    await before.stop();

    // 2. The shipped registry: RAX-DCF is OS-DCF in v1, old names kept; OS-LOCK and MLTI-TAGS core in v2.
    const promoted = await serve({});
    const v1 = (await promoted.get(`/v1/servers/${id}`)).server;
    expect([v1['OS-DCF:diskConfig'], v1['RAX-DCF:diskConfig']]).toEqual(['MANUAL', 'MANUAL']);
    expect(v1['RAX-CBS:volumes']).toEqual([{ CBSID: 'v1', type: 'SSD' }]);
    const v2 = (await promoted.get(`/v2/servers/${id}`)).server;
    expect([v2.tags, v2.locked, v2['OS-DCF:diskConfig']]).toEqual([['web'], false, 'MANUAL']);
    expect((await promoted.get(`/v2/servers/${id}/RAX-BAK/backup-schedule`))['RAX-BAK:backupSchedule'].weekly).toBe('MONDAY');
    await promoted.stop();

    // 3. A deployment's own record instead: old names only accepted, not written.
    const accepting = await serve({
      builtinPromotions: false,
      promotions: [{ from: 'RAX-DCF', to: 'OS-DCF', since: 'v1', namespace: OS_DCF, oldNames: 'accept' }],
    });
    const accepted = (await accepting.get(`/v1/servers/${id}`)).server;
    expect([accepted['OS-DCF:diskConfig'], accepted['RAX-DCF:diskConfig']]).toEqual(['MANUAL', undefined]);
    await accepting.stop();

    // 4. The promotion removed again: nothing was lost, nothing renamed in the store.
    const after = await serve({ builtinPromotions: false });
    expect(portless((await after.get(`/v1/servers/${id}`)).server, after.url)).toEqual(original);
    expect((await after.get('/v1/servers')).servers).toHaveLength(1);
    await after.stop();
  });
});
