import type { Context } from 'hono';
import { badRequest } from '../media/fault.ts';
import type { Value } from '../model/shape.ts';

/**
 * Searching the extension list (the registry API's filters): `q` in alias, name and description,
 * case-insensitive; `vendor`, the alias's prefix (`OS` finds nova's `os-` spellings too);
 * `updated-since`, a timestamp. Filters combine; a bad value is a 400, a filter that matches
 * nothing an empty list. The text each item is searched in is made once, when the registry is built.
 */
export const SEARCH_PARAMETERS = ['q', 'vendor', 'updated-since'] as const;

export interface Searchable {
  readonly item: Value;
  readonly text: string;
  readonly vendor: string;
  readonly updated: number;
}

export const searchable = (item: Value): Searchable => {
  const alias = item.alias as string;
  return {
    item,
    text: `${alias}\n${item.name as string}\n${item.description as string}`.toLowerCase(),
    vendor: alias.slice(0, alias.indexOf('-')).toUpperCase(),
    updated: Date.parse(item.updated as string),
  };
};

const single = (c: Context, name: string): string | undefined => {
  const values = c.req.queries(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw badRequest(`Query parameter "${name}" may be given once.`);
  return values[0];
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The filter the query asks for, or undefined when it asks for none. */
export const searchFilter = (c: Context): ((s: Searchable) => boolean) | undefined => {
  const q = single(c, 'q');
  const vendor = single(c, 'vendor');
  const since = single(c, 'updated-since');
  if (q === undefined && vendor === undefined && since === undefined) return undefined;
  const checks: ((s: Searchable) => boolean)[] = [];
  if (q !== undefined) {
    if (q.length === 0 || q.length > 255) throw badRequest('"q" must be 1 to 255 characters.');
    const needle = q.toLowerCase();
    checks.push((s) => s.text.includes(needle));
  }
  if (vendor !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(vendor)) throw badRequest(`"vendor" must be a vendor prefix such as RAX or OS; got "${vendor}".`);
    const wanted = vendor.toUpperCase();
    checks.push((s) => s.vendor === wanted);
  }
  if (since !== undefined) {
    const t = Date.parse(TIMESTAMP.test(since) && since.includes('T') && !/Z|[+-]\d{2}:?\d{2}$/.test(since) ? `${since}Z` : since);
    if (!TIMESTAMP.test(since) || Number.isNaN(t)) throw badRequest(`"updated-since" must be a timestamp such as 2011-09-27T00:00:00Z; got "${since}".`);
    checks.push((s) => s.updated >= t);
  }
  return (s) => checks.every((f) => f(s));
};
