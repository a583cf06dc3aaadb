import type { Context } from 'hono';
import type { OldUse } from '../media/read.ts';
import type { Origin } from './origin.ts';
import { getOrMake } from '../memo.ts';

/**
 * Old names of promoted extensions, as requests use them. A request that uses one is answered
 * normally and told so: `Deprecation: @<epoch>` (RFC 9745), `Link: <successor>;
 * rel="successor-version"`, and `Sunset` (RFC 8594) when the promotion names one. Each use is
 * counted per old name, which tells an operator when an old name may stop being accepted, and
 * logged at most once a minute per name. Requests that use none pay nothing for this.
 */

/** The headers that tell a client its request used old names. */
export const deprecationHeaders = (c: Context, version: string, uses: readonly OldUse[], origin: Origin): Record<string, string> => {
  let at = Infinity;
  let sunset: string | undefined;
  let sunsetAt = Infinity;
  const links = new Set<string>();
  for (const { spelling } of uses) {
    at = Math.min(at, spelling.deprecatedAt);
    if (spelling.sunset !== undefined && Date.parse(spelling.sunset) < sunsetAt) {
      sunsetAt = Date.parse(spelling.sunset);
      sunset = spelling.sunset;
    }
    // The successor's extension document, or this version's document once its names are core.
    const base = `${origin(c)}/${version}`;
    links.add(`<${spelling.successor === undefined ? `${base}/` : `${base}/extensions/${spelling.successor}`}>; rel="successor-version"`);
  }
  const headers: Record<string, string> = { Deprecation: `@${at}`, Link: [...links].join(', ') };
  if (sunset !== undefined) headers.Sunset = sunset;
  return headers;
};

export interface OldNameCount {
  /** The old alias, and the name as it was used (`RAX-DCF:diskConfig`, `RAX-CBS-Volume-Type`). */
  readonly alias: string;
  readonly name: string;
  readonly count: number;
}

/** Counts per old name; the names are the registry's, so the set is bounded. */
export class OldNameUses {
  readonly #counts = new Map<string, { alias: string; name: string; count: number }>();
  readonly #logged = new Map<string, number>();
  readonly #log: (message: string) => void;
  readonly #now: () => number;
  readonly #listeners: ((alias: string, name: string) => void)[] = [];

  constructor(log: (message: string) => void = () => {}, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /** Told of every use as it is counted (metrics). */
  listen(listener: (alias: string, name: string) => void): void {
    this.#listeners.push(listener);
  }

  /** One request's uses: a name it used twice (read by two hooks) counts once. */
  record(uses: readonly OldUse[]): void {
    const seen = new Set<string>();
    for (const { spelling, name } of uses) {
      const key = `${spelling.alias} ${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = getOrMake(this.#counts, key, () => ({ alias: spelling.alias, name, count: 0 }));
      entry.count++;
      for (const l of this.#listeners) l(spelling.alias, name);
      const now = this.#now();
      const last = this.#logged.get(key);
      if (last === undefined || now - last >= 60_000) {
        this.#logged.set(key, now);
        const successor = spelling.successor === undefined ? 'core names' : spelling.successor;
        this.#log(`old name ${name} used (${spelling.alias} is now ${successor}; ${spelling.via}): ${entry.count} use${entry.count === 1 ? '' : 's'} so far`);
      }
    }
  }

  counts(): OldNameCount[] {
    return [...this.#counts.values()].map((e) => ({ ...e }));
  }
}
