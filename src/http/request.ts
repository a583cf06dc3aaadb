import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { Codec } from '../media/codecs.ts';
import { Fault } from '../media/fault.ts';
import type { Negotiate } from '../media/negotiate.ts';
import { formatSuffix } from './path.ts';

/**
 * A request header by its lower-case name. Served by @hono/node-server, it is read from Node's
 * own parsed headers: a property read, where the Fetch Headers lookup validates and normalises
 * the name and the value on every call. Elsewhere (app.request in tests, other runtimes) from
 * the Request.
 */
export const requestHeader = (c: Context, lowerName: string): string | undefined => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(lowerName);
  const value = incoming.headers[lowerName];
  return typeof value === 'string' ? value : value?.join(', ');
};

/** The names of the request's headers, in lower case. */
export const requestHeaderNames = (c: Context): Iterable<string> => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming === undefined ? c.req.raw.headers.keys() : Object.keys(incoming.headers);
};

/** The codec for this request's response, or a 406 fault naming what is on offer. */
export const responseCodec = (c: Context, negotiate: Negotiate, offered: readonly Codec[]): Codec => {
  const codec = negotiate(requestHeader(c, 'accept'), formatSuffix(c.req.url));
  if (codec === undefined) {
    throw new Fault('notAcceptable', `None of the acceptable media types is offered; this resource offers ${offered.map((o) => o.mediaType).join(', ')}.`);
  }
  return codec;
};

/** `http://host:port` as the client addressed us, for self links. */
export const origin = (url: string): string => {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  return end === -1 ? url : url.slice(0, end);
};

/** The request path as the client sent it (suffix and tenant kept), without the query. */
export const rawPath = (url: string): string => {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const q = url.indexOf('?', start);
  return start === -1 ? '/' : url.slice(start, q === -1 ? undefined : q);
};

export const hasQuery = (url: string): boolean => url.indexOf('?') !== -1;
