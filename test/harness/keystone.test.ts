import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startKeystone, type Keystone } from './keystone.ts';

/**
 * The Keystone harness itself, against Debian's keystone. Opt-in (EXTGATE_KEYSTONE_TESTS=1): a
 * start costs ~20 s of CPU, too much for every `npm test`.
 */
const enabled = process.env.EXTGATE_KEYSTONE_TESTS === '1';
if (enabled && !existsSync('/usr/bin/keystone-manage')) throw new Error('EXTGATE_KEYSTONE_TESTS=1 but keystone is not installed (apt-get install keystone python3-waitress)');

let ks: Keystone;
beforeAll(async () => {
  if (enabled) ks = await startKeystone();
}, 120_000);
afterAll(() => ks?.stop());

test.skipIf(!enabled)('a tenant gets a token that validates, with its project and roles', async () => {
  const tenant = await ks.client.createTenant('demo', 'demo-pw');
  const token = await ks.client.issueToken(tenant.credentials);
  const seen = await ks.client.validateToken(token.id);
  expect(seen?.projectId).toBe(tenant.projectId);
  expect(seen?.roles).toContain('member');
  expect(await ks.client.validateToken('not-a-token')).toBeUndefined();
});

test.skipIf(!enabled)('a service registered in the catalog is in the next token', async () => {
  await ks.client.registerService('compute', 'nova', 'http://127.0.0.1:1/v2/$(project_id)s');
  const token = await ks.client.issueToken({ user: ks.adminUser, password: ks.adminPassword, project: ks.adminProject });
  const compute = (token.catalog as { type: string; endpoints: { url: string }[] }[]).find((s) => s.type === 'compute');
  expect(compute?.endpoints[0]?.url).toBe(`http://127.0.0.1:1/v2/${token.projectId}`);
});
