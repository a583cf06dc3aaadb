import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { Hono } from 'hono';

export interface RunningServer {
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

export const listen = (app: Hono, host: string, port: number): Promise<RunningServer> =>
  new Promise((resolveListening, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
        const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
        resolveListening({ url, close: (graceMs = 10_000) => closeGracefully(server as Server, graceMs) });
      });
    } catch (err) {
      reject(err);
      return;
    }
    server.once('error', reject);
  });

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
