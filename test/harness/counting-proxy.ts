import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real service (Keystone), for tests that need to see or break the
 * traffic without touching the service: it counts requests by `METHOD path` (no query), and can
 * be made to refuse connections (`down`) or answer 500 (`failing`), as an outage would.
 */
export interface CountingProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Where requests go; set once the service is up. */
  target: string | undefined;
  mode: 'up' | 'down' | 'failing';
  /** Requests seen, by `GET /v3/auth/tokens`. */
  count(key: string): number;
  /** The header values requests carried, by `METHOD path`, in order. */
  headers(key: string, name: string): string[];
  close(): Promise<void>;
}

export const startCountingProxy = async (): Promise<CountingProxy> => {
  const counts = new Map<string, number>();
  const seen = new Map<string, IncomingMessage['headers'][]>();
  const proxy: CountingProxy = {
    url: '',
    target: undefined,
    mode: 'up',
    count: (key) => counts.get(key) ?? 0,
    headers: (key, name) => (seen.get(key) ?? []).flatMap((h) => (typeof h[name] === 'string' ? [h[name] as string] : [])),
    close: () => new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
  const server: Server = createServer((req, res) => {
    if (proxy.mode === 'down' || proxy.target === undefined) {
      req.socket.destroy();
      return;
    }
    if (proxy.mode === 'failing') {
      res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error": {"code": 500, "message": "broken on purpose"}}');
      return;
    }
    const key = `${req.method} ${req.url!.split('?')[0]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    seen.set(key, [...(seen.get(key) ?? []), req.headers]);
    const target = new URL(req.url!, proxy.target);
    const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
};
