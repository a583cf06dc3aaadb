import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

/** Profiles: shipped configurations (profiles/NAME.json) a config file applies on top of. */
const file = (config: unknown): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'extgate-profile-')), 'extgate.config.json');
  writeFileSync(f, JSON.stringify(config));
  return f;
};

describe('profiles', () => {
  test('nova: nova\'s modules folder, exactly its aliases, RAX-DCF promoted to OS-DCF with old names read only', () => {
    const c = loadConfig({ profile: 'nova', env: {} });
    expect(c.extensions.paths).toEqual([expect.stringMatching(/extensions\/nova$/)]);
    expect(c.extensions.enable).toContain('os-server-start-stop');
    expect(c.builtinPromotions).toBe(false);
    expect(c.promotions).toEqual([expect.objectContaining({ from: 'RAX-DCF', to: 'OS-DCF', oldNames: 'accept' })]);
  });

  test('EXTGATE_PROFILE chooses it too; default is the same as none', () => {
    expect(loadConfig({ env: { EXTGATE_PROFILE: 'nova' } }).builtinPromotions).toBe(false);
    expect(loadConfig({ profile: 'default', env: {} })).toEqual(loadConfig({ env: {} }));
  });

  test('a config file applies on top: its extensions settings one by one, the rest whole', () => {
    const c = loadConfig({ profile: 'nova', file: file({ port: 9999, extensions: { disable: ['os-admin-actions'] } }), env: {} });
    expect(c.port).toBe(9999);
    expect(c.extensions.disable).toEqual(['os-admin-actions']);
    expect(c.extensions.enable).toContain('OS-EXT-STS'); // kept from the profile
  });

  test('an unknown profile is a configuration error naming the known ones', () => {
    expect(() => loadConfig({ profile: 'glance', env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ profile: 'glance', env: {} })).toThrow('profile "glance" does not exist (known: default, nova)');
  });
});

describe('auth configuration', () => {
  const keystone = { strategy: 'keystone', keystone: { url: 'http://keystone:5000/v3', username: 'extgate' } };

  test('noauth is the default', () => {
    expect(loadConfig({ env: {} }).auth).toEqual({ strategy: 'noauth', project: 'openstack', user: 'extgate', roles: ['admin', 'member', 'reader'] });
  });

  test('the keystone strategy takes its password from EXTGATE_KEYSTONE_PASSWORD; without one, the message says where to put it, and never shows a password', () => {
    const f = file({ auth: keystone });
    const c = loadConfig({ file: f, env: { EXTGATE_KEYSTONE_PASSWORD: 's3cret' } });
    expect(c.auth).toMatchObject({ strategy: 'keystone', cacheSeconds: 300, keystone: { password: 's3cret', project: 'service', userDomain: 'Default' } });
    expect(() => loadConfig({ file: f, env: {} })).toThrow(/auth\.keystone\.password: is required: set auth\.keystone\.password or EXTGATE_KEYSTONE_PASSWORD/);
    try {
      loadConfig({ file: file({ auth: { ...keystone, keystone: { ...keystone.keystone, url: 'not a url', password: 'hunter2' } } }), env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('auth.keystone.url');
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  test('a policy file is relative to the config file', () => {
    const f = file({ auth: { strategy: 'noauth', policy: 'policy.json' } });
    expect(loadConfig({ file: f, env: {} }).auth.policy).toBe(join(f, '..', 'policy.json'));
  });
});
