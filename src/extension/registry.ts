import { namingOf, type Naming } from '../model/naming.ts';
import { buildVersionModel, type VersionModel } from './wiring.ts';
import { isExtension, type Extension } from './define.ts';
import { resolveLineage, spellingsAt, type Lineage } from './lineage.ts';
import type { PromotionRecord } from './promotions.ts';
import { orderByDependencies } from './order.ts';
import { ExtensionLoadError, type Problem } from './problems.ts';
import { checkDefinition } from './rules.ts';
import type { Vendors } from './vendors.ts';
import { getOrMake } from '../memo.ts';

export type VersionStatus = 'CURRENT' | 'SUPPORTED' | 'DEPRECATED' | 'EXPERIMENTAL';

export interface ApiVersion {
  readonly id: string;
  readonly status: VersionStatus;
  readonly updated: string;
}

/** A module as the loader found it: where it came from and what it exported. */
export interface LoadedModule {
  readonly label: string;
  readonly folder?: string;
  /** Where it was found (its folder's path), for problems that name two modules. */
  readonly path?: string;
  /** One of the project's own extensions: in skip mode, a clash with one leaves out the other. */
  readonly builtin?: boolean;
  readonly exported: unknown;
}

/** One API version as clients see it: the extensions it carries and how their names are spelled. */
export interface VersionView {
  readonly version: ApiVersion;
  /** Dependency order, then alias: the order hooks run in. */
  readonly extensions: readonly Extension[];
  readonly naming: Naming;
  /** The core resources with these extensions' contributions, wired for this version. */
  readonly model: VersionModel;
}

export interface Registry {
  readonly versions: readonly VersionView[];
  /** Every loaded extension, in load order. */
  readonly extensions: readonly Extension[];
  /** Problems of extensions left out (only when invalid ones are skipped). */
  readonly problems: readonly Problem[];
  /** The registered vendor prefixes. */
  readonly vendors: Vendors;
  version(id: string): VersionView | undefined;
}

export interface RegistryOptions {
  readonly versions: readonly ApiVersion[];
  readonly vendors: Vendors;
  /** `fail`: any problem stops the build. `skip`: bad extensions are left out and reported. */
  readonly onInvalid?: 'fail' | 'skip';
  /** Problems found before the build (by the loader), reported with the rest. */
  readonly problems?: readonly Problem[];
  /** How long each transient state lasts (ms), for the state machines. */
  readonly durations?: (state: string) => number;
  /** Promotion records (spec/promotions.json and the configuration's): each version's names follow them. */
  readonly promotions?: readonly PromotionRecord[];
  /** Extensions present but not loaded (disabled): records about them do not apply, and are not faults. */
  readonly absent?: readonly string[];
}

/** Builds the registry once; everything per request is derived from it ahead of time. */
export const buildRegistry = (modules: readonly LoadedModule[], opts: RegistryOptions): Registry => {
  const versionIds = opts.versions.map((v) => v.id);
  const problems: Problem[] = [...(opts.problems ?? [])];
  const sound: Extension[] = [];
  const moduleOf = new Map<Extension, LoadedModule>();

  for (const m of modules) {
    if (!isExtension(m.exported)) {
      problems.push({ extension: m.label, field: '(module)', rule: 'define-extension', message: 'the default export must be defineExtension({...})' });
      continue;
    }
    const label = typeof m.exported.alias === 'string' && m.exported.alias !== '' ? m.exported.alias : m.label;
    const found = checkDefinition(m.exported, label, { vendors: opts.vendors, versions: versionIds, folder: m.folder });
    problems.push(...found);
    if (found.length === 0) sound.push(m.exported);
    moduleOf.set(m.exported, m);
  }
  // A requirement no module provides is reported for unsound extensions too: every problem at once.
  const present = new Set(modules.flatMap((m) => (isExtension(m.exported) ? [m.exported.alias] : [])));
  for (const m of modules) {
    if (!isExtension(m.exported) || sound.includes(m.exported) || !Array.isArray(m.exported.requires)) continue;
    for (const r of m.exported.requires) {
      if (!present.has(r)) problems.push({ extension: m.exported.alias, field: 'requires', rule: 'requires-missing', message: `requires "${r}", which is not loaded` });
    }
  }

  const unique = dropDuplicates(sound, problems, (e) => moduleOf.get(e));
  const { ordered, problems: orderProblems } = orderByDependencies(unique);
  problems.push(...orderProblems);
  const loaded = ordered.filter((e) => versionOrderOk(e, ordered, versionIds, problems));

  // Each extension's spellings, version by version; a bad record is left out, with its successors.
  const absent = new Set([...(opts.absent ?? []), ...modules.map((m) => m.label)].filter((a) => !loaded.some((e) => e.alias === a)));
  const lineageOf = (usable: readonly Extension[], records: readonly PromotionRecord[]) =>
    resolveLineage(records, { extensions: usable, versions: opts.versions, vendors: opts.vendors, absent });
  const lineage = lineageOf(loaded, opts.promotions ?? []);
  problems.push(...lineage.problems);

  const durations = opts.durations ?? (() => 1000);
  const viewsOf = (usable: readonly Extension[], chains: Lineage['chains']) =>
    opts.versions.map((version, index) => {
      const extensions = usable.filter((e) => versionIds.indexOf(e.minVersion ?? versionIds[0]!) <= index);
      const naming = namingOf(extensions.map((e) => spellingsAt(e.alias, chains.get(e.alias)!, index, opts.versions)));
      const wired = buildVersionModel(extensions, naming, durations);
      return { view: { version, extensions, naming, model: wired.model } as VersionView, problems: wired.problems };
    });
  // Contributions are checked per version, on the names each version renders.
  let built = viewsOf(loaded, lineage.chains);
  const wiringProblems = dedupe(built.flatMap((b) => b.problems));
  problems.push(...wiringProblems);
  // An extension left out for its requirements still has its contributions checked: every
  // problem at once, not one more each time the last is fixed.
  for (const e of unique.filter((x) => !loaded.includes(x))) {
    const alone = viewsOf([...loaded, e], resolveLineage([], { extensions: [...loaded, e], versions: opts.versions, vendors: opts.vendors }).chains);
    problems.push(...dedupe(alone.flatMap((b) => b.problems)).filter((p) => p.extension === e.alias && !wiringProblems.some((w) => same(w, p))));
  }
  if (problems.length > 0 && (opts.onInvalid ?? 'fail') === 'fail') throw new ExtensionLoadError(problems);
  if (wiringProblems.length > 0) {
    // A clash a promotion caused leaves out the record; any other, the extension.
    const badRecords = new Set(wiringProblems.flatMap((p) => (p.record === undefined ? [] : [p.record])));
    const bad = new Set(wiringProblems.filter((p) => p.record === undefined).map((p) => p.extension));
    const { ordered: kept, problems: cascade } = orderByDependencies(loaded.filter((e) => !bad.has(e.alias)));
    problems.push(...cascade);
    for (const e of loaded) if (!kept.includes(e)) absent.add(e.alias);
    loaded.splice(0, loaded.length, ...kept);
    built = viewsOf(loaded, lineageOf(loaded, (opts.promotions ?? []).filter((r) => !badRecords.has(r.source))).chains);
  }
  const views = built.map((b) => b.view);
  const byId = new Map(views.map((v) => [v.version.id, v]));
  return { versions: views, extensions: loaded, problems, vendors: opts.vendors, version: (id) => byId.get(id) };
};

const same = (a: Problem, b: Problem): boolean => a.extension === b.extension && a.field === b.field && a.rule === b.rule && a.message === b.message;

const dedupe = (ps: readonly Problem[]): Problem[] => {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.extension}|${p.field}|${p.rule}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/**
 * Alias and namespace name one extension each. Every holder of a shared one is at fault, named
 * with where it was found; but one of the project's own is kept against one from elsewhere, so
 * that in skip mode a bad extension never knocks out a shipped one.
 */
const dropDuplicates = (extensions: readonly Extension[], problems: Problem[], moduleOf: (e: Extension) => LoadedModule | undefined): Extension[] => {
  const bad = new Set<Extension>();
  const where = (e: Extension) => moduleOf(e)?.path ?? moduleOf(e)?.label ?? e.alias;
  for (const field of ['alias', 'namespace'] as const) {
    const holders = new Map<string, Extension[]>();
    for (const e of extensions) getOrMake(holders, e[field], () => []).push(e);
    for (const [value, hs] of holders) {
      if (hs.length < 2) continue;
      const shipped = hs.filter((e) => moduleOf(e)?.builtin === true);
      const atFault = shipped.length === 1 ? hs.filter((e) => e !== shipped[0]) : hs;
      for (const e of atFault) {
        bad.add(e);
        const others = hs.filter((x) => x !== e).map(where);
        problems.push({ extension: e.alias, field, rule: `unique-${field}`, message: `"${value}" of ${where(e)} is also claimed by ${others.join(', ')}` });
      }
    }
  }
  return extensions.filter((e) => !bad.has(e));
};

/** An extension cannot apply to a version older than one its requirements apply to. */
const versionOrderOk = (e: Extension, all: readonly Extension[], ids: readonly string[], problems: Problem[]): boolean => {
  const min = (x: Extension) => ids.indexOf(x.minVersion ?? ids[0]!);
  for (const r of e.requires ?? []) {
    const dep = all.find((x) => x.alias === r);
    if (dep !== undefined && min(dep) > min(e)) {
      problems.push({ extension: e.alias, field: 'minVersion', rule: 'requires-version', message: `applies from ${ids[min(e)]} but requires "${r}", which applies from ${dep.minVersion}` });
      return false;
    }
  }
  return true;
};
