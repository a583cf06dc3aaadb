import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { VersionModel } from '../extension/wiring.ts';
import type { GatewayEnv } from '../http/context.ts';
import { hasQuery } from '../http/request.ts';
import { badRequest, conflictingRequest, itemNotFound } from '../media/fault.ts';
import type { Naming } from '../model/naming.ts';
import { collection, type Collection, type Link, type Value } from '../model/shape.ts';
import { MarkerNotFoundError, type Store, type StoredDocument } from '../store/store.ts';
import { isoSeconds, type Clock } from './clock.ts';
import { linkBase, type LinkBase } from './links.ts';
import { idOfRef } from './shapes.ts';
import { flavorView, imageView, serverView, summaryView, type FlavorDoc, type ImageDoc, type ServerDoc } from './views.ts';
import { pageRequest } from '../discovery/pagination.ts';
import { ActionRequest } from '../extension/context.ts';
import { origin, rawPath } from '../http/request.ts';

/**
 * The core compute API (a faithful subset of OpenStack Compute v2): handlers that read and stage
 * changes through the store and leave a Result for the encoder. They know nothing of any
 * extension: extension fields travel through the shapes, the defaults and the hooks.
 */
export interface ComputeDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly model: VersionModel;
  readonly naming: Naming;
  readonly version: string;
}

type C = Context<GatewayEnv>;
type Kind = 'servers' | 'images' | 'flavors';

export const compute = (d: ComputeDeps) => {
  const { store, clock, model } = d;
  const s = model.shapes;
  const colls = {
    servers: { summary: collection('servers', s.serverSummary), detail: collection('servers', s.server) },
    images: { summary: collection('images', s.imageSummary), detail: collection('images', s.image) },
    flavors: { summary: collection('flavors', s.flavorSummary), detail: collection('flavors', s.flavor) },
  } satisfies Record<Kind, { summary: Collection; detail: Collection }>;

  const settleServer = (doc: ServerDoc, now: number) => model.machines.server.settle(doc, now);
  const settleImage = (doc: ImageDoc, now: number) => model.machines.image.settle(doc, now);
  const settle = (kind: Kind, doc: Value, now: number): Value =>
    kind === 'servers' ? settleServer(doc as ServerDoc, now) : kind === 'images' ? settleImage(doc as ImageDoc, now) : doc;
  const view = (kind: Kind, doc: Value, base: LinkBase): Value =>
    kind === 'servers' ? serverView(doc as ServerDoc, s.server, base) : kind === 'images' ? imageView(doc as ImageDoc, s.image, base) : flavorView(doc as FlavorDoc, s.flavor, base);
  const singular = { servers: 'server', images: 'image', flavors: 'flavor' } as const;

  const idParam = (c: C, kind: Kind): string => c.req.param(`${singular[kind]}_id`)!;

  /** Loads and settles a document, or a 404 fault. */
  const load = async <T extends Value>(kind: Kind, id: string, now: number): Promise<StoredDocument<T>> => {
    const found = await store.get<T>(kind, id);
    if (found === undefined) throw itemNotFound(`No ${singular[kind]} with id ${id}.`);
    settle(kind, found.doc, now); // in place: the document is this request's own copy
    return found;
  };

  /** Query parameters: extension filters by their spelling; a qualified name nobody owns is a 400. */
  const filters = (c: C, kind: Kind): ((doc: Value) => boolean) | undefined => {
    if (!hasQuery(c.req.url)) return undefined;
    const params = model.parameters[kind];
    const checks: ((doc: Value) => boolean)[] = [];
    for (const [name, values] of Object.entries(c.req.queries())) {
      const p = params.get(name);
      if (p === undefined) {
        const colon = name.indexOf(':');
        if (colon !== -1) {
          const alias = name.slice(0, colon);
          if (d.naming.ownerOfAlias(alias) === undefined) throw badRequest(`The query parameter "${name}" names the extension ${alias}, which is not loaded here.`);
          throw badRequest(`"${name}" is not a query parameter of ${kind}.`);
        }
        continue; // unqualified and unknown: ignored, as clients send some
      }
      if (values.length !== 1) throw badRequest(`The query parameter "${name}" may be given once.`);
      const value = values[0]!;
      const problem = p.check?.(value);
      if (problem !== undefined) throw badRequest(`"${name}" ${problem}.`);
      checks.push((doc) => p.filter(doc, value));
    }
    return checks.length === 0 ? undefined : (doc) => checks.every((f) => f(doc));
  };

  const list = (kind: Kind, detail: boolean) => async (c: C) => {
    const now = clock.now();
    const page = hasQuery(c.req.url) ? pageRequest(c) : {};
    const where = filters(c, kind);
    let docs: StoredDocument[];
    try {
      docs = await store.list(kind, {
        after: page.marker,
        limit: page.limit === undefined ? undefined : page.limit + 1,
        where: where === undefined ? undefined : (doc) => where(settle(kind, doc, now)),
      });
    } catch (err) {
      if (err instanceof MarkerNotFoundError) throw badRequest(`marker "${page.marker}" was not found.`);
      throw err;
    }
    const more = page.limit !== undefined && docs.length > page.limit;
    if (more) docs = docs.slice(0, page.limit);
    const base = linkBase(c, d.version);
    const values = docs.map((x) => {
      const doc = settle(kind, x.doc, now);
      return detail ? view(kind, doc, base) : summaryView(doc as { id: string; name: string }, kind, base);
    });
    const links: Link[] = [];
    if (more) {
      const url = c.req.url;
      const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
      query.set('marker', docs[docs.length - 1]!.id);
      links.push({ rel: 'next', href: `${origin(url)}${rawPath(url)}?${query.toString()}` });
    }
    c.set('result', { status: 200, collection: { coll: detail ? colls[kind].detail : colls[kind].summary, values, links } });
  };

  const show = (kind: Kind) => async (c: C) => {
    const { doc } = await load(kind, idParam(c, kind), clock.now());
    c.set('doc', doc);
    c.set('result', { status: 200, document: { shape: kind === 'servers' ? s.server : kind === 'images' ? s.image : s.flavor, value: view(kind, doc, linkBase(c, d.version)) } });
  };

  /** The single root document of a request body, read with `shape`. */
  const body = (c: C, shape: typeof s.server): Value => {
    const docs = c.get('incoming');
    const root = docs.find((x) => x.owner === undefined && x.name === shape.element);
    if (root === undefined) throw badRequest(`The request body must be a "${shape.element}" document.`);
    return c.get('requestCodec').reader!(shape, d.naming)(root.content);
  };

  const extensionFields = (input: Value, into: Value) => {
    for (const k in input) if (k.includes(':')) into[k] = input[k];
  };
  const applyDefaults = (resource: 'server' | 'image', doc: Value) => {
    for (const [k, v] of model.defaults[resource]) if (doc[k] === undefined) doc[k] = structuredClone(v);
  };

  const createServer = async (c: C) => {
    const input = body(c, s.serverCreate);
    const now = clock.now();
    const imageId = idOfRef(input.imageRef as string);
    const flavorId = idOfRef(input.flavorRef as string);
    const image = await store.get<ImageDoc>('images', imageId);
    if (image === undefined) throw badRequest(`imageRef ${input.imageRef} names no image.`);
    if (settleImage(image.doc, now).status !== 'ACTIVE') throw badRequest(`The image ${imageId} is not ACTIVE.`);
    if ((await store.get('flavors', flavorId)) === undefined) throw badRequest(`flavorRef ${input.flavorRef} names no flavor.`);
    const id = randomUUID();
    const adminPass = (input.adminPass as string | undefined) ?? randomBytes(9).toString('base64url');
    const octets = randomBytes(2);
    const doc: ServerDoc = {
      id,
      name: input.name as string,
      status: 'BUILD',
      imageId,
      flavorId,
      accessIPv4: (input.accessIPv4 as string | undefined) ?? '',
      accessIPv6: (input.accessIPv6 as string | undefined) ?? '',
      metadata: (input.metadata as Record<string, string> | undefined) ?? {},
      addresses: { public: [{ version: 4, addr: `10.0.${octets[0]}.${(octets[1]! % 253) + 1}` }] },
      created: isoSeconds(now),
      updated: isoSeconds(now),
      hostId: randomBytes(28).toString('hex'),
      tenant_id: 'openstack',
      user_id: 'extgate',
    };
    extensionFields(input, doc);
    applyDefaults('server', doc);
    const stored = model.machines.server.enter(doc, 'BUILD', 'ACTIVE', now);
    c.get('tx').insert('servers', id, stored);
    c.set('doc', stored);
    const base = linkBase(c, d.version);
    c.set('result', {
      status: 202,
      headers: { Location: `${base.self}/servers/${id}` },
      document: { shape: s.server, value: { ...serverView(stored, s.server, base), adminPass } },
    });
  };

  const updateServer = async (c: C) => {
    const input = body(c, s.serverUpdate);
    const now = clock.now();
    const { doc, version } = await load<ServerDoc>('servers', idParam(c, 'servers'), now);
    const next: ServerDoc = { ...doc, updated: isoSeconds(now) };
    for (const k of ['name', 'accessIPv4', 'accessIPv6'] as const) if (input[k] !== undefined) next[k] = (input[k] as string | null) ?? '';
    extensionFields(input, next);
    c.get('tx').update('servers', doc.id, version, next);
    c.set('doc', next);
    c.set('result', { status: 200, document: { shape: s.server, value: serverView(next, s.server, linkBase(c, d.version)) } });
  };

  const remove = (kind: 'servers' | 'images') => async (c: C) => {
    const { doc, version } = await load(kind, idParam(c, kind), clock.now());
    c.get('tx').delete(kind, doc.id as string, version);
    c.set('doc', doc);
    c.set('result', { status: 204 });
  };

  /** `POST /servers/{id}/action`: the body's one root name picks the action. */
  const action = async (c: C) => {
    const roots = c.get('incoming');
    if (roots.length !== 1) throw badRequest(`An action body has exactly one action; got ${roots.length === 0 ? 'none' : roots.map((r) => r.spelled).join(', ')}.`);
    const root = roots[0]!;
    const key = root.owner === undefined ? root.name : `${root.owner}:${root.name}`;
    const def = model.actions.get(key);
    if (def === undefined) throw badRequest(`"${root.spelled}" is not an action of servers.`);
    c.set('action', key);
    const input = c.get('requestCodec').reader!(def.shape, d.naming)(root.content ?? {});
    const now = clock.now();
    const { doc, version } = await load<ServerDoc>('servers', idParam(c, 'servers'), now);
    const base = linkBase(c, d.version);
    c.set('doc', doc);
    const what = `server ${doc.id}`;
    if (key === 'reboot') {
      const via = input.type === 'HARD' ? 'HARD_REBOOT' : 'REBOOT';
      const from = via === 'HARD_REBOOT' ? ['ACTIVE', 'REBOOT'] : ['ACTIVE'];
      const next = { ...model.machines.server.begin(doc, { name: 'reboot', from, via, to: 'ACTIVE' }, now, what), updated: isoSeconds(now) };
      c.get('tx').update('servers', doc.id, version, next);
      c.set('doc', next);
      c.set('result', { status: 202 });
      return;
    }
    if (key === 'createImage') {
      if (doc.status !== 'ACTIVE') throw conflictingRequest(`Cannot createImage of ${what} while it is ${doc.status}; allowed from ACTIVE.`);
      const flavor = await store.get<FlavorDoc>('flavors', doc.flavorId);
      const id = randomUUID();
      const image: ImageDoc = {
        id,
        name: input.name as string,
        status: 'SAVING',
        serverId: doc.id,
        minDisk: flavor?.doc.disk ?? 0,
        minRam: flavor?.doc.ram ?? 0,
        metadata: (input.metadata as Record<string, string> | undefined) ?? {},
        created: isoSeconds(now),
        updated: isoSeconds(now),
      };
      extensionFields(input, image);
      applyDefaults('image', image);
      const created = model.machines.image.enter(image, 'SAVING', 'ACTIVE', now);
      c.get('tx').insert('images', id, created);
      c.set('created', created);
      c.set('result', { status: 202, headers: { Location: `${base.self}/images/${id}` } });
      return;
    }
    // An extension's action: its allowed states, its transition, its own code.
    if (!def.from!.includes(doc.status)) throw conflictingRequest(`Cannot ${root.spelled} ${what} while it is ${doc.status}; allowed from ${def.from!.join(', ')}.`);
    const next: ServerDoc = def.transition === undefined ? { ...doc } : model.machines.server.begin(doc, def.transition, now, what);
    next.updated = isoSeconds(now);
    await def.run?.(new ActionRequest(c, model.names(def.owner!), d.naming.alias(def.owner!) ?? def.owner!, now, input, next));
    c.get('tx').update('servers', doc.id, version, next);
    c.set('doc', next);
    c.set('result', { status: 202 });
  };

  return {
    list,
    show,
    createServer,
    updateServer,
    deleteServer: remove('servers'),
    deleteImage: remove('images'),
    action,
  };
};

/** Puts the configured flavors and base images in the store if they are not there yet. */
export interface Seeds {
  readonly flavors: readonly { id: string; name: string; ram: number; disk: number; vcpus: number }[];
  readonly images: readonly { id: string; name: string; minDisk: number; minRam: number; metadata: Record<string, string> }[];
}

export const seed = async (store: Store, model: VersionModel, clock: Clock, seeds: Seeds) => {
  const tx = store.begin();
  const now = clock.now();
  for (const f of seeds.flavors) if ((await store.get('flavors', f.id)) === undefined) tx.insert('flavors', f.id, { ...f });
  for (const i of seeds.images) {
    if ((await store.get('images', i.id)) !== undefined) continue;
    const doc: Value = { ...i, status: 'ACTIVE', created: isoSeconds(now), updated: isoSeconds(now) };
    for (const [k, v] of model.defaults.image) if (doc[k] === undefined) doc[k] = structuredClone(v);
    tx.insert('images', i.id, doc);
  }
  await tx.commit();
};

