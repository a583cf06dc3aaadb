import type { Context, Handler, MiddlewareHandler } from 'hono';
import { isoSeconds, type Clock } from '../core/clock.ts';
import type { Bindings } from '../identity/gate.ts';
import type { Codec } from '../media/codecs.ts';
import { Fault } from '../media/fault.ts';
import { COMMON_NS } from '../media/namespaces.ts';
import { negotiation } from '../media/negotiate.ts';
import { responseCodec } from '../http/request.ts';
import { definedNaming } from '../model/naming.ts';
import { getOrMake } from '../memo.ts';
import { attribute, list, map, only, shape } from '../model/shape.ts';
import type { Level, RateLimit, RateLimiter, RateLimits } from './rate-limits.ts';

/**
 * Rate limiting at the edge of the API (ops/rate-limits.ts keeps the buckets): every request under
 * a version is counted before any route runs, and one over a limit is answered 429 `overLimit`
 * with Retry-After, having changed nothing. The version documents, the health check and the
 * metrics are not limited. `GET /{version}/limits` shows a caller its limits, in nova's shape.
 */

/** Whose buckets a request draws from: the token's project behind Keystone, else the client's address. */
export type CallerKey = (c: Context) => string;

export const callerKey = (strategy: 'noauth' | 'keystone', trustProxy: boolean): CallerKey => {
  if (strategy === 'keystone') return (c) => `project:${(c.env as Bindings).principal?.project ?? ''}`;
  return (c) => `address:${clientAddress(c, trustProxy)}`;
};

/** Behind a trusted proxy, the address it saw (the last X-Forwarded-For entry, which it appended). */
const clientAddress = (c: Context, trustProxy: boolean): string => {
  const incoming = (c.env as Bindings | undefined)?.incoming;
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.slice(forwarded.lastIndexOf(',') + 1).trim();
    if (last) return last;
  }
  return incoming?.socket.remoteAddress ?? 'unknown';
};

/** `/servers/detail?changes-since=...` for `/v1/{tenant}/servers/detail?changes-since=...`; undefined outside a version's resources. */
const VERSIONED = /^\/v\d+(?:\.\d+)?(\/.+)$/;
const limitedTarget = (c: Context): string | undefined => {
  const path = VERSIONED.exec(c.req.path)?.[1];
  if (path === undefined) return undefined;
  const url = c.req.url;
  const q = url.indexOf('?');
  return q === -1 ? path : path + decodedQuery(url.slice(q));
};

/** The query as the API reads it: `changes%2Dsince` is `changes-since`, and must not slip past its limit. */
const decodedQuery = (query: string): string => {
  if (!query.includes('%') && !query.includes('+')) return query;
  try {
    return decodeURIComponent(query.replaceAll('+', ' '));
  } catch {
    return query;
  }
};

/** A timestamp to the second, never before `ms`: a client waiting until then is not refused again. */
const notBefore = (ms: number): string => isoSeconds(Math.ceil(ms / 1000) * 1000);

const overLimit = (limit: RateLimit, retryAfterMs: number, now: number): Fault => {
  const seconds = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return new Fault('overLimit', 'This request was rate-limited.', {
    code: 429,
    details: `Only ${limit.value} ${limit.verb} request(s) can be made to ${limit.uri} every ${limit.unit.toLowerCase()}.`,
    headers: { 'Retry-After': seconds },
    fields: { retryAfter: seconds, retryAt: notBefore(now + retryAfterMs) },
  });
};

export const rateLimiting = (limits: RateLimits, limiter: RateLimiter, keyOf: CallerKey, clock: Clock): MiddlewareHandler =>
  async (c, next) => {
    const target = limitedTarget(c);
    if (target !== undefined) {
      const matching = limits.matching(c.req.method, target);
      if (matching.length > 0) {
        const now = clock.now();
        const refused = await limiter.take(keyOf(c), matching, now);
        if (refused !== undefined) throw overLimit(limits.limits[refused.limit]!, refused.retryAfterMs, now);
      }
    }
    await next();
  };

/**
 * Nova's legacy limits document: `{"limits": {"rate": [{"uri", "regex", "limit": [{"verb",
 * "value", "remaining", "unit", "next-available"}]}], "absolute": {}}}`, and in XML
 * `<limits><rates><rate uri regex><limit .../></rate></rates></limits>` (limits.xsd, which has
 * no empty `<rates>` and whose absolute limits are name/value pairs: none are kept here).
 */
const limitShape = shape('limit', COMMON_NS, [
  attribute('verb'), attribute('value', 'integer'), attribute('remaining', 'integer'), attribute('unit'), attribute('next-available', 'datetime'),
]);
const rateShape = shape('rate', COMMON_NS, [attribute('uri'), attribute('regex'), list('limit', limitShape, { wrapped: false })]);
export const limitsShape = shape('limits', COMMON_NS, [
  list('rate', rateShape, { xmlWrapper: 'rates', omitEmptyInXml: true }),
  only('json', map('absolute', 'limit')),
]);

/** The limits grouped as nova groups them: one `rate` per uri and regex, a `limit` per verb. */
const rates = (limits: readonly RateLimit[], levels: readonly Level[]) => {
  const groups = new Map<string, { uri: string; regex: string; limit: Record<string, unknown>[] }>();
  limits.forEach((l, i) => {
    const group = getOrMake(groups, `${l.uri}\n${l.regex}`, () => ({ uri: l.uri, regex: l.regex, limit: [] }));
    const level = levels[i]!;
    group.limit.push({ verb: l.verb, value: l.value, remaining: level.remaining, unit: l.unit, 'next-available': notBefore(level.nextAvailable) });
  });
  return [...groups.values()];
};

export const limitsDocument = (limits: RateLimits, limiter: RateLimiter | undefined, keyOf: CallerKey, codecs: readonly Codec[], clock: Clock): Handler => {
  const negotiate = negotiation(codecs);
  const naming = definedNaming([]);
  const encoders = new Map(codecs.map((codec) => [codec, codec.document(limitsShape, naming)]));
  return async (c) => {
    const codec = responseCodec(c, negotiate, codecs);
    const levels = limiter === undefined ? [] : await limiter.levels(keyOf(c), clock.now());
    const body = encoders.get(codec)!({ rate: rates(limits.limits, levels), absolute: {} });
    return new Response(body, { headers: { 'Content-Type': codec.mediaType, Vary: 'Accept' } });
  };
};
