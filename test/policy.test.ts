import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineExtension, type ExtensionDefinition } from '../src/extension/define.ts';
import type { Problem } from '../src/extension/problems.ts';
import { buildRegistry } from '../src/extension/registry.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { compileCheck, PolicySyntaxError, type Credentials } from '../src/identity/policy-language.ts';
import { Policy } from '../src/identity/policy.ts';
import { CORE_RULE_DEFAULTS } from '../src/identity/rules.ts';
import { ConfigError, profileInput } from '../src/config.ts';
import { PolicyError } from '../src/gateway.ts';
import { call, parseXml, testGateway, type Parsed } from './support/gateway.ts';
import { FLAVOR, IMAGE, json } from './support/compute.ts';
import { descriptor } from './support/descriptor.ts';

const who = (roles: string[], project = 'alpha', user = 'u1'): Credentials => ({ project, user, roles: new Set(roles), isAdmin: roles.includes('admin') });
const never = () => () => false;

describe('the policy language (oslo.policy check strings)', () => {
  test.each([
    ['role:admin', who(['admin']), true],
    ['role:admin', who(['member']), false],
    ['role:Admin', who(['admin']), true], // role names are not
    ['@', who([]), true],
    ['', who([]), true],
    ['!', who(['admin']), false],
    ['project_id:%(project_id)s', who([], 'alpha'), true],
    ['project_id:%(project_id)s', who([], 'beta'), false],
    ['user_id:%(user_id)s', who([], 'alpha', 'owner'), true],
    ['is_admin:True', who(['admin']), true],
    ['is_admin:True', who(['member']), false],
    ['is_admin:False', who(['member']), true],
    ['is_admin:true', who(['admin']), false], // compared as oslo does: exactly
    ['role:reader and not role:member', who(['reader']), true],
    ['role:reader and not role:member', who(['reader', 'member']), false],
    // `and` binds tighter than `or`; parentheses change it.
    ['role:admin or role:member and project_id:other', who(['admin']), true],
    ['(role:admin or role:member) and project_id:other', who(['admin']), false],
    ['((role:member)) and (project_id:%(project_id)s)', who(['member']), true],
  ] as [string, Credentials, boolean][])('%s', (text, creds, expected) => {
    expect(compileCheck(text)(creds, { project_id: 'alpha', user_id: 'owner' }, never)).toBe(expected);
  });

  test.each([
    ['role:admin or', 'ends where a check was expected'],
    ['(role:admin', 'a "(" is not closed'],
    ['role:admin)', '")" where "and", "or" or the end was expected'],
    ['admin', '"admin" is not a check'],
    ['colour:blue', '"colour" is not something a caller has'],
    ['ROLE:admin', '"ROLE" is not something a caller has'],
    ['and role:x', '"and" where a check was expected'],
  ])('"%s" is refused: %s', (text, message) => {
    expect(() => compileCheck(text)).toThrow(PolicySyntaxError);
    expect(() => compileCheck(text)).toThrow(message);
  });

  test('the defaults: members change their project\'s servers, readers read them, admins do anything', () => {
    const { policy } = Policy.build(CORE_RULE_DEFAULTS);
    const own = { project_id: 'alpha' };
    const other = { project_id: 'beta' };
    const member = who(['member', 'reader']);
    const reader = who(['reader']);
    const admin = who(['admin', 'member', 'reader'], 'ops');
    expect(policy!.allows('os_compute_api:servers:create', member, own)).toBe(true);
    expect(policy!.allows('os_compute_api:servers:create', reader, own)).toBe(false);
    expect(policy!.allows('os_compute_api:servers:show', reader, own)).toBe(true);
    expect(policy!.allows('os_compute_api:servers:show', member, other)).toBe(false);
    expect(policy!.allows('os_compute_api:servers:delete', admin, other)).toBe(true);
    expect(policy!.allows('os_compute_api:servers:index:get_all_tenants', member, own)).toBe(false);
    expect(policy!.allows('os_compute_api:servers:index:get_all_tenants', admin, own)).toBe(true);
    expect(policy!.allows('no such rule', admin, own)).toBe(false);
    expect(policy!.isAdmin({ project: 'p', user: 'u', roles: new Set(['admin']) })).toBe(true);
  });

  test('every problem at once: syntax, an unknown rule, a circle, a rule declared twice', () => {
    const { policy, problems } = Policy.build(
      [...CORE_RULE_DEFAULTS, { name: 'x', check: 'role:a', description: 'x', owner: 'RAX-A' }, { name: 'x', check: 'role:b', description: 'x', owner: 'RAX-B' }],
      { a: 'rule:b', b: 'rule:a', c: 'role:admin or', d: 'rule:nope' },
      'policy.json',
    );
    expect(policy).toBeUndefined();
    expect(problems.map((p) => `${p.source} ${p.rule}: ${p.message}`)).toEqual([
      'RAX-B x: is declared by RAX-A already',
      'policy.json c: "role:admin or": ends where a check was expected',
      'policy.json d: "rule:nope" refers to rule:nope, which is not defined',
      'policy.json a: refers to itself through a -> b -> a',
    ]);
  });
});

const server = { server: { name: 'web', imageRef: IMAGE, flavorRef: FLAVOR } };
const as = (project: string, extra: Record<string, string> = {}) => ({ 'X-Auth-Project-Id': project, ...extra });

describe('noauth without admin: projects are kept apart, as behind Keystone', () => {
  // `member` alone: it implies `reader`, as Keystone's bootstrap roles do.
  const isolated = () => testGateway({ auth: { strategy: 'noauth', roles: ['member'] } });

  test('another project\'s server is a 404 on show, update, delete and every action, and not in its lists', async () => {
    const gw = await isolated();
    const created = await call(gw.app, '/v1/servers', json('POST', server, as('alpha')));
    expect(created.status).toBe(202);
    const id = created.json().server.id;
    gw.clock.advance(2000);
    expect((await call(gw.app, `/v1/servers/${id}`, { headers: as('alpha') })).json().server.tenant_id).toBe('alpha');
    for (const [path, init] of [
      [`/v1/servers/${id}`, { headers: as('beta') }],
      [`/v1/beta/servers/${id}`, {}],
      [`/v1/servers/${id}`, json('PUT', { server: { name: 'x' } }, as('beta'))],
      [`/v1/servers/${id}`, { method: 'DELETE', headers: as('beta') }],
      [`/v1/servers/${id}/action`, json('POST', { reboot: { type: 'SOFT' } }, as('beta'))],
      [`/v1/servers/${id}/action`, json('POST', { 'OS-LOCK:lock': null }, as('beta'))],
      [`/v1/servers/${id}/RAX-BAK/backup-schedule`, { headers: as('beta') }],
    ] as [string, RequestInit][]) {
      const r = await call(gw.app, path, init);
      expect(r.status, `${init.method ?? 'GET'} ${path}`).toBe(404);
      expect(r.text).not.toContain('alpha');
    }
    const listed = async (project: string) => (await call(gw.app, '/v1/servers/detail', { headers: as(project) })).json().servers.map((s: Parsed) => s.id);
    expect(await listed('alpha')).toEqual([id]);
    expect(await listed('beta')).toEqual([]);
    // Nothing changed: still ACTIVE, named web, unlocked.
    const seen = (await call(gw.app, `/v1/servers/${id}`, { headers: as('alpha') })).json().server;
    expect([seen.status, seen.name, seen['OS-LOCK:locked']]).toEqual(['ACTIVE', 'web', false]);
  });

  test('another project\'s private image is no imageRef, whether or not it exists; nor is another project\'s server a marker', async () => {
    const gw = await isolated();
    const id = (await call(gw.app, '/v1/servers', json('POST', server, as('alpha')))).json().server.id;
    gw.clock.advance(2000);
    const imageId = (await call(gw.app, `/v1/servers/${id}/action`, json('POST', { createImage: { name: 'snap' } }, as('alpha')))).headers.get('location')!.split('/').pop();
    gw.clock.advance(2000);
    const theirs = await call(gw.app, '/v1/servers', json('POST', { server: { ...server.server, imageRef: imageId } }, as('beta')));
    const nothing = await call(gw.app, '/v1/servers', json('POST', { server: { ...server.server, imageRef: '00000000-0000-4000-8000-000000000000' } }, as('beta')));
    expect(theirs.status).toBe(400);
    expect(theirs.json().badRequest.message.replace(imageId, 'X')).toBe(nothing.json().badRequest.message.replace('00000000-0000-4000-8000-000000000000', 'X'));
    expect((await call(gw.app, '/v1/servers', json('POST', { server: { ...server.server, imageRef: imageId } }, as('alpha')))).status).toBe(202);
    const marker = await call(gw.app, `/v1/servers?marker=${id}`, { headers: as('beta') });
    const unknown = await call(gw.app, '/v1/servers?marker=00000000-0000-4000-8000-000000000000', { headers: as('beta') });
    expect([marker.status, unknown.status]).toEqual([400, 400]);
  });

  test('a snapshot is its project\'s image; seeded images are everyone\'s', async () => {
    const gw = await isolated();
    const id = (await call(gw.app, '/v1/servers', json('POST', server, as('alpha')))).json().server.id;
    gw.clock.advance(2000);
    const snap = await call(gw.app, `/v1/servers/${id}/action`, json('POST', { createImage: { name: 'snap' } }, as('alpha')));
    expect(snap.status).toBe(202);
    const imageId = snap.headers.get('location')!.split('/').pop();
    const names = async (project: string) => (await call(gw.app, '/v1/images', { headers: as(project) })).json().images.map((i: Parsed) => i.name);
    expect(await names('alpha')).toEqual(['cirros-0.6.2', 'ubuntu-24.04', 'snap']);
    expect(await names('beta')).toEqual(['cirros-0.6.2', 'ubuntu-24.04']);
    expect((await call(gw.app, `/v1/images/${imageId}`, { headers: as('beta') })).status).toBe(404);
    // A public image is not a member's to delete.
    const del = await call(gw.app, `/v1/images/${IMAGE}`, { method: 'DELETE', headers: as('beta', { Accept: 'application/xml' }) });
    expect(del.status).toBe(403);
    expect(parseXml(del.text).forbidden.message).toBe('Policy doesn\'t allow os_compute_api:images:delete to be performed.');
  });

  test('all_tenants is an admin\'s: a 403 naming the rule, in JSON and XML; a value that is not a boolean is a 400', async () => {
    const gw = await isolated();
    const r = await call(gw.app, '/v1/servers?all_tenants=1', { headers: as('alpha') });
    expect(r.status).toBe(403);
    expect(r.json().forbidden).toEqual({ code: 403, message: 'Policy doesn\'t allow os_compute_api:servers:index:get_all_tenants to be performed.' });
    const x = await call(gw.app, '/v1/servers/detail?all_tenants', { headers: as('alpha', { Accept: 'application/xml' }) });
    expect(parseXml(x.text).forbidden.message).toContain('os_compute_api:servers:detail:get_all_tenants');
    expect((await call(gw.app, '/v1/servers?all_tenants=0', { headers: as('alpha') })).status).toBe(200);
    expect((await call(gw.app, '/v1/servers?all_tenants=maybe', { headers: as('alpha') })).status).toBe(400);
  });
});

describe('noauth as an admin (the default): every project is visible, all_tenants narrows by tenant_id', () => {
  test('lists every project\'s servers; tenant_id picks one', async () => {
    const gw = await testGateway();
    const a = (await call(gw.app, '/v1/servers', json('POST', server, as('alpha')))).json().server.id;
    const b = (await call(gw.app, '/v1/servers', json('POST', server, as('beta')))).json().server.id;
    const ids = async (q: string) => (await call(gw.app, `/v1/servers${q}`)).json().servers.map((s: Parsed) => s.id);
    expect(await ids('')).toEqual([a, b]);
    expect(await ids('?all_tenants=1&tenant_id=beta')).toEqual([b]);
    expect((await call(gw.app, `/v1/gamma/servers/${a}`)).status).toBe(200);
  });
});

describe('a policy file overrides the defaults', () => {
  const file = (rules: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'extgate-policy-')), 'policy.json');
    writeFileSync(path, JSON.stringify(rules));
    return path;
  };

  test('a denied create is a 403 naming the rule and stores nothing', async () => {
    const policy = file({ 'os_compute_api:servers:create': '!' });
    const gw = await testGateway({ auth: { strategy: 'noauth', policy } });
    const r = await call(gw.app, '/v1/servers', { ...json('POST', server), headers: { 'Content-Type': 'application/json', Accept: 'application/xml' } });
    expect(r.status).toBe(403);
    expect(parseXml(r.text).forbidden.message).toBe('Policy doesn\'t allow os_compute_api:servers:create to be performed.');
    expect(await gw.store.list('servers')).toEqual([]);
  });

  test('a rule nothing checks or refers to is logged at start (a misspelt name)', async () => {
    const gw = await testGateway({ auth: { strategy: 'noauth', policy: file({ 'os_compute_api:servers:creat': '!', mine: 'role:x', 'os_compute_api:servers:show': 'rule:mine' }) } });
    expect(gw.logged.filter((l) => l.startsWith('policy:'))).toEqual([expect.stringContaining('sets "os_compute_api:servers:creat", which nothing checks or refers to')]);
  });

  test('an extension\'s action rule, by its default name: a 403 before the action runs', async () => {
    const gw = await testGateway({ auth: { strategy: 'noauth', policy: file({ 'OS-LOCK:lock': 'role:nobody' }) } });
    const id = (await call(gw.app, '/v1/servers', json('POST', server))).json().server.id;
    gw.clock.advance(2000);
    const r = await call(gw.app, `/v1/servers/${id}/action`, json('POST', { 'OS-LOCK:lock': null }));
    expect(r.status).toBe(403);
    expect(r.json().forbidden.message).toContain('OS-LOCK:lock');
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server['OS-LOCK:locked']).toBe(false);
  });

  test('a rule that does not parse, or names an unknown rule, stops the start naming it; a file that is not an object too', async () => {
    await expect(testGateway({ auth: { strategy: 'noauth', policy: file({ 'os_compute_api:servers:show': 'role:admin or (', x: 'rule:y' }) } })).rejects.toThrow(PolicyError);
    await expect(testGateway({ auth: { strategy: 'noauth', policy: file({ x: 'rule:y' }) } })).rejects.toThrow('rule "x" "rule:y" refers to rule:y, which is not defined');
    await expect(testGateway({ auth: { strategy: 'noauth', policy: file(['role:admin']) } })).rejects.toThrow(ConfigError);
    await expect(testGateway({ auth: { strategy: 'noauth', policy: '/nonexistent/policy.json' } })).rejects.toThrow('cannot read the policy file /nonexistent/policy.json');
  });
});

describe('unlocking the other side\'s lock takes the override rule (nova\'s locked_by)', () => {
  test.each([
    ['default', {}, { 'OS-LOCK:lock': null }, { 'OS-LOCK:unlock': null }, 'OS-LOCK:unlock:override'],
    ['nova', profileInput('nova'), { lock: null }, { unlock: null }, 'os_compute_api:os-lock-server:unlock:unlock_override'],
  ] as [string, Record<string, unknown>, unknown, unknown, string][])('%s profile: an admin may unlock the owner\'s lock; the owner may not unlock the admin\'s', async (_, profile, lock, unlock, rule) => {
    // Two gateways on one database: alpha's members, and an admin of another project.
    const path = join(mkdtempSync(join(tmpdir(), 'extgate-lock-')), 'x.sqlite');
    const members = await testGateway({ ...profile, store: { path }, auth: { strategy: 'noauth', project: 'alpha', roles: ['member', 'reader'] } });
    const admins = await testGateway({ ...profile, store: { path }, auth: { strategy: 'noauth', project: 'ops' } });
    const id = (await call(members.app, '/v1/servers', json('POST', server))).json().server.id;
    const act = (gw: typeof members, body: unknown) => call(gw.app, `/v1/servers/${id}/action`, json('POST', body));
    expect((await act(members, lock)).status).toBe(202);
    expect((await act(admins, unlock)).status).toBe(202);
    expect((await act(admins, lock)).status).toBe(202);
    const refused = await act(members, unlock);
    expect(refused.status).toBe(403);
    expect(refused.json().forbidden.message).toBe(`Policy doesn't allow ${rule} to be performed.`);
    // Still locked: a change is refused.
    expect((await call(members.app, `/v1/servers/${id}`, { method: 'DELETE' })).status).toBe(409);
    // The owner locking it again leaves the admin's lock as it is (nova's lock returns early).
    expect((await act(members, lock)).status).toBe(202);
    expect((await act(members, unlock)).status).toBe(403);
    expect((await act(admins, unlock)).status).toBe(202);
    // The owner's own lock is the owner's to lift.
    expect((await act(members, lock)).status).toBe(202);
    expect((await act(members, unlock)).status).toBe(202);
    expect((await call(members.app, `/v1/servers/${id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('extensions declare their rules; what is wrong is reported at load, naming the extension and the field', () => {
  const VERSIONS = [{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }] as const;
  const build = (defs: ExtensionDefinition[]) =>
    buildRegistry(defs.map((d) => ({ label: d.alias, exported: defineExtension(d) })), { versions: VERSIONS, vendors: loadVendors(), onInvalid: 'skip' });
  const brief = (p: Problem) => `${p.extension} ${p.field} ${p.rule}: ${p.message}`;

  test('every problem at once', () => {
    const r = build([descriptor('RAX-N', {
      policies: [
        { name: 'RAX-N:ok', check: 'rule:project_member_or_admin', description: 'fine' },
        { name: 'RAX-N:bad', check: 'role:admin or', description: 'does not parse' },
        { name: 'RAX-N:stray', check: 'rule:RAX-OTHER:x', description: 'names another extension\'s rule' },
        { name: 'os_compute_api:servers:create', check: '@', description: 'takes a core rule' },
      ],
      actions: [
        { resource: 'server', name: 'go', from: ['ACTIVE'], policy: 'RAX-N:ok' },
        { resource: 'server', name: 'stop', from: ['ACTIVE'], policy: 'RAX-N:missing' },
      ],
    } as Partial<ExtensionDefinition>)]);
    expect(r.problems.map(brief)).toEqual([
      'RAX-N policies[1].check policy-syntax: "role:admin or": ends where a check was expected',
      'RAX-N policies[2].check policy-rule: refers to rule:RAX-OTHER:x, which is neither a core rule nor one of RAX-N\'s',
      'RAX-N policies[3].name policy-name: "os_compute_api:servers:create" is a core rule; an extension declares rules of its own',
      'RAX-N actions[1].policy policy-rule: "RAX-N:missing" is neither a core rule nor one RAX-N declares in policies',
    ]);
  });
});
