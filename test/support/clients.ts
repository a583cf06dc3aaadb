import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT } from './xml.ts';

/**
 * The standard OpenStack clients the suite drives (Debian's python3-openstacksdk and
 * golang-github-gophercloud-gophercloud-dev), and how to run the programs in test/clients.
 */
export const PYTHON = '/usr/bin/python3';
const GOPATH = '/usr/share/gocode';

const succeeds = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
export const hasOpenstacksdk = existsSync(PYTHON) && succeeds(PYTHON, ['-c', 'import openstack']);
export const hasGophercloud = succeeds('go', ['version']) && existsSync(join(GOPATH, 'src/github.com/gophercloud/gophercloud'));

/** Runs a client to the end; its own output says which step failed. */
export const runClient = (cmd: string, args: string[], env: Record<string, string> = {}): string => {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

/** Builds a Go client against Debian's gophercloud, in GOPATH mode; the builds share one cache. */
let goCache: string | undefined;
export const goBuild = (main: string): string => {
  goCache ??= mkdtempSync(join(tmpdir(), 'extgate-gophercloud-'));
  const binary = join(goCache, main.replaceAll('/', '_'));
  const env = { GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(goCache, 'cache') };
  execFileSync('go', ['build', '-o', binary, join(PROJECT, main)], { env: { ...process.env, ...env }, stdio: 'pipe' });
  return binary;
};
