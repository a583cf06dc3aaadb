import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, writeConfig, type Spawned } from './support/process.ts';
import { PROJECT } from './support/xml.ts';
import { goBuild, hasGophercloud, hasOpenstacksdk, PYTHON, runClient } from './support/clients.ts';

/**
 * The standard OpenStack clients, unmodified, against the gateway as `npm start` runs it: the
 * Debian packages of openstacksdk and gophercloud drive the compute API and extension discovery
 * over a real socket (list, create, wait for ACTIVE, reboot, rename, page, delete), then the names
 * promotion gives each API version (OS-DCF at /v1, OS-LOCK and MLTI-TAGS in the /v2 core). `.ci/run`
 * installs both and sets EXTGATE_REQUIRE_CLIENTS=1, so there a missing client fails the run;
 * elsewhere a test whose client is not installed is skipped, saying which package it needs.
 */
const required = process.env.EXTGATE_REQUIRE_CLIENTS === '1';

if (required && !(hasOpenstacksdk && hasGophercloud)) {
  throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but python3-openstacksdk or golang-github-gophercloud-gophercloud-dev (with golang-go) is missing');
}

const run = runClient;

describe('standard OpenStack clients over a socket', () => {
  let server: Spawned & { url: string };
  beforeAll(async () => {
    // Short but real transitions: the clients' own wait loops see BUILD and REBOOT go to ACTIVE.
    server = await startServer(writeConfig({ durations: { BUILD: 300, REBOOT: 2000, HARD_REBOOT: 2000 } }));
  });
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  test.skipIf(!hasOpenstacksdk)('openstacksdk compute proxy (Debian python3-openstacksdk)', () => {
    const out = run(PYTHON, [join(PROJECT, 'test/clients/openstacksdk_compute.py'), `${server.url}/v1`]);
    expect(out).toContain('extension: RAX-DCF http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0');
    expect(out).toContain('missing extension: ResourceNotFound');
    expect(out).toContain('after reboot: REBOOT');
    expect(out).toContain('renamed: sdk-renamed');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  });

  test.skipIf(!hasGophercloud)('gophercloud compute packages (Debian golang-github-gophercloud-gophercloud-dev)', () => {
    const client = goBuild('test/clients/gophercloud/main.go');
    // The tenant-scoped form, as a catalog would give it.
    const out = run(client, [`${server.url}/v1/tenant-1/`]);
    expect(out).toContain('extension: RAX-DCF http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0');
    expect(out).toContain('after reboot: REBOOT');
    expect(out).toMatch(/listed \d+ servers in \d+ pages of 2/);
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);

  // Promotion (spec/promotions.json): RAX-DCF -> OS-DCF since v1, old names too; OS-LOCK and
  // MLTI-TAGS into the core of v2. The scripts take the root URL and pick the versions themselves.
  test.skipIf(!hasOpenstacksdk)('openstacksdk: OS-DCF at /v1 (RAX-DCF still read), lock and tags in the /v2 core', () => {
    const out = run(PYTHON, [join(PROJECT, 'test/clients/openstacksdk_promotion.py'), server.url]);
    expect(out).toContain('v1 create_server(disk_config=MANUAL), get_server: disk_config MANUAL');
    expect(out).toMatch(/v1 POST with RAX-DCF:diskConfig: 202, Deprecation @\d+, successor-version link: True/);
    expect(out).toContain('v1 POST answer carries OS-DCF:diskConfig MANUAL and RAX-DCF:diskConfig MANUAL');
    expect(out).toContain('v1 get_server of the RAX-DCF server: disk_config MANUAL');
    expect(out).toContain("v2 create_server(tags=[web]), get_server: tags ['web']");
    expect(out).toMatch(/v2 servers\(tags=web\): \d+ listed, the tagged one: True, the untagged one: False, all tagged web: True/);
    expect(out).toContain('v2 new server: is_locked False');
    expect(out).toContain('v2 lock_server, get_server: is_locked True');
    expect(out).toContain('v2 update_server of the locked server: ConflictException');
    expect(out).toContain('v2 unlock_server, get_server: is_locked False');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  });

  test.skipIf(!hasGophercloud)('gophercloud: diskconfig at /v1 (RAX-DCF still read), lockunlock and tags in the /v2 core', () => {
    const out = run(goBuild('test/clients/gophercloud-promotion/main.go'), [server.url]);
    expect(out).toContain('v1 diskconfig.CreateOptsExt{Manual}, get: ServerDiskConfigExt.DiskConfig MANUAL');
    expect(out).toMatch(/v1 create with RAX-DCF:diskConfig: Deprecation @\d+, successor-version link: true/);
    expect(out).toContain('v1 get of the RAX-DCF server: ServerDiskConfigExt.DiskConfig MANUAL');
    expect(out).toContain('v2 CreateOpts{Tags: [web]}, get: Server.Tags [web]');
    expect(out).toMatch(/v2 ListOpts{Tags: web}: \d+ listed, the tagged one: true, the untagged one: false, all tagged web: true/);
    expect(out).toContain('v2 lockunlock.Lock, get: locked true');
    expect(out).toContain('v2 delete of the locked server: 409 true');
    expect(out).toContain('v2 lockunlock.Unlock, get: locked false');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);
});

describe('the standard clients against the nova profile (nova\'s own extensions)', () => {
  let server: Spawned & { url: string };
  beforeAll(async () => {
    server = await startServer(writeConfig({ durations: { BUILD: 300 } }), ['--profile', 'nova']);
  });
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  test.skipIf(!hasOpenstacksdk)('openstacksdk: vm_state, power_state, availability_zone; stop_server, start_server, lock_server; swap', () => {
    const out = run(PYTHON, [join(PROJECT, 'test/clients/openstacksdk_nova.py'), `${server.url}/v2/sdk-project`]);
    expect(out).toContain('flavor m1.medium: swap 512, ephemeral 0, is_public True');
    expect(out).toContain('active: vm_state active, task_state None, power_state 1, availability_zone nova, launched_at set: True');
    expect(out).toContain('stop_server: status SHUTOFF, vm_state stopped, power_state 4');
    expect(out).toContain('start_server of the locked server: ConflictException');
    expect(out).toContain('start_server: status ACTIVE, vm_state active');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  });

  test.skipIf(!hasGophercloud)('gophercloud: extendedstatus, availabilityzones, serverusage; startstop, lockunlock; list filters', () => {
    const out = run(goBuild('test/clients/gophercloud-nova/main.go'), [`${server.url}/v2/go-project/`]);
    expect(out).toContain('flavor m1.medium: swap 512, ephemeral 0, public true');
    expect(out).toContain('active: vm_state active, power_state 1, availability_zone nova, launched: true');
    expect(out).toContain('startstop.Stop: status SHUTOFF, vm_state stopped, power_state 4');
    expect(out).toContain('ListOpts{Status: SHUTOFF, Name: ^gopher}: 1 listed');
    expect(out).toContain('startstop.Start of the locked server: 409 true');
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);
});
