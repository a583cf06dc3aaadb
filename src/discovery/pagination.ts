import type { Context } from 'hono';
import type { Link } from '../model/shape.ts';
import { badRequest } from '../media/fault.ts';
import { rawPath } from '../http/request.ts';
import type { Origin } from '../http/origin.ts';

/** `limit` and `marker` as OpenStack pages: the page after the marker, a `next` link if more remain. */
export interface PageRequest {
  readonly limit?: number;
  readonly marker?: string;
}

const single = (c: Context, name: string): string | undefined => {
  const values = c.req.queries(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw badRequest(`Query parameter "${name}" may be given once.`);
  return values[0];
};

/** The largest page (nova's osapi_max_limit): a larger `limit` is read as this one, as nova reads it; the next link says more follow. */
export const MAX_LIMIT = 1000;

export const pageRequest = (c: Context): PageRequest => {
  const limit = single(c, 'limit');
  const marker = single(c, 'marker');
  if (limit !== undefined && !/^\d+$/.test(limit)) throw badRequest(`limit must be a whole number (a larger one than ${MAX_LIMIT} is read as ${MAX_LIMIT}), got "${limit}".`);
  if (marker === '') throw badRequest('marker must not be empty.');
  return { limit: limit === undefined ? undefined : Math.min(Number(limit), MAX_LIMIT), marker };
};

/** One page of items sorted by key; throws a 400 fault when the marker names no item. */
export const paginate = <T>(
  c: Context,
  items: readonly T[],
  keyOf: (item: T) => string,
  page: PageRequest,
  origin: Origin,
): { items: readonly T[]; links: Link[] } => {
  let start = 0;
  if (page.marker !== undefined) {
    const at = items.findIndex((i) => keyOf(i) === page.marker);
    if (at === -1) throw badRequest(`marker "${page.marker}" was not found.`);
    start = at + 1;
  }
  const end = page.limit === undefined ? items.length : start + page.limit;
  const slice = items.slice(start, end);
  const links: Link[] = [];
  if (end < items.length && slice.length > 0) {
    // The next page keeps every other parameter (a search's filters), with the new marker.
    const url = c.req.url;
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    query.set('marker', keyOf(slice[slice.length - 1]!));
    links.push({ rel: 'next', href: `${origin(c)}${rawPath(url)}?${query.toString()}` });
  }
  return { items: slice, links };
};
