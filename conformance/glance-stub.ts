import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Glance v2 look-alike over extgate's compute images, for clients that find images through the
 * catalog's `image` service (tempest, the openstack CLI). Read and delete only: extgate has no image
 * upload, so create/update/upload answer 501 and say why.
 */

interface ComputeImage {
  id: string;
  name: string;
  status: string;
  minDisk?: number;
  minRam?: number;
  created?: string;
  updated?: string;
  metadata?: Record<string, string>;
}

export interface GlanceStub {
  readonly url: string;
  stop(): Promise<void>;
}

// Glance's statuses are lower case and fewer; nova's proxy maps the other way.
const STATUS: Record<string, string> = { ACTIVE: 'active', SAVING: 'saving', QUEUED: 'queued', ERROR: 'killed', DELETED: 'deleted' };

const toGlance = (i: ComputeImage) => ({
  ...(i.metadata ?? {}), // Glance shows custom properties as top-level keys
  id: i.id,
  name: i.name,
  status: STATUS[i.status] ?? i.status.toLowerCase(),
  visibility: 'public',
  protected: false,
  os_hidden: false,
  owner: null,
  min_disk: i.minDisk ?? 0,
  min_ram: i.minRam ?? 0,
  disk_format: 'qcow2',
  container_format: 'bare',
  size: i.status === 'ACTIVE' ? 1024 : null,
  virtual_size: null,
  checksum: null,
  os_hash_algo: null,
  os_hash_value: null,
  created_at: i.created ?? null,
  updated_at: i.updated ?? i.created ?? null,
  tags: [],
  self: `/v2/images/${i.id}`,
  file: `/v2/images/${i.id}/file`,
  schema: '/v2/schemas/image',
});

/** `computeUrl` is extgate's versioned root, e.g. http://127.0.0.1:8774/v2 (the tenant-less form). */
export const startGlanceStub = async (computeUrl: string, port = 0): Promise<GlanceStub> => {
  const compute = async (req: IncomingMessage, method: string, path: string) => {
    const token = req.headers['x-auth-token'];
    return fetch(`${computeUrl}${path}`, {
      method,
      headers: { Accept: 'application/json', ...(typeof token === 'string' ? { 'X-Auth-Token': token } : {}) },
    });
  };

  /** Every image, following extgate's `next` links. */
  const allImages = async (req: IncomingMessage): Promise<ComputeImage[]> => {
    const out: ComputeImage[] = [];
    let path: string | undefined = '/images/detail';
    while (path) {
      const res = await compute(req, 'GET', path);
      if (!res.ok) throw new Error(`extgate GET ${path}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { images: ComputeImage[]; images_links?: { rel: string; href: string }[] };
      out.push(...body.images);
      const next = body.images_links?.find((l) => l.rel === 'next')?.href;
      path = next ? next.slice(next.indexOf('/images')) : undefined;
    }
    return out;
  };

  const list = async (req: IncomingMessage, query: URLSearchParams) => {
    let images = (await allImages(req)).map(toGlance);
    // Glance filters on any property by equality; tempest uses name, status, visibility.
    for (const [k, v] of query) {
      if (['limit', 'marker', 'sort', 'sort_key', 'sort_dir'].includes(k)) continue;
      images = images.filter((i) => String((i as Record<string, unknown>)[k]) === v);
    }
    const marker = query.get('marker');
    if (marker) {
      const at = images.findIndex((i) => i.id === marker);
      if (at < 0) return { status: 400, body: { message: `marker ${marker} not found` } };
      images = images.slice(at + 1);
    }
    const limit = Number(query.get('limit') ?? images.length);
    const page = images.slice(0, limit);
    const more = page.length < images.length && page.length > 0;
    return {
      status: 200,
      body: { images: page, first: '/v2/images', schema: '/v2/schemas/images', ...(more ? { next: `/v2/images?limit=${limit}&marker=${page.at(-1)!.id}` } : {}) },
    };
  };

  const handle = async (req: IncomingMessage): Promise<{ status: number; body?: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const m = /^\/v2\/images(?:\/([^/]+))?(\/.*)?$/.exec(url.pathname);
    if (url.pathname === '/' || url.pathname === '/versions') {
      const self = `http://${req.headers.host}/v2/`;
      return { status: url.pathname === '/' ? 300 : 200, body: { versions: [{ id: 'v2.9', status: 'CURRENT', links: [{ rel: 'self', href: self }] }] } };
    }
    if (!m) return { status: 404, body: { message: `the Glance stub does not serve ${url.pathname}` } };
    const [, id, rest] = m;
    if (!id && req.method === 'GET') return list(req, url.searchParams);
    if (id && !rest && req.method === 'GET') {
      const res = await compute(req, 'GET', `/images/${id}`);
      if (res.status === 404) return { status: 404, body: { message: `No image found with ID ${id}` } };
      if (!res.ok) return { status: 502, body: { message: `extgate GET /images/${id}: ${res.status} ${await res.text()}` } };
      return { status: 200, body: toGlance(((await res.json()) as { image: ComputeImage }).image) };
    }
    if (id && !rest && req.method === 'DELETE') {
      const res = await compute(req, 'DELETE', `/images/${id}`);
      if (res.ok) return { status: 204 };
      return { status: res.status, body: { message: `extgate DELETE /images/${id}: ${await res.text()}` } };
    }
    return { status: 501, body: { message: `Glance stub: ${req.method} ${url.pathname} is not served (extgate has no image upload or update)` } };
  };

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req, res) => {
    req.resume(); // bodies of uploads we refuse are drained, not read
    handle(req).then(
      (r) => send(res, r.status, r.body),
      (err: unknown) => send(res, 502, { message: err instanceof Error ? err.message : String(err) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};
