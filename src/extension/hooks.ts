import type { Context } from 'hono';
import type { Clock } from '../core/clock.ts';
import type { PreHandler, PreSerialization, Prepared, RequestState, RouteSteps } from '../http/flow.ts';
import type { Origin } from '../http/origin.ts';
import type { Readers } from '../http/pipeline.ts';
import { badRequest } from '../media/fault.ts';
import { rootKey, sameField, usedOld } from '../media/read.ts';
import { spell, spellingOf, type Naming } from '../model/naming.ts';
import type { Value } from '../model/shape.ts';
import type { Store } from '../store/store.ts';
import { HookRequest, RouteRequest, type Loaded } from './context.ts';
import { getVisible } from '../identity/principal.ts';
import type { HookDef, RouteDef, VersionModel } from './wiring.ts';

/**
 * Extension hooks in their phases, and extension routes as route steps (http/flow.ts), made once
 * per registry build. A hook that throws a fault stops the request, and nothing of it is committed.
 */
export interface HookDeps {
  readonly model: VersionModel;
  readonly naming: Naming;
  readonly clock: Clock;
  readonly store: Store;
  readonly version: string;
  readonly readers: Readers;
  readonly origin: Origin;
}

/** A hook's preHandler, if it has one: it sees the input, the loaded resource and the action. */
export const preHandlerOf = (h: HookDef, deps: HookDeps): PreHandler | undefined => {
  const run = h.preHandler;
  if (run === undefined) return undefined;
  const scope = deps.model.scope(h.owner);
  return (c, req, prepared) => run(new HookRequest(c, req, scope, deps.clock.now(), deps.version, deps.origin, prepared));
};

/** A hook's preSerialization, if it has one: it sees the result and the documents as changed too. */
export const preSerializationOf = (h: HookDef, deps: HookDeps): PreSerialization | undefined => {
  const run = h.preSerialization;
  if (run === undefined) return undefined;
  const scope = deps.model.scope(h.owner);
  return (c, req, prepared, outcome) => run(new HookRequest(c, req, scope, deps.clock.now(), deps.version, deps.origin, prepared, outcome));
};

/**
 * A route an extension adds (a resource, a verb), behind the same flow. Prepare: a route at an old
 * spelling of its path (`/RAX-BAK/` once RAX-BAK is OS-BAK) is told and counted, or refused with
 * the current path; the body is decoded; the core resource the path names is loaded. Perform:
 * the extension's own handler.
 */
export const extensionRoute = (r: RouteDef, deps: HookDeps): RouteSteps => {
  const scope = deps.model.scope(r.owner);
  const shape = r.input;
  const old = r.old === undefined ? undefined : { spelling: r.old, name: `${r.method} ${r.path.replace('{alias}', r.old.alias)}` };
  const expected = shape === undefined ? '' : spell(spellingOf(deps.naming, shape.owner), shape.element);

  const decode = (req: RequestState): Value | undefined => {
    if (shape === undefined) return undefined;
    const { codec, incoming } = req.body!;
    const read = deps.readers(codec, shape);
    // A bare JSON body (a merge patch) is the content itself, every top-level key a field.
    if (r.bare === true && codec.suffix === 'json') return read(Object.fromEntries(incoming.map((x) => [x.spelled, x.content])), req.uses);
    // Under each of its root names (old and new) at most once; given twice, they must agree.
    const roots = incoming.filter((x) => r.inputKeys!.has(rootKey(x)));
    if (roots.length === 0) throw badRequest(`The request body must be a "${expected}" document.`);
    let body: Value | undefined;
    for (const root of roots) {
      if (root.old !== undefined) req.uses.push({ spelling: root.old, name: root.spelled });
      const value = read(root.content, req.uses);
      if (body === undefined) body = value;
      else sameField(roots[0]!.spelled, body, root.spelled, value);
    }
    return body;
  };

  /** The core resource the path names (`{server_id}`, `{image_id}`), loaded and completed. */
  const load = async (c: Context, req: RequestState, now: number): Promise<Loaded | undefined> => {
    for (const [param, kind] of [['server_id', 'servers'], ['image_id', 'images']] as const) {
      const id = c.req.param(param);
      if (id === undefined) continue;
      const found = await getVisible(deps.store, kind, id, req.principal);
      return { kind, version: found.version, project: found.project, doc: deps.model.complete(kind === 'servers' ? 'server' : 'image', found.doc, now) };
    }
    return undefined;
  };

  return {
    prepare: async (c, req): Promise<Prepared & { loaded?: Loaded }> => {
      if (old !== undefined) usedOld(old.spelling, old.name, `"${r.current}"`, req.uses);
      const input = decode(req);
      const loaded = await load(c, req, deps.clock.now());
      return { input, doc: loaded?.doc, version: loaded?.version, project: loaded?.project, loaded };
    },
    perform: async (c, req, prepared) => {
      const { loaded } = prepared as Prepared & { loaded?: Loaded };
      const params = c.req.param() as Record<string, string>;
      const ctx = new RouteRequest(c, req, scope, deps.clock.now(), deps.version, deps.origin, deps.model, r.owner, params, prepared, loaded);
      const result = await r.handle(ctx);
      return { doc: loaded?.doc, result: { status: result.status, document: result.value === undefined || r.output === undefined ? undefined : { shape: r.output, value: result.value } } };
    },
  };
};
