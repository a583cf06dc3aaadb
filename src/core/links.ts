import type { Context } from 'hono';
import { origin, rawPath } from '../http/request.ts';

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

export const linkBase = (c: Context, version: string): LinkBase => {
  const url = c.req.url;
  const o = origin(url);
  const raw = rawPath(url).split('/');
  const routed = c.req.path.split('/');
  // The routing path drops the tenant segment: if the raw path is longer there, it had one.
  const tenant = raw.length > routed.length && raw[2] !== routed[2] ? `/${raw[2]}` : '';
  return { self: `${o}/${version}${tenant}`, bookmark: `${o}${tenant}` };
};

export const resourceLinks = (base: LinkBase, collection: string, id: string) => [
  { rel: 'self', href: `${base.self}/${collection}/${id}` },
  { rel: 'bookmark', href: `${base.bookmark}/${collection}/${id}` },
];
