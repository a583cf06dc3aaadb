import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { Clock } from '../core/clock.ts';
import { linkBase } from '../core/links.ts';
import { flavorView, imageView, serverView, type FlavorDoc, type ImageDoc, type ServerDoc } from '../core/views.ts';
import type { GatewayEnv } from '../http/context.ts';
import { badRequest, itemNotFound } from '../media/fault.ts';
import type { Naming } from '../model/naming.ts';
import type { Value } from '../model/shape.ts';
import type { Store } from '../store/store.ts';
import type { HookContext, RouteContext } from './contract.ts';
import type { HookDef, RouteDef, VersionModel } from './wiring.ts';

/**
 * Extension hooks as Hono middleware, made once per registry build: `before` runs before
 * `await next()`, `after` once the core handler has left its result (and only if nothing failed).
 * A hook that throws a fault stops the request, and nothing of it is committed.
 */
export interface HookDeps {
  readonly model: VersionModel;
  readonly naming: Naming;
  readonly clock: Clock;
  readonly store: Store;
  readonly version: string;
}

/** An extension's headers: `Volume-Type` is `RAX-CBS-Volume-Type` on the wire, as this version spells the alias. */
export const headerApi = (c: Context<GatewayEnv>, owner: string, naming: Naming) => {
  const prefix = `${naming.alias(owner) ?? owner}-`;
  return {
    header: (name: string) => c.req.header(prefix + name),
    setHeader: (name: string, value: string) => {
      c.get('extraHeaders')[prefix + name] = value;
    },
  };
};


export const hookMiddleware = (h: HookDef, deps: HookDeps): MiddlewareHandler<GatewayEnv> => {
  const names = deps.model.names(h.owner);
  const alias = deps.naming.alias(h.owner) ?? h.owner;
  const prefix = `${alias}-`;
  const context = (c: Context<GatewayEnv>): HookContext => {
    const r = c.get('result');
    return {
      names,
      alias,
      // Most hooks never build a link: compute the base only if asked.
      get base() {
        return linkBase(c, deps.version).self;
      },
      now: deps.clock.now(),
      header: (name) => c.req.header(prefix + name),
      setHeader: (name, value) => {
        c.get('extraHeaders')[prefix + name] = value;
      },
      doc: c.get('doc'),
      result: r?.document?.value,
      results: r?.collection?.values,
      action: c.get('action'),
      created: c.get('created'),
    };
  };
  return async (c, next) => {
    if (h.before !== undefined) await h.before(context(c));
    await next();
    if (c.error === undefined && h.after !== undefined) await h.after(context(c));
  };
};

/** A route an extension adds (a resource, a verb): its own handler behind the same pipeline. */
export const extensionRoute = (r: RouteDef, deps: HookDeps): Handler<GatewayEnv> => {
  const names = deps.model.names(r.owner);
  const input = r.input;
  return async (c) => {
    const params = c.req.param() as Record<string, string>;
    let body: Value | undefined;
    if (input !== undefined) {
      const codec = c.get('requestCodec');
      const incoming = c.get('incoming');
      // A bare JSON body (a merge patch) is the content itself, every top-level key a field.
      const bareJson = r.bare === true && codec.suffix === 'json';
      const content = bareJson
        ? Object.fromEntries(incoming.map((x) => [x.spelled, x.content]))
        : incoming.find((x) => x.owner === input.owner && x.name === input.element)?.content;
      if (content === undefined) throw badRequest(`The request body must be a "${deps.naming.alias(input.owner ?? '') ?? ''}${input.owner ? ':' : ''}${input.element}" document.`);
      body = codec.reader!(input, deps.naming)(content);
    }
    // A route under a core resource gets that resource loaded and settled.
    let doc: Value | undefined;
    let stored: { kind: string; version: number } | undefined;
    const now = deps.clock.now();
    for (const [param, kind] of [['server_id', 'servers'], ['image_id', 'images']] as const) {
      if (params[param] === undefined) continue;
      const found = await deps.store.get(kind, params[param]);
      if (found === undefined) throw itemNotFound(`No ${kind.slice(0, -1)} with id ${params[param]}.`);
      doc = kind === 'servers' ? deps.model.machines.server.settle(found.doc as ServerDoc, now) : found.doc;
      stored = { kind, version: found.version };
      c.set('doc', doc);
    }
    const ctx: RouteContext = {
      params,
      input: body,
      doc,
      names,
      alias: deps.naming.alias(r.owner) ?? r.owner,
      now,
      ...headerApi(c, r.owner, deps.naming),
      base: linkBase(c, deps.version).self,
      view: (d) => {
        const base = linkBase(c, deps.version);
        const shapes = deps.model.shapes;
        if (stored?.kind === 'images') return imageView(deps.model.machines.image.settle(d as ImageDoc, now), shapes.image, base);
        if (stored?.kind === 'servers') return serverView(d as ServerDoc, shapes.server, base);
        return flavorView(d as FlavorDoc, shapes.flavor, base);
      },
      save: (d) => {
        if (d !== doc || stored === undefined) throw new Error(`${r.owner}: save() takes the document the route loaded`);
        c.get('tx').update(stored.kind, d.id as string, stored.version, d);
      },
    };
    const result = await r.handle(ctx);
    c.set('result', { status: result.status, document: result.value === undefined || r.output === undefined ? undefined : { shape: r.output, value: result.value } });
  };
};

