import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { servingOf } from '../src/http/direct.ts';
import { testGateway } from './support/gateway.ts';

/**
 * What http/direct.ts answers ahead of Hono, and what it leaves to Hono: over a real socket, with
 * a stand-in for Hono that answers 599, so every request it does not answer itself shows.
 */
describe('documents answered ahead of Hono', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const { app } = await testGateway();
    const direct = servingOf(app).direct!;
    server = createServer((req, res) => void (direct.serve(req, res) || res.writeHead(599).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  test('a plain GET of the list or of an extension, in the negotiated media type', async () => {
    const list = await fetch(`${base}/v1/extensions`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json');
    expect(list.headers.get('vary')).toBe('Accept');
    expect(list.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(Number(list.headers.get('content-length'))).toBe((await list.arrayBuffer()).byteLength);
    const one = await fetch(`${base}/v1/extensions/RAX-BAK`, { headers: { Accept: 'application/json;q=0.2, application/xml' } });
    expect(one.headers.get('content-type')).toBe('application/xml');
    expect(await one.text()).toContain('alias="RAX-BAK"');
  });

  test('everything else is left to Hono', async () => {
    const left = [
      fetch(`${base}/v1/extensions?limit=1`),
      fetch(`${base}/v1/extensions/`),
      fetch(`${base}/v1/extensions.xml`),
      fetch(`${base}/v1/tenant-1/extensions`),
      fetch(`${base}/v1/extensions/RAX-NOPE`),
      fetch(`${base}/v1`),
      fetch(`${base}/v1/extensions`, { headers: { 'If-None-Match': '"x"' } }),
      fetch(`${base}/v1/extensions`, { headers: { Accept: 'text/html' } }),
      fetch(`${base}/v1/extensions`, { method: 'HEAD' }),
      fetch(`${base}/v1/extensions`, { method: 'POST', body: '{}' }),
    ];
    expect((await Promise.all(left)).map((r) => r.status)).toEqual(left.map(() => 599));
  });
});
