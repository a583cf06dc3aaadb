import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { Registry } from '../extension/registry.ts';
import { definedNaming } from '../model/naming.ts';
import { CORE_CODECS, type Codec, type DocumentEncoder } from '../media/codecs.ts';
import { badMethod, Fault, faultShape, itemNotFound, type FaultKind } from '../media/fault.ts';
import { negotiation } from '../media/negotiate.ts';
import { formatSuffix } from './path.ts';
import { rawPath, requestHeader } from './request.ts';
import type { RouteTable } from './routes.ts';
import { getOrMake } from '../memo.ts';
import { StoreUnavailableError } from '../store/store.ts';
import type { Log } from '../ops/logger.ts';

/** Faults are always JSON or XML: whichever the client prefers, JSON when it accepts neither. */
const negotiateFault = negotiation(CORE_CODECS);
const encoders = new Map<string, DocumentEncoder>();
const naming = definedNaming([]);

const encoderFor = (codec: Codec, kind: FaultKind): DocumentEncoder =>
  getOrMake(encoders, `${codec.mediaType} ${kind}`, () => codec.document(faultShape(kind), naming));

/** A fault's body and headers, in JSON or XML as `accept` (and a path suffix) prefer. */
export const renderFault = (accept: string | undefined, suffix: string | undefined, fault: Fault): { body: string; headers: Record<string, string> } => {
  const codec = negotiateFault(accept, suffix) ?? CORE_CODECS[0]!;
  return { body: encoderFor(codec, fault.kind)(fault.toValue()), headers: { 'Content-Type': codec.mediaType, Vary: 'Accept', ...fault.headers } };
};

export const faultResponse = (c: Context, fault: Fault): Response => {
  const { body, headers } = renderFault(requestHeader(c, 'accept'), formatSuffix(c.req.url), fault);
  return new Response(body, { status: fault.code, headers });
};

export type { Log } from '../ops/logger.ts';

/** The client went away while sending its body: nobody is left to answer, and it is not the server's error. */
export class ClientAborted extends Error {}

/**
 * Every error becomes a fault; anything unexpected is logged and answered 500, with no stack trace.
 * A store that cannot serve now is a 503 with Retry-After, logged once every ten seconds at most.
 */
export const onError = (log: Log): ErrorHandler => {
  let lastOutage = 0;
  return (err, c) => {
    if (err instanceof Fault) return faultResponse(c, err);
    if (err instanceof StoreUnavailableError) {
      if (Date.now() - lastOutage >= 10_000) {
        lastOutage = Date.now();
        log(`store: ${err.message}; answering 503`, 'error');
      }
      return faultResponse(c, new Fault('serviceUnavailable', 'The database is unavailable. Try again later.', { headers: { 'Retry-After': '5' } }));
    }
    if (err instanceof ClientAborted) {
      log(`client aborted ${c.req.method} ${c.req.path} while sending its body (${err.message})`, 'info');
      return new Response(null, { status: 400 });
    }
    log(`unexpected error on ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 'error', { err });
    return faultResponse(c, new Fault('computeFault', 'The server has either erred or is incapable of performing the requested operation.'));
  };
};

/** No route for this method: 405 with Allow if the path exists, OPTIONS answered, else 404. */
export const onNotFound = (routes: RouteTable, registry: Registry): NotFoundHandler => (c) => {
  const { allowed: allow, fallback } = routes.resolve(c.req.path, c.req.method);
  if (fallback !== undefined) return fallback(c);
  if (allow.length > 0) {
    // `DELETE /images/` names an item with an empty id, which no item has (nova: 404, not 405).
    const method = c.req.method;
    if (!allow.includes(method) && rawPath(c.req.url).endsWith('/') && routes.resolve(`${c.req.path}/-`, method).allowed.includes(method)) {
      return faultResponse(c, itemNotFound(`The resource ${rawPath(c.req.url)} names no item: its id is empty.`));
    }
    const allowHeader = [...allow, 'OPTIONS'].sort().join(', ');
    if (c.req.method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: allowHeader } });
    return faultResponse(c, badMethod(allowHeader.split(', ')));
  }
  const version = c.req.path.split('/')[1] ?? '';
  if (version !== '' && registry.version(version) === undefined) {
    const known = registry.versions.map((v) => v.version.id).join(', ');
    return faultResponse(c, itemNotFound(`API version "${version}" does not exist; this gateway serves ${known} (listed at /).`));
  }
  return faultResponse(c, itemNotFound(`The resource ${rawPath(c.req.url)} could not be found.`));
};
