import type { Context } from 'hono';
import { badRequest } from '../media/fault.ts';
import { origin as requestOrigin, requestHeader } from './request.ts';

/**
 * Where links and `Location` point: `scheme://host[:port]` and any path prefix the gateway is
 * published under. A configured `publicUrl` decides it (nova's osapi_compute_link_prefix), so no
 * header a client sends can put another site into the links it follows. Without one, the
 * request's own scheme and Host; behind a proxy that is trusted (`trustProxy`), the
 * `X-Forwarded-Proto` and `X-Forwarded-Host` it sets.
 */
export type Origin = (c: Context) => string;

/** host[:port]: a name, an IPv4 address or a bracketed IPv6 literal; a port of digits. */
export const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._~-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;

export interface OriginOptions {
  readonly publicUrl?: string;
  readonly trustProxy?: boolean;
}

/** The first value of a header a proxy may have appended to (`a, b`). */
const firstOf = (value: string | undefined): string | undefined => (value === undefined ? undefined : value.split(',', 1)[0]!.trim());

export const originOf = (opts: OriginOptions = {}): Origin => {
  if (opts.publicUrl !== undefined) {
    const fixed = opts.publicUrl.replace(/\/+$/, '');
    return () => fixed;
  }
  if (opts.trustProxy !== true) return (c) => requestOrigin(c.req.url);
  return (c) => {
    const own = requestOrigin(c.req.url);
    const host = firstOf(requestHeader(c, 'x-forwarded-host'));
    const proto = firstOf(requestHeader(c, 'x-forwarded-proto'))?.toLowerCase();
    if (host !== undefined && !HOST.test(host)) throw badRequest(`X-Forwarded-Host "${host}" is not a host[:port].`);
    if (proto !== undefined && proto !== 'http' && proto !== 'https') throw badRequest(`X-Forwarded-Proto "${proto}" is not http or https.`);
    return `${proto ?? own.slice(0, own.indexOf(':'))}://${host ?? own.slice(own.indexOf('//') + 2)}`;
  };
};
