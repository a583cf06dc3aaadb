import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { reportListening, wantsXml } from './common.ts';

/**
 * The hand-written baseline for compute reads: bare Hono, the same SQLite store read the same way,
 * and the same bytes rendered by hand for exactly the fields the shipped extensions add, the way
 * a developer would write one endpoint without the gateway: no model, no hooks, no registry.
 */
const store = openSqliteStore(process.env.BENCH_STORE!);
const CORE = 'http://docs.openstack.org/compute/api/v1.1';
const NAMESPACES =
  ` xmlns="${CORE}" xmlns:atom="http://www.w3.org/2005/Atom"` +
  ' xmlns:MLTI-TAGS="http://docs.openstack.org/compute/ext/multi-vendor/tags/v1.0"' +
  ' xmlns:OS-LOCK="http://docs.openstack.org/compute/ext/lock/api/v1.1"' +
  ' xmlns:RAX-CBS="http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.0"' +
  ' xmlns:OS-DCF="http://docs.openstack.org/compute/ext/disk_config/api/v1.1"' +
  ' xmlns:RAX-DCF="http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0"';

/** A stored server, as a hand-written handler reads it: untyped, as it would be. */
// biome-ignore lint/suspicious/noExplicitAny: the baseline reads the store the way an ad hoc handler does
type Doc = Record<string, any>;
const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const statusOf = (d: Doc) => (d.pending !== undefined && d.pending.at <= Date.now() ? d.pending.status : d.status);

const json = (d: Doc, origin: string) => {
  const status = statusOf(d);
  return {
    id: d.id, name: d.name, status, progress: status === 'BUILD' ? 0 : 100, hostId: d.hostId, tenant_id: d.tenant_id, user_id: d.user_id,
    created: d.created, updated: d.updated, accessIPv4: d.accessIPv4, accessIPv6: d.accessIPv6,
    image: { id: d.imageId, links: [{ rel: 'bookmark', href: `${origin}/images/${d.imageId}` }] },
    flavor: { id: d.flavorId, links: [{ rel: 'bookmark', href: `${origin}/flavors/${d.flavorId}` }] },
    metadata: d.metadata, addresses: d.addresses,
    links: [{ rel: 'self', href: `${origin}/v1/servers/${d.id}` }, { rel: 'bookmark', href: `${origin}/servers/${d.id}` }],
    'MLTI-TAGS:tags': d['MLTI-TAGS:tags'], 'OS-LOCK:locked': d['OS-LOCK:locked'], 'RAX-CBS:volumes': d['RAX-CBS:volumes'],
    // RAX-DCF is OS-DCF at /v1 (spec/promotions.json), its old name kept beside the new one.
    'OS-DCF:diskConfig': d['RAX-DCF:diskConfig'], 'RAX-DCF:diskConfig': d['RAX-DCF:diskConfig'],
  };
};

const xml = (d: Doc, origin: string, namespaces = '') => {
  const status = statusOf(d);
  let s = `<server${namespaces} id="${esc(d.id)}" name="${esc(d.name)}" status="${esc(status)}" progress="${status === 'BUILD' ? 0 : 100}" hostId="${esc(d.hostId)}" tenant_id="${esc(d.tenant_id)}" user_id="${esc(d.user_id)}" created="${d.created}" updated="${d.updated}" accessIPv4="${esc(d.accessIPv4)}" accessIPv6="${esc(d.accessIPv6)}" OS-LOCK:locked="${d['OS-LOCK:locked']}" OS-DCF:diskConfig="${esc(d['RAX-DCF:diskConfig'])}" RAX-DCF:diskConfig="${esc(d['RAX-DCF:diskConfig'])}">`;
  s += `<image id="${d.imageId}"><atom:link rel="bookmark" href="${origin}/images/${d.imageId}"/></image><flavor id="${d.flavorId}"><atom:link rel="bookmark" href="${origin}/flavors/${d.flavorId}"/></flavor><metadata>`;
  for (const k in d.metadata) s += `<meta key="${esc(k)}">${esc(d.metadata[k])}</meta>`;
  s += '</metadata><addresses>';
  for (const n in d.addresses) s += `<network id="${esc(n)}">${d.addresses[n].map((ip: Doc) => `<ip version="${ip.version}" addr="${esc(ip.addr)}"/>`).join('')}</network>`;
  s += `</addresses><atom:link rel="self" href="${origin}/v1/servers/${d.id}"/><atom:link rel="bookmark" href="${origin}/servers/${d.id}"/><MLTI-TAGS:tags>`;
  for (const t of d['MLTI-TAGS:tags']) s += `<MLTI-TAGS:tag>${esc(t)}</MLTI-TAGS:tag>`;
  s += '</MLTI-TAGS:tags><RAX-CBS:volumes>';
  for (const v of d['RAX-CBS:volumes']) s += `<RAX-CBS:volume CBSID="${esc(v.CBSID)}" type="${esc(v.type)}"/>`;
  return `${s}</RAX-CBS:volumes></server>`;
};

const DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n";
const originOf = (url: string) => url.slice(0, url.indexOf('/', url.indexOf('//') + 2));

const app = new Hono();
app.get('/v1/servers/detail', async (c) => {
  const limit = Number(c.req.query('limit') ?? 1000);
  const page = (await store.list<Doc>('servers', { limit: limit + 1 })).slice(0, limit).map((x) => x.doc);
  const origin = originOf(c.req.url);
  if (wantsXml(c.req.header('accept'))) {
    return c.body(`${DECLARATION}<servers${NAMESPACES}>${page.map((d) => xml(d, origin)).join('')}</servers>`, 200, { 'Content-Type': 'application/xml' });
  }
  return c.body(JSON.stringify({ servers: page.map((d) => json(d, origin)) }), 200, { 'Content-Type': 'application/json' });
});
app.get('/v1/servers/:id', async (c) => {
  const found = await store.get<Doc>('servers', c.req.param('id'));
  if (found === undefined) return c.notFound();
  const origin = originOf(c.req.url);
  if (wantsXml(c.req.header('accept'))) return c.body(DECLARATION + xml(found.doc, origin, NAMESPACES), 200, { 'Content-Type': 'application/xml' });
  return c.body(JSON.stringify({ server: json(found.doc, origin) }), 200, { 'Content-Type': 'application/json' });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => reportListening(info.port));
