import { spellHeader, spellingOf, writtenSpellings, type Naming } from '../model/naming.ts';
import type { Owner } from '../model/shape.ts';
import type { Names } from './contract.ts';
import { getOrMake } from '../memo.ts';

/**
 * What one extension's code sees of one API version, made once per registry build: its names by
 * model key, and how this version spells its alias and headers. Its contexts (context.ts) read
 * from here on each request; nothing here grows with the number of extensions.
 */
export interface HeaderSpelling {
  /** As Node names request headers: lower case. */
  readonly lower: string;
  readonly spelled: string;
}

export class ExtensionScope {
  readonly names: Names;
  /** The alias this version spells the extension's names with; undefined once they are core. */
  readonly alias: string | undefined;
  /** Every alias responses carry its names under: the current one, and old ones kept in `both` mode. */
  readonly aliases: readonly string[];
  readonly #naming: Naming;
  readonly #owner: Owner;
  readonly #headers = new Map<string, { read: readonly HeaderSpelling[]; write: readonly string[] }>();

  /** The core's own actions run with the core's scope (owner undefined): bare names. */
  constructor(owner: Owner, requires: ReadonlySet<string>, naming: Naming) {
    this.#owner = owner;
    this.#naming = naming;
    this.names = owner === undefined ? CORE_NAMES : namesFor(owner, requires);
    this.alias = spellingOf(naming, owner).alias;
    this.aliases = writtenSpellings(naming, owner).flatMap((s) => (s.alias === undefined ? [] : [s.alias]));
  }

  /** The spellings of one of its headers: read (current first, then the old ones still accepted) and written. */
  headers(name: string): { read: readonly HeaderSpelling[]; write: readonly string[] } {
    return getOrMake(this.#headers, name, () => {
      const old = this.#owner === undefined ? [] : this.#naming.old(this.#owner).filter((o) => o.mode !== 'refuse');
      const read = [spellingOf(this.#naming, this.#owner), ...old].map((s) => {
        const spelled = spellHeader(s, name);
        return { lower: spelled.toLowerCase(), spelled };
      });
      return { read, write: writtenSpellings(this.#naming, this.#owner).map((s) => spellHeader(s, name)) };
    });
  }
}

/** An extension's view of names: its own, and those of the extensions it requires, by model key. */
export const namesFor = (owner: string, requires: ReadonlySet<string>): Names => ({
  key: (n) => `${owner}:${n}`,
  get: <T>(d: Record<string, unknown>, n: string) => d[`${owner}:${n}`] as T | undefined,
  set: (d, n, v) => {
    d[`${owner}:${n}`] = v;
  },
  of: (alias) => {
    if (!requires.has(alias)) throw new Error(`${owner} does not require ${alias}: it cannot see its names`);
    return namesFor(alias, new Set());
  },
});

const CORE_NAMES: Names = {
  key: (n) => n,
  get: <T>(d: Record<string, unknown>, n: string) => d[n] as T | undefined,
  set: (d, n, v) => {
    d[n] = v;
  },
  of: (alias) => {
    throw new Error(`the core does not see the names of ${alias}`);
  },
};
