import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { badMethod, Fault, itemNotFound } from '../media/fault.ts';
import { COMPUTE_REQUEST_ID, newRequestId, REQUEST_ID } from './request-id.ts';
import { getOrMakeBounded } from '../memo.ts';
import { renderFault } from './errors.ts';
import { HOST } from './origin.ts';
import { formatSuffix } from './path.ts';

/**
 * Requests that never reach the app: those Node's HTTP parser refuses (a bad request target, a
 * method it does not know, headers over its limit, a timeout), CONNECT, and those the app could
 * not address (no Host, a target that is not a path). Each is answered with a fault like any
 * other, in XML if the Accept header that could be read asks for it, with `Connection: close`:
 * after a parse error the connection cannot be trusted to frame another request.
 */

/** A request line whose method is a token this server does not know, as opposed to no request line at all. */
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d\.\d\r?$/;

/** What the app allows at a path (its OPTIONS answer), or undefined where there is nothing. */
export type AllowedAt = (path: string) => Promise<string | undefined>;

/** Every method this server implements somewhere, the answer to OPTIONS * and CONNECT's Allow. */
const ALL_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

/**
 * A method token Node's parser does not know (`Get`, `XXXXXXXX`): the client named something
 * that is not allowed there, which is a client error (405 with what is allowed, or 404), not a
 * 501 that would count against the server in every 5xx dashboard.
 */
const unknownMethod = async (raw: Buffer | undefined, allowedAt: AllowedAt): Promise<Fault | undefined> => {
  const line = REQUEST_LINE.exec(raw?.toString('latin1').split('\n', 1)[0] ?? '');
  if (line === null) return undefined;
  const [, method, target] = line as unknown as [string, string, string];
  const allow = target.startsWith('/') ? await allowedAt(target).catch(() => undefined) : undefined;
  if (allow === undefined) return itemNotFound(`The resource ${target} could not be found.`);
  return badMethod(allow.split(', '), `The method ${method} is not one this server knows (methods are case-sensitive)`);
};

/** Node's parser error codes, as the fault a client gets. */
const faultOf = (code: string | undefined, reason: string | undefined): Fault => {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new Fault('badRequest', 'The request headers are larger than this server accepts.', { code: 431 });
    case 'HPE_INVALID_METHOD':
      return new Fault('badRequest', 'The request line is not METHOD TARGET HTTP/VERSION.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Fault('badRequest', 'The request did not arrive in time.', { code: 408 });
    default:
      // llhttp's reason says what is wrong in HTTP's terms ("Duplicate Content-Length"); its code does not.
      return new Fault('badRequest', `The request is not valid HTTP: ${reason ?? 'it cannot be read'}.`);
  }
};

/** The Accept header, if the bytes read so far hold one. */
const acceptIn = (raw: Buffer | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  return /\r\naccept:[ \t]*([^\r\n]*)/i.exec(raw.toString('latin1'))?.[1];
};

const write = (socket: Duplex, fault: Fault, accept: string | undefined, suffix?: string): void => {
  const { body, headers } = renderFault(accept, suffix, fault);
  const id = newRequestId();
  const all = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', [REQUEST_ID]: id, [COMPUTE_REQUEST_ID]: id };
  const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${fault.code} ${STATUS_CODES[fault.code] ?? 'Error'}\r\n${head}\r\n${body}`);
};

/**
 * `server.on('clientError')`: a fault, unless the client is already gone. Bytes that do not parse
 * may follow requests still being answered on the same connection (pipelining): the fault waits
 * for the answer in progress, so that it is not cut off. A body cut short is answered at once,
 * in the media type its request asked for.
 */
export const answerClientError = async (err: NodeJS.ErrnoException & { rawPacket?: Buffer; reason?: string }, socket: Duplex, allowedAt: AllowedAt): Promise<void> => {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // Node's own field: the response being written on this socket, null once it is done.
  const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
  const accept = acceptIn(err.rawPacket) ?? header(inProgress?.req, 'accept');
  const fault = (err.code === 'HPE_INVALID_METHOD' ? await unknownMethod(err.rawPacket, allowedAt) : undefined) ?? faultOf(err.code, err.reason);
  if (!socket.writable) return;
  // Unread bytes of its own body mean the request in progress is the one cut short: answer now.
  if (inProgress === undefined || inProgress.writableFinished || !inProgress.req.complete) write(socket, fault, accept);
  else inProgress.once('finish', () => socket.writable && write(socket, fault, accept));
};

/** `server.on('checkExpectation')`: an expectation other than 100-continue cannot be met (RFC 9110 10.1.1). */
export const answerExpectation = (req: IncomingMessage, res: ServerResponse): void => {
  const fault = new Fault('badRequest', `Expect: ${header(req, 'expect')} cannot be met; only 100-continue is understood.`, { code: 417 });
  answer(req, res, fault);
};

/** The error handler of @hono/node-server: a request it cannot make a Request of (a bad target or Host). */
export const unbuildable = (err: unknown, req: IncomingMessage | undefined): Response => {
  const known = err instanceof Error && err.name === 'RequestError';
  const fault = known
    ? new Fault('badRequest', `The request cannot be addressed: ${(err as Error).message}.`)
    : new Fault('computeFault', 'The server has either erred or is incapable of performing the requested operation.');
  const { body, headers } = renderFault(header(req, 'accept'), formatSuffix(req?.url ?? ''), fault);
  return new Response(body, { status: fault.code, headers: { ...headers, Connection: 'close' } });
};

/** `server.on('connect')`: this is not a proxy. */
export const answerConnect = (req: IncomingMessage, socket: Duplex): void => {
  write(socket, badMethod(ALL_METHODS.split(', '), 'CONNECT is not allowed: this server is not a proxy'), header(req, 'accept'));
};

const header = (req: IncomingMessage | undefined, name: string): string | undefined => {
  const v = req?.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** A fault answered on a request's own response, in its negotiated media type, closing the connection. */
const answer = (req: IncomingMessage, res: ServerResponse, fault: Fault): void => {
  const { body, headers } = renderFault(header(req, 'accept'), formatSuffix(req.url ?? ''), fault);
  res.writeHead(fault.code, { ...headers, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
};

/**
 * host[:port] as a URL takes it, the way @hono/node-server will (a name whose last label is a
 * number must be an IPv4 address, a port at most 65535), checked once per distinct Host.
 */
const hosts = new Map<string, boolean>();
const validHost = (host: string): boolean =>
  getOrMakeBounded(hosts, host, () => {
    if (!HOST.test(host)) return false;
    try {
      const url = new URL(`http://${host}/`);
      return url.hostname.length === host.replace(/:\d+$/, '').length;
    } catch {
      return false;
    }
  }, 256);

/**
 * A request the app cannot address, answered here (true) before it is built: no Host (HTTP/1.0
 * allows it; links need it), a Host that is not host[:port], or a target that is not a path.
 * `OPTIONS *` asks about the server as a whole, and is answered so.
 */
export const answerUnaddressable = (req: IncomingMessage, res: ServerResponse): boolean => {
  const target = req.url ?? '';
  const host = req.headers.host;
  if (target.charCodeAt(0) === 47 && host !== undefined && validHost(host)) return false;
  if (target === '*' && req.method === 'OPTIONS') {
    res.writeHead(204, { Allow: ALL_METHODS });
    res.end();
    return true;
  }
  let fault: Fault | undefined;
  if (!target.startsWith('/') && !/^https?:\/\//i.test(target)) fault = new Fault('badRequest', `The request target "${target}" is not a path.`);
  else if (host === undefined) fault = new Fault('badRequest', 'The request has no Host header.');
  else if (!validHost(host)) fault = new Fault('badRequest', `The Host header "${host}" is not a host[:port].`);
  if (fault === undefined) return false;
  answer(req, res, fault);
  return true;
};

/** A request that declares a body over the limit, answered 413 before it is read (true). */
export const refuseOversized = (req: IncomingMessage, res: ServerResponse, maxBytes: number): boolean => {
  if (Number(header(req, 'content-length') ?? '0') <= maxBytes) return false;
  answer(req, res, new Fault('overLimit', `The request body is larger than ${maxBytes} bytes.`));
  return true;
};
