import { randomBytes, randomUUID } from 'node:crypto';
import type { CoreActionTools } from './actions.ts';
import type { Readers } from '../http/pipeline.ts';
import type { Prepared, RequestState, RouteSteps } from '../http/flow.ts';
import { rootKey, sameField, usedOld } from '../media/read.ts';
import type { ParameterDef } from '../extension/wiring.ts';
import type { Context } from 'hono';
import type { VersionModel } from '../extension/wiring.ts';
import type { GatewayEnv } from '../http/context.ts';
import { hasQuery, rawPath } from '../http/request.ts';
import { badRequest, conflictingRequest } from '../media/fault.ts';
import { spell, spellingOf, type Naming } from '../model/naming.ts';
import { collection, type Collection, type Link, type Shape, type Value } from '../model/shape.ts';
import { ConflictError, MarkerNotFoundError, type Condition, type Store, type StoredDocument } from '../store/store.ts';
import { isoSeconds, type Clock } from './clock.ts';
import { linkBase, type LinkBase } from './links.ts';
import { compactIPv6, idOfRef } from './shapes.ts';
import { CORE_FILTERS } from './filters.ts';
import { flavorView, imageView, serverView, summaryView, type FlavorDoc, type ImageDoc, type ServerDoc } from './views.ts';
import { pageRequest } from '../discovery/pagination.ts';
import { ActionRequest } from '../extension/context.ts';
import type { Origin } from '../http/origin.ts';
import { canSee, getVisible, type Principal } from '../identity/principal.ts';

/**
 * The core compute API (a faithful subset of OpenStack Compute v2): each route's two steps
 * (http/flow.ts): prepare (decode the input, load the resource) and perform (read, or stage the
 * change), returning what they made. They know nothing of any extension: extension fields travel
 * through the shapes, the defaults and the hooks.
 */
export interface ComputeDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly model: VersionModel;
  readonly naming: Naming;
  readonly version: string;
  /** Request readers, compiled once per (codec, shape). */
  readonly readers: Readers;
  /** Where links point. */
  readonly origin: Origin;
}

type C = Context<GatewayEnv>;
type Kind = 'servers' | 'images' | 'flavors';

/** An action its server's state does not allow: 409, as the state machine answers a transition. */
const notFromState = (action: string, what: string, status: string, from: readonly string[]): never => {
  throw conflictingRequest(`Cannot ${action} ${what} while it is ${status}; allowed from ${from.join(', ')}.`);
};

export const compute = (d: ComputeDeps) => {
  const { store, clock, model } = d;
  const s = model.shapes;
  const colls = {
    servers: { summary: collection('servers', s.serverSummary), detail: collection('servers', s.server) },
    images: { summary: collection('images', s.imageSummary), detail: collection('images', s.image) },
    flavors: { summary: collection('flavors', s.flavorSummary), detail: collection('flavors', s.flavor) },
  } satisfies Record<Kind, { summary: Collection; detail: Collection }>;
  const singular = { servers: 'server', images: 'image', flavors: 'flavor' } as const;

  const settle = (kind: Kind, doc: Value, now: number): Value => model.complete(singular[kind], doc, now);
  const view = (kind: Kind, doc: Value, base: LinkBase): Value =>
    kind === 'servers' ? serverView(doc as ServerDoc, s.server, base) : kind === 'images' ? imageView(doc as ImageDoc, s.image, base) : flavorView(doc as FlavorDoc, s.flavor, base);
  const idParam = (c: C, kind: Kind): string => c.req.param(`${singular[kind]}_id`)!;

  /** Loads and completes a document the caller may see (it is this request's own copy), or a 404 fault. */
  const load = async (kind: Kind, id: string, now: number, who: Principal): Promise<{ doc: Value; version: number; project: string }> => {
    const found = await getVisible(store, kind, id, who);
    return { doc: settle(kind, found.doc, now), version: found.version, project: found.project };
  };

  /** Whose resources a list covers: the caller's project's (and public ones), or every project's. */
  const projectsOf = (kind: Kind, who: Principal, everyProject: boolean | undefined): string[] | undefined => {
    if (kind === 'flavors' || who.everyProject || everyProject === true) return undefined;
    return kind === 'servers' ? [who.project] : ['', who.project];
  };

  /**
   * Query parameters: extension filters by each spelling this version knows (an old one is
   * counted, or refused); a qualified name nobody owns is a 400; an unqualified unknown one is
   * ignored, as clients send some. The test that decides runs on each settled document the store
   * returns (`where`); the conditions of the core filters and of parameters that declare their
   * test, the same tests for the store's query, narrow what it reads.
   */
  const filters = (c: C, req: RequestState, kind: Kind, now: number): { where: (doc: Value) => boolean; conditions: Condition[] } | undefined => {
    if (!hasQuery(c.req.url)) return undefined;
    const params = model.parameters[kind];
    const given = new Map<ParameterDef, { spelled: string; value: string }>();
    const checks: ((doc: Value) => boolean)[] = [];
    const conditions: Condition[] = [];
    for (const [name, values] of Object.entries(c.req.queries())) {
      const core = CORE_FILTERS[kind].get(name);
      if (core !== undefined) {
        if (values.length !== 1) throw badRequest(`The query parameter "${name}" may be given once.`);
        const problem = core.check?.(values[0]);
        if (problem !== undefined) throw badRequest(`"${name}" ${problem}.`);
        checks.push(core.make(values[0]!));
        const condition = core.condition?.(values[0]!, now);
        if (condition !== undefined) conditions.push(condition);
        continue;
      }
      const p = params.get(name);
      if (p === undefined) {
        const colon = name.indexOf(':');
        if (colon !== -1) {
          const alias = name.slice(0, colon);
          if (d.naming.byAlias(alias) === undefined) throw badRequest(`The query parameter "${name}" names the extension ${alias}, which is not loaded here.`);
          throw badRequest(`"${name}" is not a query parameter of ${kind}.`);
        }
        continue;
      }
      if (values.length !== 1) throw badRequest(`The query parameter "${name}" may be given once.`);
      if (p.old !== undefined) usedOld(p.old, name, `"${p.current}"`, req.uses);
      const value = values[0]!;
      // The same parameter under its old and new names must say the same thing.
      const def = params.get(p.current)!;
      const earlier = given.get(def);
      if (earlier !== undefined) sameField(earlier.spelled, earlier.value, name, value);
      given.set(def, { spelled: name, value });
    }
    for (const [p, { spelled, value }] of given) {
      const problem = p.check?.(value);
      if (problem !== undefined) throw badRequest(`"${spelled}" ${problem}.`);
      const selected = p.select(value);
      checks.push(selected.test);
      if (selected.condition !== undefined) conditions.push(selected.condition);
    }
    return checks.length === 0 ? undefined : { where: (doc) => checks.every((f) => f(doc)), conditions };
  };

  /** Reads content with a shape; old spellings it used are told and counted with the answer. */
  const read = (req: RequestState, shape: Shape, content: unknown): Value => d.readers(req.body!.codec, shape)(content, req.uses);

  /**
   * The single root document of a request body, read with `shape`. Another root an extension's
   * name qualifies is refused, as such a name is inside the document; unqualified ones are
   * ignored, as there.
   */
  const body = (req: RequestState, shape: Shape): Value => {
    const incoming = req.body!.incoming;
    const root = incoming.find((x) => x.owner === undefined && x.name === shape.element);
    if (root === undefined) throw badRequest(`The request body must be a "${shape.element}" document.`);
    const stray = incoming.find((x) => x.owner !== undefined);
    if (stray !== undefined) throw badRequest(`"${stray.spelled}" is not a document this request takes; it takes "${shape.element}".`);
    return read(req, shape, root.content);
  };

  const extensionFields = (input: Value, into: Value) => {
    for (const k in input) if (k.includes(':')) into[k] = input[k];
  };
  const applyDefaults = (resource: 'server' | 'image', doc: Value) => {
    for (const [k, v] of model.defaults[resource]) if (doc[k] === undefined) doc[k] = structuredClone(v);
  };
  /** The item the path names, loaded before anything changes (what preHandler hooks see). */
  const loaded = (kind: Kind) => async (c: C, req: RequestState): Promise<Prepared> => load(kind, idParam(c, kind), clock.now(), req.principal);

  const list = (kind: Kind, detail: boolean): RouteSteps => ({
    prepare: (c) => (kind === 'servers' && hasQuery(c.req.url) && allTenants(c) ? EVERY_PROJECT : NOTHING),
    perform: async (c, req, prepared) => {
      const now = clock.now();
      const page = hasQuery(c.req.url) ? pageRequest(c) : {};
      const filtered = filters(c, req, kind, now);
      let docs: StoredDocument[];
      try {
        docs = await store.list(kind, {
          after: page.marker,
          projects: projectsOf(kind, req.principal, prepared.everyProject),
          limit: page.limit === undefined ? undefined : page.limit + 1,
          conditions: filtered?.conditions,
          where: filtered === undefined ? undefined : (doc) => filtered.where(settle(kind, doc, now)),
        });
      } catch (err) {
        if (err instanceof MarkerNotFoundError) throw badRequest(`marker "${page.marker}" was not found.`);
        throw err;
      }
      // limit=0 is an empty page, and nothing follows it.
      const more = page.limit !== undefined && page.limit > 0 && docs.length > page.limit;
      if (page.limit !== undefined) docs = docs.slice(0, page.limit);
      const base = linkBase(c, d.version, d.origin);
      const values = docs.map((x) => {
        const doc = settle(kind, x.doc, now);
        return detail ? view(kind, doc, base) : summaryView(doc as { id: string; name: string }, kind, base);
      });
      const links: Link[] = [];
      if (more) {
        const url = c.req.url;
        const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
        query.set('marker', docs[docs.length - 1]!.id);
        links.push({ rel: 'next', href: `${d.origin(c)}${rawPath(url)}?${query.toString()}` });
      }
      return { result: { status: 200, collection: { coll: detail ? colls[kind].detail : colls[kind].summary, values, links } } };
    },
  });

  const show = (kind: Kind): RouteSteps => ({
    prepare: loaded(kind),
    perform: (c, _req, { doc }) => ({
      doc,
      result: { status: 200, document: { shape: kind === 'servers' ? s.server : kind === 'images' ? s.image : s.flavor, value: view(kind, doc!, linkBase(c, d.version, d.origin)) } },
    }),
  });

  const createServer: RouteSteps = {
    prepare: (_c, req) => ({ input: body(req, s.serverCreate) }),
    perform: async (c, req, { input }) => {
      const now = clock.now();
      const imageId = idOfRef(input!.imageRef as string);
      const flavorId = idOfRef(input!.flavorRef as string);
      const image = await store.get<ImageDoc>('images', imageId);
      // Another project's private image is no image, and whether it exists is not told.
      if (image === undefined || !canSee(req.principal, image.project)) throw badRequest(`imageRef ${input!.imageRef} names no image.`);
      if (model.complete('image', image.doc, now).status !== 'ACTIVE') throw badRequest(`The image ${imageId} is not ACTIVE.`);
      if ((await store.get('flavors', flavorId)) === undefined) throw badRequest(`flavorRef ${input!.flavorRef} names no flavor.`);
      const id = randomUUID();
      const who = req.principal;
      const adminPass = (input!.adminPass as string | undefined) ?? randomBytes(9).toString('base64url');
      const octets = randomBytes(2);
      const doc: ServerDoc = {
        id,
        name: input!.name as string,
        status: 'BUILD',
        imageId,
        flavorId,
        accessIPv4: (input!.accessIPv4 as string | undefined) ?? '',
        accessIPv6: compactIPv6((input!.accessIPv6 as string | undefined) ?? ''),
        metadata: (input!.metadata as Record<string, string> | undefined) ?? {},
        addresses: { public: [{ version: 4, addr: `10.0.${octets[0]}.${(octets[1]! % 253) + 1}` }] },
        created: isoSeconds(now),
        updated: isoSeconds(now),
        hostId: randomBytes(28).toString('hex'),
        tenant_id: who.project,
        user_id: who.user,
      };
      extensionFields(input!, doc);
      applyDefaults('server', doc);
      const stored = model.machines.server.enter(doc, 'BUILD', 'ACTIVE', now);
      req.tx!.insert('servers', id, stored, who.project);
      const base = linkBase(c, d.version, d.origin);
      return {
        doc: stored,
        result: { status: 202, headers: { Location: `${base.self}/servers/${id}` }, document: { shape: s.serverCreated, value: { ...serverView(stored, s.server, base), adminPass } } },
      };
    },
  };

  const updateServer: RouteSteps = {
    prepare: async (c, req) => ({ input: body(req, s.serverUpdate), ...(await load('servers', idParam(c, 'servers'), clock.now(), req.principal)) }),
    perform: (c, req, { input, doc, version }) => {
      const next: ServerDoc = { ...(doc as ServerDoc), updated: isoSeconds(clock.now()) };
      for (const k of ['name', 'accessIPv4', 'accessIPv6'] as const) if (input![k] !== undefined) next[k] = (input![k] as string | null) ?? '';
      next.accessIPv6 = compactIPv6(next.accessIPv6);
      extensionFields(input!, next);
      req.tx!.update('servers', next.id, version!, next);
      return { doc: next, result: { status: 200, document: { shape: s.serverUpdated, value: serverView(next, s.server, linkBase(c, d.version, d.origin)) } } };
    },
  };

  const remove = (kind: 'servers' | 'images'): RouteSteps => ({
    prepare: loaded(kind),
    perform: (_c, req, { doc, version }) => {
      req.tx!.delete(kind, doc!.id as string, version!);
      return { doc, result: { status: 204 } };
    },
  });

  /** Stages a document an action creates beside the server (createImage's image), as the core creates one. */
  const creator = (c: C, req: RequestState, now: number, made: { doc?: Value; location?: string }): CoreActionTools => ({
    store,
    create: (kind, doc, input, via, to) => {
      extensionFields(input, doc);
      applyDefaults('image', doc);
      const staged = model.machines.image.enter(doc, via, to, now);
      made.doc = staged;
      req.tx!.insert(kind, doc.id as string, staged, req.principal.project);
      made.location = `${linkBase(c, d.version, d.origin).self}/${kind}/${doc.id as string}`;
      return staged;
    },
  });

  /**
   * `POST /servers/{id}/action`: the body's one root name picks the action from the version's one
   * table, core or extension alike; preHandler hooks see it with the server before it changes.
   * Then its allowed states, its transition, its own code, one commit.
   */
  const action: RouteSteps = {
    prepare: async (c, req) => {
      // The path first: an action on a server that does not exist is a 404, whatever it asks (as nova answers).
      const server = await load('servers', idParam(c, 'servers'), clock.now(), req.principal);
      const roots = req.body!.incoming;
      if (roots.length !== 1) throw badRequest(`An action body has exactly one action; got ${roots.length === 0 ? 'none' : roots.map((r) => r.spelled).join(', ')}.`);
      const root = roots[0]!;
      const def = model.actions.get(rootKey(root));
      if (def === undefined) throw badRequest(`"${root.spelled}" is not an action of servers.`);
      if (root.old !== undefined) req.uses.push({ spelling: root.old, name: root.spelled });
      const input = read(req, def.shape, root.content ?? {});
      return { action: def, input, ...server };
    },
    perform: async (c, req, prepared) => {
      const { action: def, input, doc, version } = prepared;
      const now = clock.now();
      const server = doc as ServerDoc;
      const t = def!.transition(input!);
      // An action that changes the state waits for work in progress (nova's task_state) to finish.
      if (server.task !== undefined && (t.via !== undefined || t.to !== undefined || def!.owner === undefined)) {
        throw conflictingRequest(`Cannot ${def!.name} server ${server.id} while its task ${server.task.name} is in progress.`);
      }
      const name = def!.shape.owner === undefined ? def!.name : spell(spellingOf(d.naming, def!.owner), def!.name);
      const what = `server ${server.id}`;
      const next: ServerDoc =
        t.via === undefined
          ? t.from.includes(server.status) ? { ...server, status: t.to ?? server.status } : notFromState(name, what, server.status, t.from)
          : model.machines.server.begin(server, { name, from: t.from, via: t.via, to: t.to ?? 'ACTIVE' }, now, what);
      next.updated = isoSeconds(now);
      const ctx = new ActionRequest(c, req, model.scope(def!.owner), now, prepared, input!, next);
      const made: { doc?: Value; location?: string } = {};
      // Only the core's own actions get the core's tools: an extension sees its names and nothing else.
      await (def!.owner === undefined ? def!.run?.(ctx, creator(c, req, now, made)) : def!.run?.(ctx));
      req.tx!.update('servers', server.id, version!, next);
      return { doc: next, created: made.doc, result: { status: 202, headers: made.location === undefined ? undefined : { Location: made.location } } };
    },
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

/** A route that loads nothing before its handler. */
const NOTHING: Prepared = Object.freeze({});
const EVERY_PROJECT: Prepared = Object.freeze({ everyProject: true });

/**
 * `?all_tenants`: every project's servers, for whom policy allows it (nova's is_all_tenants: a
 * boolean, given alone it means yes).
 */
const allTenants = (c: C): boolean => {
  const values = c.req.queries('all_tenants');
  if (values === undefined) return false;
  if (values.length !== 1) throw badRequest('The query parameter "all_tenants" may be given once.');
  const v = values[0]!.toLowerCase();
  if (['', '1', 'true', 't', 'yes', 'y', 'on'].includes(v)) return true;
  if (['0', 'false', 'f', 'no', 'n', 'off'].includes(v)) return false;
  throw badRequest(`"all_tenants" must be a boolean (1, true, yes, on, or 0, false, no, off); got "${values[0]}".`);
};

/** Puts the configured flavors and base images in the store if they are not there yet. */
export interface Seeds {
  readonly flavors: readonly { id: string; name: string; ram: number; disk: number; vcpus: number; swap?: number }[];
  readonly images: readonly { id: string; name: string; minDisk: number; minRam: number; metadata: Record<string, string> }[];
}

export const seed = async (store: Store, model: VersionModel, clock: Clock, seeds: Seeds, retried = false): Promise<void> => {
  const tx = store.begin();
  const now = clock.now();
  // Seeded flavors and images are public: everyone's.
  for (const f of seeds.flavors) if ((await store.get('flavors', f.id)) === undefined) tx.insert('flavors', f.id, { ...f }, '');
  for (const i of seeds.images) {
    if ((await store.get('images', i.id)) !== undefined) continue;
    const doc: Value = { ...i, status: 'ACTIVE', created: isoSeconds(now), updated: isoSeconds(now) };
    for (const [k, v] of model.defaults.image) if (doc[k] === undefined) doc[k] = structuredClone(v);
    tx.insert('images', i.id, doc, '');
  }
  // Another instance on the same database seeded at the same moment: see what it wrote, add the rest.
  await tx.commit().catch((err: unknown) => {
    if (!(err instanceof ConflictError) || retried) throw err;
    return seed(store, model, clock, seeds, true);
  });
};

