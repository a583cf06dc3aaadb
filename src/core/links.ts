import type { Context } from 'hono';
import { rawPath } from '../http/request.ts';
import type { Origin } from '../http/origin.ts';

/**
 * Where links point, as the client addressed us: `self` links carry the version (and the tenant,
 * if the request had one), `bookmark` links are version-independent, as in nova.
 */
export interface LinkBase {
  /** `http://host:8774/v1` or `http://host:8774/v1/{tenant}` */
  readonly self: string;
  /** `http://host:8774` or `http://host:8774/{tenant}` */
  readonly bookmark: string;
}

/** The second segment of a path (`/v1/{this}/...`), without splitting the whole path. */
const secondSegment = (path: string): string => {
  const a = path.indexOf('/', 1);
  if (a === -1) return '';
  const b = path.indexOf('/', a + 1);
  return path.slice(a + 1, b === -1 ? undefined : b);
};

/** The `{tenant_id}` of a tenant-scoped path (`/v1/{tenant_id}/servers`), if the request has one. */
export const tenantOf = (c: Context): string | undefined => tenantIn(rawPath(c.req.url), c.req.path);

/** The same, from the client's path and the routing path (http/path.ts) it routes as. */
export const tenantIn = (clientPath: string, routingPath: string): string | undefined => {
  // The routing path drops the tenant segment: where the client's path differs there, it had one.
  const raw = secondSegment(clientPath);
  const routed = secondSegment(routingPath);
  return raw !== routed && raw !== `${routed}.json` && raw !== `${routed}.xml` ? raw : undefined;
};

export const linkBase = (c: Context, version: string, originOf: Origin): LinkBase => {
  const o = originOf(c);
  const t = tenantOf(c);
  const tenant = t === undefined ? '' : `/${t}`;
  return { self: `${o}/${version}${tenant}`, bookmark: `${o}${tenant}` };
};

export const resourceLinks = (base: LinkBase, collection: string, id: string) => [
  { rel: 'self', href: `${base.self}/${collection}/${id}` },
  { rel: 'bookmark', href: `${base.bookmark}/${collection}/${id}` },
];
