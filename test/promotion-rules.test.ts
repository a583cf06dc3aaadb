import { describe, expect, test } from 'vitest';
import { defineExtension, type ExtensionDefinition } from '../src/extension/define.ts';
import { spellingsAt, resolveLineage } from '../src/extension/lineage.ts';
import { ExtensionLoadError, type Problem } from '../src/extension/problems.ts';
import type { PromotionInput } from '../src/extension/promotions.ts';
import { buildRegistry } from '../src/extension/registry.ts';
import { loadVendors } from '../src/extension/vendors.ts';
import { ConfigError, parseConfig } from '../src/config.ts';
import { loadRegistry } from '../src/gateway.ts';
import { runCli, writeConfig } from './support/process.ts';
import { descriptor } from './support/descriptor.ts';

/**
 * The load-time rules of promotion records: each broken one is reported with the record, the
 * field and the rule, all at once, and a bad record is left out (with what follows it) while
 * the rest apply.
 */
const VERSIONS = [
  { id: 'v1', status: 'SUPPORTED', updated: '2011-09-27T00:00:00Z' },
  { id: 'v2', status: 'SUPPORTED', updated: '2020-01-01T00:00:00Z' },
  { id: 'v3', status: 'CURRENT', updated: '2026-01-01T00:00:00Z' },
] as const;
const vendors = loadVendors();

const ext = (alias: string, extra: Partial<ExtensionDefinition> = {}) => defineExtension(descriptor(alias, extra));
const ns = (alias: string) => `http://example.com/ext/${alias.toLowerCase()}/v2.0`;

const A = ext('RAX-A', {
  attributes: [{ resource: 'server', name: 'colour' }],
  parameters: [{ resource: 'servers', name: 'colour', filter: () => true }],
  actions: [{ resource: 'server', name: 'paint', from: ['ACTIVE'] }],
  states: [{ resource: 'server', name: 'PAINTING' }],
});
const B = ext('RAX-B', { attributes: [{ resource: 'server', name: 'colour' }] });

const build = (records: readonly PromotionInput[], extensions = [A, B], onInvalid: 'fail' | 'skip' = 'skip', absent: string[] = []) =>
  buildRegistry(extensions.map((e) => ({ label: e.alias, exported: e })), {
    versions: VERSIONS,
    vendors,
    onInvalid,
    absent,
    promotions: records.map((r, i) => ({ ...r, source: `promotions[${i}]` })),
  });
const brief = (p: Problem) => `${p.extension} ${p.field} ${p.rule}`;
const problemsOf = (records: readonly PromotionInput[], extensions = [A, B]) => build(records, extensions).problems.map(brief);

describe('each record on its own', () => {
  test.each<[string, PromotionInput, string]>([
    ['an unknown extension', { from: 'RAX-NOPE', to: 'OS-NOPE', since: 'v2', namespace: ns('OS-NOPE') }, 'RAX-NOPE promotions[0].from unknown-extension'],
    ['an unregistered prefix', { from: 'RAX-A', to: 'ZZZ-A', since: 'v2', namespace: ns('ZZZ-A') }, 'RAX-A promotions[0].to vendor-prefix'],
    ['an alias out of grammar', { from: 'RAX-A', to: 'OS-a_b', since: 'v2', namespace: ns('OS-A') }, 'RAX-A promotions[0].to alias-grammar'],
    ['a since that is not a configured version', { from: 'RAX-A', to: 'OS-A', since: 'v9', namespace: ns('OS-A') }, 'RAX-A promotions[0].since since-version'],
    ['no namespace for an alias', { from: 'RAX-A', to: 'OS-A', since: 'v2' }, 'RAX-A promotions[0].namespace required'],
    ['a relative namespace', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: 'ext/a' }, 'RAX-A promotions[0].namespace uri'],
    ['a namespace for core', { from: 'RAX-A', to: 'core', since: 'v2', namespace: ns('A') }, 'RAX-A promotions[0].namespace core-namespace'],
    ['renames on the way to an alias', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A'), names: { colour: 'color' } }, 'RAX-A promotions[0].names core-names'],
    ['a rename of a name it does not have', { from: 'RAX-A', to: 'core', since: 'v2', names: { flavour: 'taste' } }, 'RAX-A promotions[0].names.flavour unknown-name'],
    ['a rename to a bad name', { from: 'RAX-A', to: 'core', since: 'v2', names: { colour: 'a:b' } }, 'RAX-A promotions[0].names.colour name-grammar'],
    ['a bad date', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A'), date: 'last week' }, 'RAX-A promotions[0].date timestamp'],
    ['a sunset before the date', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A'), date: '2020-01-01T00:00:00Z', sunset: '2019-01-01T00:00:00Z' }, 'RAX-A promotions[0].sunset timestamp'],
    ['a new alias that is another extension\'s', { from: 'RAX-A', to: 'RAX-B', since: 'v2', namespace: ns('X') }, 'RAX-A promotions[0].to unique-alias'],
    ['a new namespace that is another extension\'s', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: 'http://example.com/ext/rax-b/v1.0' }, 'RAX-A promotions[0].namespace unique-namespace'],
    ['the namespace it already had (XML could not tell old names from new)', { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: 'http://example.com/ext/rax-a/v1.0' }, 'RAX-A promotions[0].namespace unique-namespace'],
    ['a sunset before the default date (the since version\'s)', { from: 'RAX-A', to: 'OS-A', since: 'v3', namespace: ns('OS-A'), sunset: '2025-01-01T00:00:00Z' }, 'RAX-A promotions[0].sunset timestamp'],
  ])('%s', (_, record, expected) => {
    const problems = build([record]).problems;
    expect(problems.map(brief)).toEqual([expected]);
    expect(problems[0]!.message.length).toBeGreaterThan(15);
  });

  test('a since before the extension\'s minVersion', () => {
    const late = ext('RAX-L', { minVersion: 'v2' });
    expect(problemsOf([{ from: 'RAX-L', to: 'OS-L', since: 'v1', namespace: ns('OS-L') }], [late])).toEqual(['RAX-L promotions[0].since since-version']);
  });

  test('records about an extension present but not loaded (disabled) do not apply and are not faults', () => {
    const r = build([{ from: 'RAX-OFF', to: 'OS-OFF', since: 'v2', namespace: ns('OS-OFF') }, { from: 'OS-OFF', to: 'core', since: 'v3' }], [A], 'skip', ['RAX-OFF']);
    expect(r.problems).toEqual([]);
  });
});

describe('records as chains', () => {
  test('a cycle', () => {
    expect(problemsOf([
      { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A') },
      { from: 'OS-A', to: 'RAX-A', since: 'v3', namespace: ns('RAX-A2') },
    ])).toEqual(['OS-A promotions[1].to promotion-cycle']);
  });

  test('two promotions of the same extension in the same version', () => {
    expect(problemsOf([
      { from: 'RAX-A', to: 'MLTI-A', since: 'v2', namespace: ns('MLTI-A') },
      { from: 'MLTI-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A') },
    ])).toEqual(['MLTI-A promotions[1].since promotion-twice']);
  });

  test('two successors of one alias (a fork): both are left out', () => {
    expect(problemsOf([
      { from: 'RAX-A', to: 'MLTI-A', since: 'v2', namespace: ns('MLTI-A') },
      { from: 'RAX-A', to: 'OS-A', since: 'v3', namespace: ns('OS-A') },
    ])).toEqual(['RAX-A promotions[0].from promotion-twice', 'RAX-A promotions[1].from promotion-twice']);
  });

  test('a step that comes before the one it follows', () => {
    expect(problemsOf([
      { from: 'RAX-A', to: 'MLTI-A', since: 'v3', namespace: ns('MLTI-A') },
      { from: 'MLTI-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A') },
    ])).toEqual(['MLTI-A promotions[1].since promotion-order']);
  });

  test('a bad step leaves out what follows it without reporting it twice', () => {
    const r = build([
      { from: 'RAX-A', to: 'ZZZ-A', since: 'v2', namespace: ns('ZZZ-A') },
      { from: 'ZZZ-A', to: 'core', since: 'v3' },
    ]);
    expect(r.problems.map(brief)).toEqual(['RAX-A promotions[0].to vendor-prefix']);
    expect(r.version('v3')!.naming.current('RAX-A')!.alias).toBe('RAX-A');
  });
});

describe('names in core clash with the core and with each other: the record is at fault, not the module', () => {
  test.each<[string, ExtensionDefinition]>([
    ['a core attribute', ext('RAX-N', { attributes: [{ resource: 'server', name: 'name' }] })],
    ['a core parameter', ext('RAX-N', { parameters: [{ resource: 'servers', name: 'limit', filter: () => true }] })],
    ['a core state', ext('RAX-N', { states: [{ resource: 'server', name: 'ACTIVE' }] })],
    ['a core action', ext('RAX-N', { actions: [{ resource: 'server', name: 'reboot', from: ['ACTIVE'] }] })],
    ['a core header', ext('RAX-N', { headers: { request: ['Content-Type'] } })],
  ])('%s', (_, definition) => {
    const problems = build([{ from: 'RAX-N', to: 'core', since: 'v2' }], [defineExtension(definition)]).problems;
    expect(problems.map(brief)).toEqual(['RAX-N promotions[0].to conflict']);
    expect(problems[0]!.message).toMatch(/is already claimed by the core: promoted into core, RAX-N's \S+ would be spelled so/);
  });

  test('a rename that makes a core name clash names the rename', () => {
    const r = ext('RAX-R', { attributes: [{ resource: 'image', name: 'size' }] });
    expect(problemsOf([{ from: 'RAX-R', to: 'core', since: 'v2', names: { size: 'minDisk' } }], [r])).toEqual(['RAX-R promotions[0].names.size conflict']);
  });

  test('two promotions into core with the same name', () => {
    expect(problemsOf([
      { from: 'RAX-A', to: 'core', since: 'v2' },
      { from: 'RAX-B', to: 'core', since: 'v2' },
    ])).toEqual(['RAX-B promotions[1].to conflict']);
  });

  test('skip: the clashing record is left out; the extension keeps its alias, in every version', () => {
    const r = build([{ from: 'RAX-A', to: 'core', since: 'v2' }, { from: 'RAX-B', to: 'core', since: 'v2' }]);
    expect(r.extensions.map((e) => e.alias)).toEqual(['RAX-A', 'RAX-B']);
    expect(r.version('v2')!.naming.current('RAX-A')!.alias).toBeUndefined();
    expect(r.version('v2')!.naming.current('RAX-B')!.alias).toBe('RAX-B');
  });

  test('a state renamed onto a core one is reported once, not again by the actions through it', () => {
    const cbs = ext('RAX-S', { states: [{ resource: 'server', name: 'ATTACHING' }], actions: [{ resource: 'server', name: 'go', from: ['ACTIVE'], via: 'ATTACHING' }] });
    expect(problemsOf([{ from: 'RAX-S', to: 'core', since: 'v2', names: { ATTACHING: 'ACTIVE' } }], [cbs])).toEqual(['RAX-S promotions[0].names.ATTACHING conflict']);
  });

  test('the same names under two aliases do not clash', () => {
    expect(problemsOf([{ from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A') }])).toEqual([]);
  });
});

describe('every problem at once', () => {
  const bad: PromotionInput[] = [
    { from: 'RAX-NOPE', to: 'OS-NOPE', since: 'v2', namespace: ns('OS-NOPE') },
    { from: 'RAX-A', to: 'ZZZ-A', since: 'v9' },
    { from: 'RAX-B', to: 'core', since: 'v2', date: 'soon' },
  ];

  test('fail: one error lists them all; skip: the rest apply', () => {
    let error: unknown;
    try {
      build(bad, [A, B], 'fail');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExtensionLoadError);
    expect((error as ExtensionLoadError).problems.map(brief).sort()).toEqual([
      'RAX-A promotions[1].namespace required',
      'RAX-A promotions[1].since since-version',
      'RAX-A promotions[1].to vendor-prefix',
      'RAX-B promotions[2].date timestamp',
      'RAX-NOPE promotions[0].from unknown-extension',
    ]);
    const good = build([...bad, { from: 'RAX-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A') }]);
    expect(good.version('v2')!.naming.current('RAX-A')!.alias).toBe('OS-A');
  });

  test('npm run check reports every problem of a configuration\'s records and exits 1', async () => {
    const cli = runCli(['check', '--config', writeConfig({ promotions: bad.map((r) => (r.from === 'RAX-A' ? { ...r, from: 'RAX-PIE' } : r.from === 'RAX-B' ? { ...r, from: 'RAX-DESC' } : r)) })]);
    expect(await cli.exited).toBe(1);
    const out = cli.output();
    expect(out).toContain('RAX-NOPE: promotions[0].from: "RAX-NOPE" is neither an extension here nor the alias another record promotes to [unknown-extension]');
    expect(out).toContain('RAX-PIE: promotions[1].to: prefix "ZZZ" is not registered');
    expect(out).toContain('RAX-PIE: promotions[1].since: "v9" is not an API version of this gateway (v1, v2) [since-version]');
    expect(out).toContain('RAX-DESC: promotions[2].date: "soon" must be an xsd:dateTime');
    expect(out).toContain('5 problem(s)');
  });

  test('a record with a misspelled field is a configuration error', () => {
    expect(() => parseConfig({ promotions: [{ from: 'RAX-A', to: 'OS-A', since: 'v1', namespase: 'http://x' }] })).toThrow(ConfigError);
    expect(() => parseConfig({ promotions: [{ from: 'RAX-A', to: 'OS-A', since: 'v1', oldNames: 'maybe' }] })).toThrow(/oldNames/);
  });

  test('the shipped registry is sound, and its records about disabled extensions do not apply', async () => {
    expect((await loadRegistry(parseConfig({}))).problems).toEqual([]);
    const r = await loadRegistry(parseConfig({ extensions: { disable: ['RAX-DCF', 'OS-LOCK', 'MLTI-TAGS'] } }));
    expect(r.problems).toEqual([]);
  });

  test('a deployment that serves only v1 (or its own version ids): the shipped records about v2 apply to nothing', async () => {
    for (const versions of [[{ id: 'v1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }], [{ id: 'v1.1', status: 'CURRENT', updated: '2011-09-27T00:00:00Z' }]] as const) {
      const r = await loadRegistry(parseConfig({ versions: [...versions], extensions: { onInvalid: 'fail' } }));
      expect(r.problems).toEqual([]);
      const only = r.versions[0]!;
      expect(only.naming.current('OS-LOCK')!.alias).toBe('OS-LOCK');
      expect(only.naming.current('RAX-DCF')!.alias).toBe(versions[0].id === 'v1' ? 'OS-DCF' : 'RAX-DCF');
    }
  });
});

describe('an extension\'s spellings, version by version', () => {
  const records: PromotionInput[] = [
    { from: 'RAX-A', to: 'MLTI-A', since: 'v1', namespace: ns('MLTI-A'), date: '2012-01-01T00:00:00Z', oldNames: 'both' },
    { from: 'MLTI-A', to: 'OS-A', since: 'v2', namespace: ns('OS-A'), oldNames: 'accept', sunset: '2030-01-01T00:00:00Z' },
    { from: 'OS-A', to: 'core', since: 'v3', names: { colour: 'color' }, oldNames: 'refuse' },
  ];
  const lineage = resolveLineage(records.map((r, i) => ({ ...r, source: `promotions[${i}]` })), { extensions: [A], versions: VERSIONS, vendors });
  const at = (i: number) => spellingsAt('RAX-A', lineage.chains.get('RAX-A')!, i, VERSIONS);

  test('the newest step that applies is current; older ones keep the most restrictive mode since them', () => {
    expect(lineage.problems).toEqual([]);
    expect(at(0).current.alias).toBe('MLTI-A');
    expect(at(0).old.map((o) => [o.alias, o.mode])).toEqual([['RAX-A', 'both']]);
    expect(at(1).current.alias).toBe('OS-A');
    expect(at(1).old.map((o) => [o.alias, o.mode, o.successor])).toEqual([['MLTI-A', 'accept', 'OS-A'], ['RAX-A', 'accept', 'OS-A']]);
    expect(at(2).current).toMatchObject({ alias: undefined, namespace: undefined });
    expect(at(2).current.renames?.get('colour')).toBe('color');
    expect(at(2).old.map((o) => [o.alias, o.mode, o.successor])).toEqual([['OS-A', 'refuse', undefined], ['MLTI-A', 'refuse', undefined], ['RAX-A', 'refuse', undefined]]);
  });

  test('each old spelling is dated by the promotion that retired it; without a date, by its version', () => {
    expect(at(1).old.find((o) => o.alias === 'RAX-A')!.deprecatedAt).toBe(Date.UTC(2012, 0, 1) / 1000);
    expect(at(1).old.find((o) => o.alias === 'MLTI-A')!.deprecatedAt).toBe(Date.UTC(2020, 0, 1) / 1000);
    expect(at(1).old.find((o) => o.alias === 'MLTI-A')!.sunset).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
  });
});
