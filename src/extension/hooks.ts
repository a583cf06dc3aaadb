import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { Clock } from '../core/clock.ts';
import type { ServerDoc } from '../core/views.ts';
import type { GatewayEnv } from '../http/context.ts';
import { badRequest, itemNotFound } from '../media/fault.ts';
import type { Naming } from '../model/naming.ts';
import type { Value } from '../model/shape.ts';
import type { Store } from '../store/store.ts';
import { HookRequest, RouteRequest, type Loaded } from './context.ts';
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

export const hookMiddleware = (h: HookDef, deps: HookDeps): MiddlewareHandler<GatewayEnv> => {
  const names = deps.model.names(h.owner);
  const alias = deps.naming.alias(h.owner) ?? h.owner;
  const context = (c: Context<GatewayEnv>) => new HookRequest(c, names, alias, deps.clock.now(), deps.version);
  return async (c, next) => {
    if (h.before !== undefined) await h.before(context(c));
    await next();
    if (c.error === undefined && h.after !== undefined) await h.after(context(c));
  };
};

/** A route an extension adds (a resource, a verb): its own handler behind the same pipeline. */
export const extensionRoute = (r: RouteDef, deps: HookDeps): Handler<GatewayEnv> => {
  const names = deps.model.names(r.owner);
  const alias = deps.naming.alias(r.owner) ?? r.owner;
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
    let loaded: Loaded | undefined;
    const now = deps.clock.now();
    for (const [param, kind] of [['server_id', 'servers'], ['image_id', 'images']] as const) {
      if (params[param] === undefined) continue;
      const found = await deps.store.get(kind, params[param]);
      if (found === undefined) throw itemNotFound(`No ${kind.slice(0, -1)} with id ${params[param]}.`);
      const doc = kind === 'servers' ? deps.model.machines.server.settle(found.doc as ServerDoc, now) : found.doc;
      loaded = { kind, version: found.version, doc };
      c.set('doc', doc);
    }
    const ctx = new RouteRequest(c, names, alias, now, deps.version, deps.model, r.owner, params, body, loaded);
    const result = await r.handle(ctx);
    c.set('result', { status: result.status, document: result.value === undefined || r.output === undefined ? undefined : { shape: r.output, value: result.value } });
  };
};

