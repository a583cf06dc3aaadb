import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, writeConfig, type Spawned } from './support/process.ts';
import { PROJECT } from './support/xml.ts';

/**
 * The standard OpenStack clients, unmodified, against the gateway as `npm start` runs it: the
 * Debian packages of openstacksdk and gophercloud drive the compute API and extension discovery
 * over a real socket (list, create, wait for ACTIVE, reboot, rename, page, delete). `.ci/run`
 * installs both and sets EXTGATE_REQUIRE_CLIENTS=1, so there a missing client fails the run;
 * elsewhere a test whose client is not installed is skipped, saying which package it needs.
 */
const PYTHON = '/usr/bin/python3';
const GOPATH = '/usr/share/gocode';
const required = process.env.EXTGATE_REQUIRE_CLIENTS === '1';

const succeeds = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasOpenstacksdk = existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import openstack']);
const hasGophercloud = succeeds('go', ['version']) && existsSync(join(GOPATH, 'src/github.com/gophercloud/gophercloud'));

if (required && !(hasOpenstacksdk && hasGophercloud)) {
  throw new Error('EXTGATE_REQUIRE_CLIENTS=1 but python3-openstacksdk or golang-github-gophercloud-gophercloud-dev (with golang-go) is missing');
}

/** Runs a client to the end; its own output says which step failed. */
const run = (cmd: string, args: string[], env: Record<string, string> = {}): string => {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

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
    const dir = mkdtempSync(join(tmpdir(), 'extgate-gophercloud-'));
    const env = { GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(dir, 'cache') };
    execFileSync('go', ['build', '-o', join(dir, 'client'), join(PROJECT, 'test/clients/gophercloud/main.go')], { env: { ...process.env, ...env }, stdio: 'pipe' });
    // The tenant-scoped form, as a catalog would give it.
    const out = run(join(dir, 'client'), [`${server.url}/v1/tenant-1/`]);
    expect(out).toContain('extension: RAX-DCF http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0');
    expect(out).toContain('after reboot: REBOOT');
    expect(out).toMatch(/listed \d+ servers in \d+ pages of 2/);
    expect(out.trimEnd().endsWith('OK')).toBe(true);
  }, 180_000);
});
