import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { servingOf } from './http/direct.ts';
import { factsOfRequest, versionOfRoute } from './http/route-label.ts';
import type { Metrics } from './ops/metrics.ts';
import type { RequestLine } from './ops/logger.ts';
import { nameResponse, REQUEST_ID } from './http/request-id.ts';
import { answerClientError, answerConnect, answerExpectation, answerUnaddressable, refuseOversized, unbuildable } from './http/client-errors.ts';

export interface RunningServer {
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Serves the app; documents rendered ahead are answered before Hono (see http/direct.ts). */
export const listen = (app: Hono, host: string, port: number): Promise<RunningServer> =>
  new Promise((resolveListening, reject) => {
    // A request @hono/node-server cannot turn into a Request is answered with a fault, not its
    // empty 400. Its error handler runs synchronously inside the listener call, before the
    // listener's first await: `arriving` is the request that call is for.
    let arriving: IncomingMessage | undefined;
    const hono = getRequestListener(app.fetch, { errorHandler: (err) => unbuildable(err, arriving) });
    const { direct, maxBodyBytes, metrics, requestLog } = servingOf(app);
    const watch = metrics !== undefined || requestLog !== undefined;
    // Which methods a path allows, for a method Node's parser refused: the app's own OPTIONS answer.
    const allowedAt = async (path: string): Promise<string | undefined> => {
      const res = await app.fetch(new Request(`http://localhost${path}`, { method: 'OPTIONS' }));
      return res.status === 204 ? (res.headers.get('allow') ?? undefined) : undefined;
    };
    // Node's own check for Host would answer an empty 400: the request is let through to be answered with a fault.
    const server = createServer({ requireHostHeader: false }, (req, res) => {
      nameResponse(res);
      const start = watch ? performance.now() : 0;
      if (answerUnaddressable(req, res) || direct?.serve(req, res)) {
        // Answered here and now (res.end called): observed at once, no listener needed.
        if (watch) observed(req, res, start, metrics, requestLog);
        return;
      }
      if (watch) {
        metrics?.started();
        res.on('close', () => {
          metrics?.finished();
          observed(req, res, start, metrics, requestLog);
        });
      }
      arriving = req;
      void hono(req, res);
      arriving = undefined;
    });
    // What never reaches the app is answered with a fault too (http/client-errors.ts).
    // A bug answering one connection must not end the process (clientError is an event, not a request).
    server.on('clientError', (err, socket) => {
      answerClientError(err, socket, allowedAt).catch((bug) => {
        socket.destroy();
        console.error('unexpected error answering a request Node could not parse:', bug);
      });
    });
    server.on('connect', answerConnect);
    server.on('checkExpectation', answerExpectation);
    // Expect: 100-continue: a body declared over the limit is refused before the client sends it.
    server.on('checkContinue', (req, res) => {
      nameResponse(res);
      if (refuseOversized(req, res, maxBodyBytes)) return;
      res.writeContinue();
      server.emit('request', req, res);
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      const info = server.address() as AddressInfo;
      const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      resolveListening({ url, close: (graceMs = 10_000) => closeGracefully(server, graceMs) });
    });
  });

/** A client's own request id (`X-OpenStack-Request-ID: req-<uuid4>`), logged beside ours, never echoed as ours. */
const GLOBAL_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * When the answer is done (or the connection went away): counted under its route template, and
 * logged in one line with what the routes noted of it (http/route-label.ts). Requests are counted
 * in flight only when answered by Hono: the others are answered within the listener's call.
 */
const observed = (req: IncomingMessage, res: ServerResponse, start: number, metrics: Metrics | undefined, requestLog: ((line: RequestLine) => void) | undefined): void => {
  const ms = performance.now() - start;
  const method = req.method ?? '';
  const facts = factsOfRequest(req);
  const route = facts?.route ?? '(none)';
  metrics?.answered(method, route, res.statusCode, ms / 1000);
  if (requestLog === undefined) return;
  const global = req.headers['x-openstack-request-id'];
  const length = res.getHeader('content-length');
  // Fields given or undefined, not spread in: this runs for every request.
  requestLog({
    reqId: res.getHeader(REQUEST_ID) as string,
    globalReqId: typeof global === 'string' && GLOBAL_ID.test(global) ? global : undefined,
    method, route, status: res.statusCode, ms: Math.round(ms * 1000) / 1000,
    // The body's length, when the answer said it (not socket.bytesWritten: that getter copies the
    // socket's write queue, and cost every request 17 us under load).
    bytes: typeof length === 'number' || typeof length === 'string' ? Number(length) : undefined,
    version: versionOfRoute(route) || undefined,
    project: facts?.project, user: facts?.user, extensions: facts?.extensions, oldNames: facts?.oldNames,
  });
};

const closeGracefully = (server: Server, graceMs: number): Promise<void> =>
  new Promise((done) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    // Keep-alive connections go idle as their last request finishes; close them as they do,
    // rather than waiting for the keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    timer.unref();
    sweep.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      done();
    });
    server.closeIdleConnections();
  });
