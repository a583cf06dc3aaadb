import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { daemon, freePort, run, tempDir, waitFor } from './process.ts';

/**
 * A real Keystone (Debian `keystone`, `python3-waitress`), unprivileged, in a temporary folder:
 * SQLite, fernet tokens, bootstrap admin. Start-up is dominated by `db_sync` (~30 s).
 */

export interface KeystoneOptions {
  port?: number;
  adminPassword?: string;
  region?: string;
  /** Keep the temporary folder (logs, database) after stop(), to look at what happened. */
  keep?: boolean;
  /** Progress lines ("db_sync done"), for a runner that reports phases. */
  log?: (line: string) => void;
}

export interface Keystone {
  /** http://127.0.0.1:PORT/v3 */
  readonly url: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly adminProject: string;
  readonly adminDomain: string;
  readonly region: string;
  /** The folder holding keystone.conf, keystone.log and the database. */
  readonly dir: string;
  readonly client: KeystoneClient;
  stop(): Promise<void>;
}

const MANAGE = '/usr/bin/keystone-manage';
const PYTHON = '/usr/bin/python3'; // Debian's, whatever python3 comes first on PATH
const SERVE = `import sys, waitress
port = int(sys.argv[1]); sys.argv = sys.argv[:1]
from keystone.server.wsgi import initialize_public_application
waitress.serve(initialize_public_application(), host='127.0.0.1', port=port, threads=1, ident='keystone')`;

const conf = (dir: string): string => `[DEFAULT]
log_dir = ${dir}
log_file = keystone.log
debug = false

[database]
connection = sqlite:///${join(dir, 'keystone.sqlite')}

[fernet_tokens]
key_repository = ${join(dir, 'fernet-keys')}

[fernet_receipts]
key_repository = ${join(dir, 'fernet-keys')}

[credential]
key_repository = ${join(dir, 'credential-keys')}

[cache]
# In-process: every request validates its token; cached, a request costs ~15 ms instead of ~130.
enabled = true
backend = dogpile.cache.memory

[identity]
# bcrypt's minimum: every user tempest creates costs a hash.
password_hash_rounds = 4
`;

export const startKeystone = async (opts: KeystoneOptions = {}): Promise<Keystone> => {
  const log = opts.log ?? (() => {});
  const { path: dir, remove } = tempDir('extgate-keystone-', opts.keep);
  const file = join(dir, 'keystone.conf');
  writeFileSync(file, conf(dir));
  for (const d of ['fernet-keys', 'credential-keys']) mkdirSync(join(dir, d), { mode: 0o700 });
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}/v3`;
  const adminPassword = opts.adminPassword ?? 'secret-admin';
  const region = opts.region ?? 'RegionOne';
  const manage = (...args: string[]) => run(MANAGE, ['--config-file', file, ...args]);
  const { username } = userInfo();
  const group = (await run('id', ['-gn'])).trim();

  try {
    // The key repositories do not touch the database: make them while db_sync runs.
    await Promise.all([
      manage('db_sync').then(() => {
        // Keystone reads and writes through separate connections within one request; the default
        // rollback journal answers "database is locked" there, WAL lets readers and a writer coexist.
        const db = new Database(join(dir, 'keystone.sqlite'));
        db.pragma('journal_mode = WAL');
        db.close();
        log('keystone: db_sync done');
      }),
      manage('fernet_setup', '--keystone-user', username, '--keystone-group', group),
      manage('credential_setup', '--keystone-user', username, '--keystone-group', group),
    ]);
    await manage('bootstrap', '--bootstrap-password', adminPassword, '--bootstrap-region-id', region,
      '--bootstrap-admin-url', url, '--bootstrap-internal-url', url, '--bootstrap-public-url', url);
    log('keystone: bootstrap done');
  } catch (err) {
    remove();
    throw err;
  }

  // One thread: Keystone on SQLite is not meant for concurrent requests, and tempest's load is small.
  // Not `waitress-serve`: oslo.config parses sys.argv when the app loads and rejects waitress's flags.
  const server = daemon(PYTHON, ['-c', SERVE, String(port)], {
    env: { ...process.env, OS_KEYSTONE_CONFIG_FILES: file },
    cwd: dir,
  });
  const stop = async () => {
    await server.stop();
    remove();
  };
  try {
    await waitFor('keystone', server, async () => (await fetch(url)).ok, 60_000);
  } catch (err) {
    remove();
    throw err;
  }
  log(`keystone: serving ${url}`);
  const admin = { user: 'admin', password: adminPassword, project: 'admin', domain: 'Default' };
  return {
    url, adminUser: admin.user, adminPassword, adminProject: admin.project, adminDomain: admin.domain, region, dir,
    client: new KeystoneClient(url, admin), stop,
  };
};

export interface Credentials {
  user: string;
  password: string;
  project: string;
  /** Domain (name) of the user and of the project. */
  domain?: string;
}

export interface Token {
  readonly id: string;
  readonly expiresAt: string;
  readonly projectId: string;
  readonly userId: string;
  readonly roles: string[];
  readonly catalog: unknown[];
}

export class KeystoneError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`keystone ${what}: ${status} ${body.slice(0, 500)}`);
  }
}

interface TokenBody {
  token: { expires_at: string; project?: { id: string }; user: { id: string }; roles?: { name: string }[]; catalog?: unknown[] };
}

/** Keystone v3 over REST, as an admin; the calls a test or a runner needs to set up a cloud. */
export class KeystoneClient {
  #admin?: Token;
  constructor(readonly url: string, readonly adminCredentials: Credentials) {}

  /** A project-scoped token for any user (the admin's is cached by `request`). */
  async issueToken(c: Credentials): Promise<Token> {
    const domain = { name: c.domain ?? 'Default' };
    const body = { auth: {
      identity: { methods: ['password'], password: { user: { name: c.user, domain, password: c.password } } },
      scope: { project: { name: c.project, domain } },
    } };
    const res = await fetch(`${this.url}/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 201) throw new KeystoneError(res.status, text, 'issue token');
    const t = (JSON.parse(text) as TokenBody).token;
    return {
      id: res.headers.get('x-subject-token')!, expiresAt: t.expires_at, projectId: t.project?.id ?? '',
      userId: t.user.id, roles: (t.roles ?? []).map((r) => r.name), catalog: t.catalog ?? [],
    };
  }

  /** What Keystone says of a token, as a service validating it would ask; undefined if invalid. */
  async validateToken(token: string): Promise<Token | undefined> {
    const res = await fetch(`${this.url}/auth/tokens`, { headers: { 'X-Auth-Token': await this.#adminToken(), 'X-Subject-Token': token } });
    if (res.status === 404 || res.status === 401) return undefined;
    const text = await res.text();
    if (!res.ok) throw new KeystoneError(res.status, text, 'validate token');
    const t = (JSON.parse(text) as TokenBody).token;
    return { id: token, expiresAt: t.expires_at, projectId: t.project?.id ?? '', userId: t.user.id, roles: (t.roles ?? []).map((r) => r.name), catalog: t.catalog ?? [] };
  }

  async #adminToken(): Promise<string> {
    if (!this.#admin || Date.parse(this.#admin.expiresAt) < Date.now() + 60_000) this.#admin = await this.issueToken(this.adminCredentials);
    return this.#admin.id;
  }

  /** An admin request to the v3 API; `path` is relative to /v3. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'X-Auth-Token': await this.#adminToken(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new KeystoneError(res.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async createProject(name: string, domainId = 'default'): Promise<{ id: string; name: string }> {
    return (await this.request<{ project: { id: string; name: string } }>('POST', '/projects', { project: { name, domain_id: domainId } })).project;
  }

  async createUser(name: string, password: string, opts: { domainId?: string; projectId?: string } = {}): Promise<{ id: string; name: string }> {
    const user = { name, password, domain_id: opts.domainId ?? 'default', ...(opts.projectId ? { default_project_id: opts.projectId } : {}) };
    return (await this.request<{ user: { id: string; name: string } }>('POST', '/users', { user })).user;
  }

  /** The role of that name, created if missing (bootstrap makes admin, member and reader). */
  async role(name: string): Promise<{ id: string; name: string }> {
    const found = (await this.request<{ roles: { id: string; name: string }[] }>('GET', `/roles?name=${encodeURIComponent(name)}`)).roles[0];
    return found ?? (await this.request<{ role: { id: string; name: string } }>('POST', '/roles', { role: { name } })).role;
  }

  async assignRole(projectId: string, userId: string, roleName: string): Promise<void> {
    const role = await this.role(roleName);
    await this.request('PUT', `/projects/${projectId}/users/${userId}/roles/${role.id}`);
  }

  /** A project with one user holding `roles` on it: the usual test tenant. */
  async createTenant(name: string, password: string, roles = ['member']): Promise<{ projectId: string; userId: string; credentials: Credentials }> {
    const project = await this.createProject(name);
    const user = await this.createUser(name, password, { projectId: project.id });
    for (const r of roles) await this.assignRole(project.id, user.id, r);
    return { projectId: project.id, userId: user.id, credentials: { user: name, password, project: name } };
  }

  async createService(type: string, name: string): Promise<{ id: string }> {
    return (await this.request<{ service: { id: string } }>('POST', '/services', { service: { type, name, enabled: true } })).service;
  }

  async createEndpoint(serviceId: string, url: string, iface: 'public' | 'internal' | 'admin', region = 'RegionOne'): Promise<{ id: string }> {
    return (await this.request<{ endpoint: { id: string } }>('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: iface, url, region_id: region, enabled: true } })).endpoint;
  }

  /** A service with the same URL on all three interfaces: what a catalog entry usually is in a test cloud. */
  async registerService(type: string, name: string, url: string, region = 'RegionOne'): Promise<string> {
    const { id } = await this.createService(type, name);
    for (const iface of ['public', 'internal', 'admin'] as const) await this.createEndpoint(id, url, iface, region);
    return id;
  }
}
