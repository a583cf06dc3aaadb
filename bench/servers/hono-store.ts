import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { readFixtures, reportListening, wantsXml } from './common.ts';

/**
 * The hand-written baseline for compute reads: bare Hono, the same SQLite store read the same way
 * (one get, or one page of a list), answering the bytes the gateway answered. No negotiation
 * machinery, no model, no hooks, no rendering: a floor for what the gateway does.
 */
const store = openSqliteStore(process.env.BENCH_STORE!);
const bytes = new Map<string, Uint8Array<ArrayBuffer>>();
for (const f of readFixtures()) bytes.set(`${f.path} ${f.contentType === 'application/xml' ? 'xml' : 'json'}`, new TextEncoder().encode(f.body));

const app = new Hono();
const answer = (key: string, xml: boolean) => (c: { body: (b: Uint8Array<ArrayBuffer>, s: 200, h: Record<string, string>) => Response }) =>
  c.body(bytes.get(`${key} ${xml ? 'xml' : 'json'}`)!, 200, { 'Content-Type': xml ? 'application/xml' : 'application/json' });

app.get('/v1/servers/detail', async (c) => {
  const limit = Number(c.req.query('limit'));
  const page = await store.list('servers', { limit: limit + 1 });
  const xml = wantsXml(c.req.header('accept'));
  return page.length > 0 ? answer(`/v1/servers/detail?limit=${limit}`, xml)(c) : c.notFound();
});
app.get('/v1/servers/:id', async (c) => {
  const id = c.req.param('id');
  const found = await store.get('servers', id);
  if (found === undefined) return c.notFound();
  return answer(`/v1/servers/${id}`, wantsXml(c.req.header('accept')))(c);
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => reportListening(info.port));
