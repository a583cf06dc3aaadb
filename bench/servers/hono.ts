import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFixtures, reportListening, wantsXml } from './common.ts';

/** Bare Hono answering the gateway's bytes with c.body: the framework floor the gateway is held to. */
const app = new Hono();
const byPath = new Map<string, { json?: Uint8Array<ArrayBuffer>; xml?: Uint8Array<ArrayBuffer> }>();
for (const f of readFixtures()) {
  const entry = byPath.get(f.path) ?? {};
  entry[f.contentType === 'application/xml' ? 'xml' : 'json'] = new TextEncoder().encode(f.body);
  byPath.set(f.path, entry);
}
for (const [path, bodies] of byPath) {
  app.get(path, (c) => {
    const xml = wantsXml(c.req.header('accept'));
    return c.body((xml ? bodies.xml : bodies.json)!, 200, { 'Content-Type': xml ? 'application/xml' : 'application/json' });
  });
}
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => reportListening(info.port));
