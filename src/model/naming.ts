import type { Owner } from './shape.ts';
import { getOrMakeBounded } from '../memo.ts';

/**
 * How one API version spells the names each owner contributes. Handler code never writes an
 * alias: it names fields by owner (the alias an extension was defined with, which is also the
 * key its data is stored under), and the codecs ask the version's Naming at the edge. Promotion
 * (RAX-PIE -> OS-PIE -> core) gives an owner another spelling in later versions, and keeps the
 * earlier ones as old spellings that requests may still use: a different Naming, not different code.
 */

/** What happens to an old spelling where a newer one is current (see extension/lineage.ts). */
export type OldNamesMode = 'both' | 'accept' | 'refuse';

export interface Spelling {
  /** The alias qualifying the owner's names (`OS-DCF`); undefined once they are core. */
  readonly alias: string | undefined;
  /** The XML namespace of the owner's elements and attributes; undefined in core (the core namespace). */
  readonly namespace: string | undefined;
  /** Names renamed on the way into core (`tag` -> `tags`): only the names an extension contributes. */
  readonly renames?: ReadonlyMap<string, string>;
  /** The promotion record that gave this spelling, for operators reviewing names. */
  readonly via?: string;
  /** When that promotion took effect (an xsd:dateTime): the extension's `updated` in discovery. */
  readonly promoted?: string;
}

/** An earlier spelling of a promoted owner, and what a request that still uses it is told. */
export interface OldSpelling extends Spelling {
  readonly alias: string;
  readonly namespace: string;
  readonly owner: string;
  /** `both`: read and written; `accept`: read only; `refuse`: a 400 naming the current name. */
  readonly mode: OldNamesMode;
  /** The alias that replaces it in this version, or undefined when its names are core. */
  readonly successor: string | undefined;
  /** RFC 9745 `Deprecation`: the promotion's date, in seconds since the epoch. */
  readonly deprecatedAt: number;
  /** RFC 8594 `Sunset`, as an HTTP date, when the promotion names one. */
  readonly sunset?: string;
}

/** The spelling of core names, and of an extension's names once it is core without renames. */
export const CORE: Spelling = Object.freeze({ alias: undefined, namespace: undefined });

/** An alias or namespace a client used, resolved: whose names, and the old spelling if it is one. */
export interface Resolved {
  readonly owner: string;
  readonly old?: OldSpelling;
}

export interface Naming {
  /** How this version writes the owner's names; undefined when the owner is not loaded here. */
  current(owner: string): Spelling | undefined;
  /** Earlier spellings of a promoted owner, newest first, whatever their mode. */
  old(owner: string): readonly OldSpelling[];
  /** What responses carry: the current spelling, then the old ones kept in `both` mode. */
  written(owner: string): readonly Spelling[];
  /** The owner a client means by an alias prefix (`RAX-PIE` in `RAX-PIE:shared`), current or old. */
  byAlias(alias: string): Resolved | undefined;
  /** The owner of an XML namespace, current or old. */
  byNamespace(namespace: string): Resolved | undefined;
}

export interface OwnerSpellings {
  readonly owner: string;
  readonly current: Spelling;
  readonly old: readonly OldSpelling[];
}

/** A Naming from each owner's spellings, with every lookup a map read. */
export const namingOf = (owners: Iterable<OwnerSpellings>): Naming => {
  const current = new Map<string, Spelling>();
  const old = new Map<string, readonly OldSpelling[]>();
  const written = new Map<string, readonly Spelling[]>();
  const aliases = new Map<string, Resolved>();
  const namespaces = new Map<string, Resolved>();
  for (const o of owners) {
    current.set(o.owner, o.current);
    old.set(o.owner, o.old);
    written.set(o.owner, [o.current, ...o.old.filter((s) => s.mode === 'both')]);
    // Old first, so that a namespace kept across a promotion resolves to the current spelling.
    for (const s of o.old) {
      aliases.set(s.alias, { owner: o.owner, old: s });
      namespaces.set(s.namespace, { owner: o.owner, old: s });
    }
    if (o.current.alias !== undefined) aliases.set(o.current.alias, { owner: o.owner });
    if (o.current.namespace !== undefined) namespaces.set(o.current.namespace, { owner: o.owner });
  }
  return {
    current: (owner) => current.get(owner),
    old: (owner) => old.get(owner) ?? [],
    written: (owner) => written.get(owner) ?? [],
    byAlias: (alias) => aliases.get(alias),
    byNamespace: (namespace) => namespaces.get(namespace),
  };
};

/** Every name spelled with the alias and namespace its extension was defined with (no promotions). */
export const definedNaming = (extensions: Iterable<{ alias: string; namespace: string }>): Naming =>
  namingOf([...extensions].map((e) => ({ owner: e.alias, current: { alias: e.alias, namespace: e.namespace }, old: [] })));

/**
 * The same naming with one owner written as a client addressed it (a route at an old alias):
 * that extension's own documents answer in the spelling the client knows, the current one besides.
 */
export const addressedAs = (naming: Naming, owner: string, spelling: Spelling): Naming => ({
  ...naming,
  current: (o) => (o === owner ? spelling : naming.current(o)),
  written: (o) => (o === owner ? [spelling, ...naming.written(o).filter((x) => x !== spelling)] : naming.written(o)),
});

/** The spelling of an owner's names in this version: core names for the core (owner undefined). */
export const spellingOf = (naming: Naming, owner: Owner): Spelling => {
  if (owner === undefined) return CORE;
  const s = naming.current(owner);
  if (s === undefined) throw new Error(`no extension ${owner} is loaded in this API version`);
  return s;
};

/** The spellings responses carry an owner's names in: the core's, or the owner's written ones. */
export const writtenSpellings = (naming: Naming, owner: Owner): readonly Spelling[] => {
  if (owner === undefined) return [CORE];
  spellingOf(naming, owner); // an owner not loaded in this version is a wiring bug: say so
  return naming.written(owner);
};

/** Splits an internal qualified key (`RAX-CBS:ATTACHING`) into owner and local name. */
export const splitKey = (key: string): { owner: string | undefined; name: string } => {
  const i = key.indexOf(':');
  return i === -1 ? { owner: undefined, name: key } : { owner: key.slice(0, i), name: key.slice(i + 1) };
};

/**
 * A contributed name (attribute, parameter, action, state, owned document) as JSON, queries and
 * states spell it: `alias:name`, or the bare name in core, renamed if the promotion says so.
 */
export const spell = (s: Spelling, name: string): string =>
  s.alias === undefined ? (s.renames?.get(name) ?? name) : `${s.alias}:${name}`;

/** A header an extension contributes: `RAX-CBS-Volume-Type`, or the bare (renamed) name in core. */
export const spellHeader = (s: Spelling, name: string): string =>
  s.alias === undefined ? (s.renames?.get(name) ?? name) : `${s.alias}-${name}`;

/** XML spelling: a prefix (the alias) bound to the spelling's namespace, or unprefixed in core. */
export interface XmlName {
  readonly prefix?: string;
  readonly namespace?: string;
  readonly local: string;
}

/**
 * `contributed` names are renamed into core; names inside an extension's structure (a list's
 * item element, a map's entry) keep their local name.
 */
export const xmlName = (s: Spelling, name: string, contributed = true): XmlName =>
  s.alias === undefined || s.namespace === undefined
    ? { local: contributed ? (s.renames?.get(name) ?? name) : name }
    : { prefix: s.alias, namespace: s.namespace, local: name };

/**
 * Renders a qualified value (a state such as `RAX-CBS:ATTACHING`) for one version; memoised. A
 * value holds one name, so while old names are kept (both) it keeps the oldest kept spelling, the
 * one every client of the extension knows; once they are only accepted, the current one.
 */
export const valueRenderer = (naming: Naming): ((value: string) => string) => {
  const cache = new Map<string, string>();
  // Bounded: stored values are data, and data can hold anything.
  return (value) =>
    getOrMakeBounded(cache, value, () => {
      const { owner, name } = splitKey(value);
      const s = owner === undefined ? CORE : naming.written(owner).at(-1);
      // A state stored by an extension that is not loaded here is shown as it was stored.
      return s === undefined ? value : spell(s, name);
    }, 1024);
};
