import type { OldNamesMode, OldSpelling, OwnerSpellings, Spelling } from '../model/naming.ts';
import type { Extension } from './define.ts';
import type { PromotionRecord } from './promotions.ts';
import type { Problem } from './problems.ts';
import { ALIAS, isAbsoluteUri, isXsdDateTime } from './rules.ts';
import type { Vendors } from './vendors.ts';
import { getOrMake } from '../memo.ts';

/**
 * An extension's lineage: the spellings promotion records give it, version by version
 * (RAX-PIE in v1, OS-PIE from v2, core from v3). Records are checked here, all problems at once:
 * each on its own (grammar, registered prefix, namespace, a configured `since`, timestamps), then
 * as chains (the extension exists, no fork, no cycle, one step per version and in version order,
 * no alias or namespace taken from another extension). Clashes of core names with the core or
 * with one another are found where every name is claimed, per version (wiring.ts).
 */
export interface Step {
  /** Undefined once core. */
  readonly alias: string | undefined;
  readonly namespace: string | undefined;
  readonly renames?: ReadonlyMap<string, string>;
  /** Index of the first API version that spells it this way. */
  readonly since: number;
  /** The record that made this step (none for the spelling the extension was defined with). */
  readonly record?: PromotionRecord;
}

export interface LineageContext {
  readonly extensions: readonly Extension[];
  readonly versions: readonly { readonly id: string; readonly updated: string }[];
  readonly vendors: Vendors;
  /** Aliases of extensions present but not loaded (disabled, left out): their records do not apply. */
  readonly absent?: ReadonlySet<string>;
}

export interface Lineage {
  /** Each loaded extension's steps, oldest first. */
  readonly chains: ReadonlyMap<string, readonly Step[]>;
  readonly problems: readonly Problem[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export const resolveLineage = (records: readonly PromotionRecord[], ctx: LineageContext): Lineage => {
  const ids = ctx.versions.map((v) => v.id);
  const problems: Problem[] = [];
  const problem = (r: PromotionRecord, field: string, rule: string, message: string) =>
    problems.push({ extension: r.from, field: `${r.source}.${field}`, rule, message });
  /** Aliases a bad record would have introduced: records from them are not reported again. */
  const broken = new Set<string>();

  const sound = records.filter((r) => {
    const before = problems.length;
    if (r.to === 'core') {
      if (r.namespace !== undefined) problem(r, 'namespace', 'core-namespace', 'a promotion to core takes no namespace: core names live in the core namespace');
      for (const [from, to] of Object.entries(r.names ?? {})) {
        if (!NAME.test(to)) problem(r, `names.${from}`, 'name-grammar', `"${to}" must be a name of letters, digits, "_" and "-"`);
      }
    } else {
      const m = ALIAS.exec(r.to);
      if (m === null) problem(r, 'to', 'alias-grammar', `"${r.to}" must be "core" or a vendor prefix, "-" and a name, of letters, digits and "-" only`);
      else if (!ctx.vendors.has(m[1]!)) problem(r, 'to', 'vendor-prefix', `prefix "${m[1]}" is not registered (known: ${[...ctx.vendors.keys()].join(', ')})`);
      if (r.namespace === undefined) problem(r, 'namespace', 'required', `a promotion to ${r.to} needs the new XML namespace`);
      else if (!isAbsoluteUri(r.namespace)) problem(r, 'namespace', 'uri', `"${r.namespace}" must be an absolute URI`);
      if (r.names !== undefined) problem(r, 'names', 'core-names', 'names are renamed only on the way into core; an alias keeps them');
    }
    if (!ids.includes(r.since)) {
      // The project's record of a version this deployment does not serve applies to nothing here.
      if (r.shipped === true) {
        broken.add(r.to);
        return false;
      }
      problem(r, 'since', 'since-version', `"${r.since}" is not an API version of this gateway (${ids.join(', ')})`);
    }
    for (const field of ['date', 'sunset'] as const) {
      const value = r[field];
      if (value !== undefined && !isXsdDateTime(value)) problem(r, field, 'timestamp', `"${value}" must be an xsd:dateTime timestamp such as 2012-01-18T00:00:00Z`);
    }
    const date = promotionDate(r, ctx.versions);
    if (r.sunset !== undefined && isXsdDateTime(date) && isXsdDateTime(r.sunset) && epochSeconds(r.sunset) <= epochSeconds(date)) {
      problem(r, 'sunset', 'timestamp', `the sunset ${r.sunset} must come after the promotion date ${date}`);
    }
    if (problems.length === before) return true;
    broken.add(r.to);
    return false;
  });

  // One successor per alias: a fork leaves both branches out.
  const byFrom = new Map<string, PromotionRecord>();
  for (const [from, rs] of groupBy(sound, (r) => r.from)) {
    if (rs.length === 1) {
      byFrom.set(from, rs[0]!);
      continue;
    }
    for (const r of rs) {
      problem(r, 'from', 'promotion-twice', `${from} is promoted by ${rs.length} records (to ${rs.map((x) => `${x.to} in ${x.since}`).join(', ')}); a step has one successor`);
      broken.add(r.to);
    }
  }

  // Aliases and namespaces belong to one extension, whichever spelling claims them.
  const aliasOwner = new Map<string, string>();
  const namespaceOwner = new Map<string, string>();
  for (const e of ctx.extensions) {
    aliasOwner.set(e.alias, e.alias);
    namespaceOwner.set(e.namespace, e.alias);
  }
  for (const a of ctx.absent ?? []) if (!aliasOwner.has(a)) aliasOwner.set(a, a);

  const chains = new Map<string, Step[]>();
  const applied = new Set<PromotionRecord>();
  for (const e of ctx.extensions) {
    const min = Math.max(0, ids.indexOf(e.minVersion ?? ids[0]!));
    const steps: Step[] = [{ alias: e.alias, namespace: e.namespace, since: min }];
    const contributed = contributedNames(e);
    for (let r = byFrom.get(e.alias); r !== undefined; r = r.to === 'core' ? undefined : byFrom.get(r.to)) {
      applied.add(r);
      const since = ids.indexOf(r.since);
      const last = steps[steps.length - 1]!;
      const spelled = steps.map((s) => s.alias!);
      const before = problems.length;
      if (r.to !== 'core' && spelled.includes(r.to)) {
        problem(r, 'to', 'promotion-cycle', `${r.from} -> ${r.to} closes a cycle: ${[...spelled, r.to].join(' -> ')}`);
      } else if (since < min) {
        problem(r, 'since', 'since-version', `${r.since} comes before ${e.alias}'s minVersion ${ids[min]}`);
      } else if (last.record !== undefined && since === last.since) {
        problem(r, 'since', 'promotion-twice', `${e.alias} is promoted twice in ${r.since} (also ${last.record.from} -> ${last.alias ?? 'core'}, ${last.record.source}); one promotion per version`);
      } else if (last.record !== undefined && since < last.since) {
        problem(r, 'since', 'promotion-order', `${r.since} comes before ${ids[last.since]}, the version ${r.from} itself starts in (${last.record.source})`);
      }
      if (r.to !== 'core' && !spelled.includes(r.to) && (aliasOwner.get(r.to) ?? e.alias) !== e.alias) {
        problem(r, 'to', 'unique-alias', `"${r.to}" is already the alias of ${aliasOwner.get(r.to)}`);
      }
      if (r.namespace !== undefined && (namespaceOwner.get(r.namespace) ?? e.alias) !== e.alias) {
        problem(r, 'namespace', 'unique-namespace', `"${r.namespace}" is already the namespace of ${namespaceOwner.get(r.namespace)}`);
      } else if (r.namespace !== undefined && steps.some((x) => x.namespace === r.namespace)) {
        // XML tells old names from new by their namespace: one kept across a promotion would say neither.
        problem(r, 'namespace', 'unique-namespace', `"${r.namespace}" is already the namespace of ${steps.find((x) => x.namespace === r.namespace)!.alias}, an earlier name of ${e.alias}: a new alias needs a new namespace`);
      }
      for (const name of Object.keys(r.names ?? {})) {
        if (!contributed.has(name)) problem(r, `names.${name}`, 'unknown-name', `${e.alias} contributes no name "${name}" (it has ${[...contributed].join(', ') || 'none'})`);
      }
      if (problems.length > before) {
        broken.add(r.to);
        break;
      }
      if (r.to !== 'core') aliasOwner.set(r.to, e.alias);
      if (r.namespace !== undefined) namespaceOwner.set(r.namespace, e.alias);
      steps.push({
        alias: r.to === 'core' ? undefined : r.to,
        namespace: r.to === 'core' ? undefined : r.namespace,
        renames: r.names === undefined ? undefined : new Map(Object.entries(r.names)),
        since,
        record: r,
      });
    }
    chains.set(e.alias, steps);
  }

  // Records no loaded extension reaches: about an extension not loaded here (quietly), or about none.
  const quiet = new Set([...(ctx.absent ?? []), ...broken]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of sound) {
      if (quiet.has(r.from) && !quiet.has(r.to)) {
        quiet.add(r.to);
        grew = true;
      }
    }
  }
  for (const r of byFrom.values()) {
    if (applied.has(r) || quiet.has(r.from) || r.shipped === true) continue;
    problem(r, 'from', 'unknown-extension', `"${r.from}" is neither an extension here nor the alias another record promotes to`);
  }
  return { chains, problems };
};

const RANK: Record<OldNamesMode, number> = { refuse: 0, accept: 1, both: 2 };

/**
 * An extension's spellings in one API version: the last step that applies is current; every
 * earlier one is old, in the most restrictive mode of the promotions since it (an alias cut off
 * once stays cut off), dated by the promotion that retired it.
 */
export const spellingsAt = (
  owner: string,
  steps: readonly Step[],
  index: number,
  versions: readonly { readonly updated: string }[],
): OwnerSpellings => {
  let j = 0;
  while (j + 1 < steps.length && steps[j + 1]!.since <= index) j++;
  const cur = steps[j]!;
  const current: Spelling =
    cur.record === undefined
      ? { alias: cur.alias, namespace: cur.namespace }
      : { alias: cur.alias, namespace: cur.namespace, renames: cur.renames, via: cur.record.source, promoted: promotionDate(cur.record, versions) };
  const old: OldSpelling[] = [];
  let mode: OldNamesMode = 'both';
  for (let k = j - 1; k >= 0; k--) {
    const retiredBy = steps[k + 1]!.record!;
    const m = retiredBy.oldNames ?? 'both';
    if (RANK[m] < RANK[mode]) mode = m;
    const s = steps[k]!;
    old.push({
      owner,
      alias: s.alias!,
      namespace: s.namespace!,
      mode,
      successor: cur.alias,
      deprecatedAt: epochSeconds(promotionDate(retiredBy, versions)),
      sunset: retiredBy.sunset === undefined ? undefined : new Date(epochSeconds(retiredBy.sunset) * 1000).toUTCString(),
      via: retiredBy.source,
    });
  }
  return { owner, current, old };
};

const promotionDate = (r: PromotionRecord, versions: readonly { readonly id?: string; readonly updated: string }[]): string =>
  r.date ?? versions.find((v) => v.id === r.since)?.updated ?? '1970-01-01T00:00:00Z';

/** An xsd:dateTime in seconds since the epoch; one without a zone is read as UTC. */
export const epochSeconds = (dateTime: string): number => {
  const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(dateTime) ? dateTime : `${dateTime}Z`;
  return Math.floor(Date.parse(zoned) / 1000);
};

/** The names an extension contributes, which a promotion into core may rename. */
const contributedNames = (e: Extension): Set<string> => {
  const names = new Set<string>();
  for (const list of [e.attributes, e.parameters, e.actions, e.states]) for (const x of list ?? []) names.add(x.name);
  for (const h of [...(e.headers?.request ?? []), ...(e.headers?.response ?? [])]) names.add(h);
  for (const r of e.routes ?? []) {
    for (const s of [r.input, r.output]) if (typeof s === 'object' && s?.owner !== undefined) names.add(s.element);
  }
  return names;
};

const groupBy = <T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) getOrMake(m, key(x), () => []).push(x);
  return m;
};
