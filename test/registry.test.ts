import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineExtension, type ExtensionDefinition } from '../src/extension/define.ts';
import { loadModules } from '../src/extension/loader.ts';
import { ExtensionLoadError, type Problem } from '../src/extension/problems.ts';
import { buildRegistry, type LoadedModule } from '../src/extension/registry.ts';
import { isXsdDateTime } from '../src/extension/rules.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { parseConfig, profileInput } from '../src/config.ts';
import { loadRegistry } from '../src/gateway.ts';
import { SHIPPED } from './support/shipped.ts';
import { descriptor } from './support/descriptor.ts';

const VERSIONS = [
  { id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' },
  { id: 'v2', status: 'EXPERIMENTAL', updated: '2026-01-01T00:00:00Z' },
] as const;
const vendors = loadVendors({ ACME: 'Acme Corp' });

const good = descriptor;

const mod = (def: unknown, folder?: string): LoadedModule => ({ label: folder ?? (def as { alias?: string } | undefined)?.alias ?? '(anonymous)', folder, exported: def });
const build = (defs: unknown[], onInvalid: 'fail' | 'skip' = 'skip') =>
  buildRegistry(defs.map((d) => mod(d)), { versions: VERSIONS, vendors, onInvalid });
const problemsOf = (defs: unknown[]): Problem[] => build(defs).problems as Problem[];
const brief = (p: Problem) => `${p.extension} ${p.field} ${p.rule}`;

describe('one descriptor: each rule names extension, field and rule', () => {
  test.each([
    ['alias with underscore', { alias: 'RAX-my_ext' }, 'RAX-my_ext alias alias-grammar'],
    ['alias without a name', { alias: 'RAX' }, 'RAX alias alias-grammar'],
    ['alias with a space', { alias: 'RAX-A B' }, 'RAX-A B alias alias-grammar'],
    ['unregistered prefix', { alias: 'ZZZ-FOO' }, 'ZZZ-FOO alias vendor-prefix'],
    ['relative namespace', { namespace: 'ext/foo' }, 'RAX-T namespace uri'],
    ['bad timestamp', { updated: 'yesterday' }, 'RAX-T updated timestamp'],
    ['impossible date', { updated: '2011-02-30T00:00:00Z' }, 'RAX-T updated timestamp'],
    ["keystone's broken seconds", { updated: '2013-07-07T12:00:0-00:00' }, 'RAX-T updated timestamp'],
    ['no PDF link', { links: [{ rel: 'describedby', type: 'application/xml', href: 'http://x.example/a.xsd' }] }, 'RAX-T links pdf-link'],
    ['PDF link that is not describedby', { links: [{ rel: 'alternate', type: 'application/pdf', href: 'http://x.example/a.pdf' }] }, 'RAX-T links pdf-link'],
    ['relative link href', { links: [{ rel: 'describedby', type: 'application/pdf', href: 'spec.pdf' }] }, 'RAX-T links[0].href uri'],
    ['bad link type', { links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://x.example/a.pdf' }, { rel: 'describedby', type: 'pdf', href: 'http://x.example/b' }] }, 'RAX-T links[1].type media-type'],
    ['empty name', { name: '' }, 'RAX-T name required'],
    ['blank description', { description: '   ' }, 'RAX-T description required'],
    ['name of the wrong type', { name: 42 }, 'RAX-T name type'],
    ['unknown field', { requirez: ['RAX-X'] }, 'RAX-T requirez unknown-field'],
    ['unknown minimum version', { minVersion: 'v9' }, 'RAX-T minVersion min-version'],
  ])('%s', (_, patch, expected) => {
    const problems = problemsOf([{ ...defineExtension(good('RAX-T')), ...patch, [Symbol.for('extgate.extension')]: true }]);
    expect(problems.map(brief)).toEqual([expected]);
    expect(problems[0]!.message.length).toBeGreaterThan(10);
  });

  test('every problem of one descriptor is reported at once', () => {
    const bad = defineExtension({ ...good('RAX-T'), alias: 'rax_t', updated: 'soon', namespace: 'nope', links: [], minVersion: 'v7' } as ExtensionDefinition);
    expect(problemsOf([bad]).map((p) => `${p.field} ${p.rule}`).sort()).toEqual(
      ['alias alias-grammar', 'links pdf-link', 'minVersion min-version', 'namespace uri', 'updated timestamp'],
    );
  });

  test('a default export that is not defineExtension(...) is refused', () => {
    expect(problemsOf([{ ...good('RAX-T') }]).map(brief)).toEqual(['RAX-T (module) define-extension']);
    expect(problemsOf([undefined]).map((p) => p.rule)).toEqual(['define-extension']);
  });

  test('operator vendor prefixes come from config', () => {
    expect(problemsOf([defineExtension(good('ACME-WIDGET'))])).toEqual([]);
  });

  test.each([
    ['2011-09-27T00:00:00', true],
    ['2011-09-12T10:40:00-04:00', true],
    ['2011-09-27T00:00:00.123Z', true],
    ['2012-02-29T23:59:59Z', true],
    ['2011-09-27', false],
    ['2011-13-01T00:00:00Z', false],
    ['2011-09-27T25:00:00Z', false],
    ['2011-09-27 00:00:00', false],
  ])('xsd:dateTime %s -> %s', (s, ok) => expect(isXsdDateTime(s)).toBe(ok));
});

describe('across descriptors', () => {
  test('a duplicate alias or namespace faults every holder', () => {
    const problems = problemsOf([
      defineExtension(good('RAX-A')),
      defineExtension(good('RAX-A', { namespace: 'http://example.com/other' })),
      defineExtension(good('RAX-B', { namespace: 'http://example.com/shared' })),
      defineExtension(good('RAX-C', { namespace: 'http://example.com/shared' })),
    ]);
    expect(problems.map(brief).sort()).toEqual([
      'RAX-A alias unique-alias',
      'RAX-A alias unique-alias',
      'RAX-B namespace unique-namespace',
      'RAX-C namespace unique-namespace',
    ]);
  });

  test('requires: dependencies load first, then alias order', () => {
    const r = build([
      defineExtension(good('RAX-A', { requires: ['RAX-Z'] })),
      defineExtension(good('RAX-Z')),
      defineExtension(good('RAX-M')),
      defineExtension(good('RAX-B', { requires: ['RAX-A', 'RAX-M'] })),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-M', 'RAX-Z', 'RAX-A', 'RAX-B']);
  });

  test('a missing requirement, a cycle, and what depends on them are reported and left out', () => {
    const r = build([
      defineExtension(good('RAX-A', { requires: ['RAX-GONE'] })),
      defineExtension(good('RAX-B', { requires: ['RAX-C'] })),
      defineExtension(good('RAX-C', { requires: ['RAX-B'] })),
      defineExtension(good('RAX-D', { requires: ['RAX-A'] })),
      defineExtension(good('RAX-OK')),
    ]);
    expect(r.problems.map(brief).sort()).toEqual([
      'RAX-A requires requires-missing',
      'RAX-B requires requires-cycle',
      'RAX-C requires requires-cycle',
      'RAX-D requires requires-missing',
    ]);
    expect(r.problems.find((p) => p.extension === 'RAX-B')!.message).toContain('RAX-B -> RAX-C -> RAX-B');
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-OK']);
  });

  test('an extension cannot apply earlier than what it requires', () => {
    const r = build([defineExtension(good('RAX-NEW', { minVersion: 'v2' })), defineExtension(good('RAX-OLD', { requires: ['RAX-NEW'] }))]);
    expect(r.problems.map(brief)).toEqual(['RAX-OLD minVersion requires-version']);
  });

  test('fail mode throws one error carrying every problem of every extension', () => {
    const run = () => build([defineExtension(good('RAX-A', { updated: 'x' })), defineExtension(good('rax-b')), defineExtension(good('RAX-C', { requires: ['RAX-Q'] }))], 'fail');
    expect(run).toThrow(ExtensionLoadError);
    try {
      run();
    } catch (err) {
      const e = err as ExtensionLoadError;
      expect(e.problems.map(brief).sort()).toEqual(['RAX-A updated timestamp', 'RAX-C requires requires-missing', 'rax-b alias alias-grammar']);
      expect(e.message).toContain('3 extension problems');
      expect(e.message).toContain('RAX-A: updated: "x" must be an xsd:dateTime timestamp');
    }
  });

  test('skip mode keeps the good ones and reports the rest', () => {
    const r = build([defineExtension(good('RAX-A', { updated: 'x' })), defineExtension(good('RAX-B'))], 'skip');
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-B']);
    expect(r.problems.map(brief)).toEqual(['RAX-A updated timestamp']);
  });
});

describe('loader: real folders', () => {
  const write = (root: string, folder: string, body: string) => {
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, 'index.ts'), body);
  };
  const source = (def: ExtensionDefinition) => `import { defineExtension } from 'extgate';\nexport default defineExtension(${JSON.stringify(def)});\n`;

  const tree = () => {
    const root = mkdtempSync(join(tmpdir(), 'extgate-ext-'));
    write(root, 'RAX-ONE', source(good('RAX-ONE')));
    write(root, 'RAX-TWO', source(good('RAX-TWO', { requires: ['RAX-ONE'] })));
    write(root, 'RAX-MISNAMED', source(good('RAX-OTHER')));
    write(root, 'RAX-BROKEN', 'export default {{{ not typescript');
    mkdirSync(join(root, 'RAX-EMPTY'));
    return root;
  };

  test('every problem of the tree at once: folder name, import failure, missing entry', async () => {
    const config = parseConfig({ extensions: { builtin: false, paths: [tree()] } });
    await expect(loadRegistry(config)).rejects.toSatisfy((e: ExtensionLoadError) => {
      expect(e.problems.map(brief).sort()).toEqual(['RAX-BROKEN (module) module', 'RAX-EMPTY (module) module', 'RAX-OTHER alias folder-name']);
      return true;
    });
  });

  test('disable by folder name: a disabled module is never imported', async () => {
    const config = parseConfig({ extensions: { builtin: false, paths: [tree()], disable: ['RAX-BROKEN', 'RAX-EMPTY', 'RAX-MISNAMED'] } });
    const r = await loadRegistry(config);
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-ONE', 'RAX-TWO']);
  });

  test('enable list: only those load; a requirement left out is reported', async () => {
    const config = parseConfig({ extensions: { builtin: false, paths: [tree()], enable: ['RAX-TWO', 'RAX-NOWHERE'], onInvalid: 'skip' } });
    const r = await loadRegistry(config);
    expect(r.extensions).toEqual([]);
    expect(r.problems.map(brief).sort()).toEqual(['RAX-NOWHERE extensions.enable not-found', 'RAX-TWO requires requires-missing']);
  });

  test('a configured folder that does not exist is reported', async () => {
    const { problems } = await loadModules({ roots: ['/nonexistent/extgate'] });
    expect(problems.map((p) => p.rule)).toEqual(['not-found']);
  });

  test('the shipped extensions load cleanly, in a deterministic order', async () => {
    const r = await loadRegistry(parseConfig({}));
    expect(r.problems).toEqual([]);
    expect(r.extensions.map((e) => e.alias)).toEqual(SHIPPED);
  });
});

describe("nova's legacy spellings: lower-case os- aliases, bare names, derived attributes", () => {
  const ext = (alias: string, extra: Partial<ExtensionDefinition> = {}) => defineExtension(good(alias, extra));
  test('os- is the OS vendor\'s historical spelling; another lower-case prefix is not a prefix', () => {
    expect(problemsOf([ext('os-flavor-access')])).toEqual([]);
    expect(problemsOf([ext('rax-thing')]).map(brief)).toEqual(['rax-thing alias alias-grammar']);
  });

  test('a bare action, state or attribute is claimed like any name: two extensions cannot both take it, nor the core\'s', () => {
    const stop = { resource: 'server', name: 'os-stop', bare: true, from: ['ACTIVE'], to: 'SHUTOFF' } as const;
    const problems = problemsOf([
      ext('OS-ONE', { states: [{ resource: 'server', name: 'SHUTOFF', bare: true }], actions: [stop] }),
      ext('OS-TWO', { requires: ['OS-ONE'], actions: [stop, { resource: 'server', name: 'reboot', bare: true, from: 'any' }] }),
      ext('OS-THREE', { attributes: [{ resource: 'flavor', name: 'swap', bare: true, derive: () => '' }, { resource: 'flavor', name: 'ram', bare: true, derive: () => 1 }] }),
    ]);
    expect(problems.map(brief).sort()).toEqual(['OS-THREE attributes[1].name conflict', 'OS-TWO actions[0].name conflict', 'OS-TWO actions[1].name conflict']);
  });

  test('a bare attribute must be derived: nothing an extension stores may be unqualified (it would share the core\'s keys: task, imageId)', () => {
    const problems = problemsOf([
      ext('OS-ONE', { attributes: [{ resource: 'server', name: 'task', bare: true, default: { name: 'stuck', until: 9e15 } }, { resource: 'server', name: 'imageId', bare: true, accepts: ['create'] }] }),
    ]);
    expect(problems.map(brief)).toEqual(['OS-ONE attributes[0].bare bare-derived', 'OS-ONE attributes[1].bare bare-derived']);
  });

  test('a bare state of an extension not required is refused by name', () => {
    const problems = problemsOf([
      ext('OS-ONE', { states: [{ resource: 'server', name: 'SHUTOFF', bare: true }] }),
      ext('OS-TWO', { actions: [{ resource: 'server', name: 'halt', from: ['ACTIVE'], to: 'SHUTOFF' }] }),
    ]);
    expect(problems.map((p) => `${brief(p)}: ${p.message}`)).toEqual(['OS-TWO actions[0].to requires: state "SHUTOFF" belongs to OS-ONE, which OS-TWO does not require']);
  });

  test('a state may let core actions start from it; naming anything else is a problem', () => {
    const problems = problemsOf([ext('OS-ONE', { states: [{ resource: 'server', name: 'COLD', allows: ['createImage', 'rebuild'] }, { resource: 'image', name: 'FROZEN', allows: ['reboot'] }] })]);
    expect(problems.map((p) => `${brief(p)}: ${p.message}`)).toEqual([
      'OS-ONE states[0].allows[1] unknown-action: "rebuild" is not a core action (reboot, createImage)',
      'OS-ONE states[1].allows[0] unknown-action: an image state cannot let a server action start from it',
    ]);
  });

  test('a derived attribute is computed, never stored: accepts, a default or output: false is a problem', () => {
    const derive = () => 1;
    const problems = problemsOf([
      ext('OS-ONE', {
        attributes: [
          { resource: 'server', name: 'a', derive, accepts: ['create'] },
          { resource: 'server', name: 'b', derive, default: 0 },
          { resource: 'server', name: 'c', derive },
        ],
      }),
    ]);
    expect(problems.map(brief)).toEqual(['OS-ONE attributes[0].derive derived', 'OS-ONE attributes[1].derive derived']);
  });

  test('the nova profile loads cleanly', async () => {
    const r = await loadRegistry(parseConfig(profileInput('nova')));
    expect(r.problems).toEqual([]);
    expect(r.extensions).toHaveLength(12);
  });
});
