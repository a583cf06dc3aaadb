import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { Clock } from '../core/clock.ts';
import type { GatewayEnv } from '../http/context.ts';
import { oldUses } from '../http/deprecation.ts';
import { badRequest, itemNotFound } from '../media/fault.ts';
import { rootKey, sameField, usedOld, type OldUse } from '../media/read.ts';
import { spell, spellingOf, type Naming } from '../model/naming.ts';
import type { Value } from '../model/shape.ts';
import type { Store } from '../store/store.ts';
import { HookRequest, RouteRequest, type Loaded } from './context.ts';
import type { HookDef, RouteDef, VersionModel } from './wiring.ts';
import type { Readers } from '../http/pipeline.ts';
import type { Origin } from '../http/origin.ts';

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
  readonly readers: Readers;
  readonly origin: Origin;
}

export const hookMiddleware = (h: HookDef, deps: HookDeps): MiddlewareHandler<GatewayEnv> => {
  const scope = deps.model.scope(h.owner);
  const context = (c: Context<GatewayEnv>) => new HookRequest(c, scope, deps.clock.now(), deps.version, deps.origin);
  return async (c, next) => {
    if (h.before !== undefined) await h.before(context(c));
    await next();
    if (c.error === undefined && h.after !== undefined) await h.after(context(c));
  };
};

/**
 * A route an extension adds (a resource, a verb): its own handler behind the same pipeline. A
 * route at an old spelling of its path (`/RAX-BAK/` once RAX-BAK is OS-BAK) answers the same,
 * counted as an old name, or refuses with the current path if the promotion says so.
 */
export const extensionRoute = (r: RouteDef, deps: HookDeps): Handler<GatewayEnv> => {
  const scope = deps.model.scope(r.owner);
  const input = r.input;
  const old = r.old === undefined ? undefined : { spelling: r.old, name: `${r.method} ${r.path.replace('{alias}', r.old.alias)}` };
  const expected = input === undefined ? '' : spell(spellingOf(deps.naming, input.owner), input.element);
  return async (c) => {
    if (old !== undefined) usedOld(old.spelling, old.name, `"${r.current}"`, oldUses(c));
    const params = c.req.param() as Record<string, string>;
    let body: Value | undefined;
    if (input !== undefined) {
      const codec = c.get('requestCodec');
      const incoming = c.get('incoming');
      const read = deps.readers(codec, input);
      const uses: OldUse[] = [];
      if (r.bare === true && codec.suffix === 'json') {
        // A bare JSON body (a merge patch) is the content itself, every top-level key a field.
        body = read(Object.fromEntries(incoming.map((x) => [x.spelled, x.content])), uses);
      } else {
        // Under each of its root names (old and new) at most once; given twice, they must agree.
        const roots = incoming.filter((x) => r.inputKeys!.has(rootKey(x)));
        if (roots.length === 0) throw badRequest(`The request body must be a "${expected}" document.`);
        for (const root of roots) {
          if (root.old !== undefined) uses.push({ spelling: root.old, name: root.spelled });
          const value = read(root.content, uses);
          if (body === undefined) body = value;
          else sameField(roots[0]!.spelled, body, root.spelled, value);
        }
      }
      if (uses.length > 0) oldUses(c).push(...uses);
    }
    // A route under a core resource gets that resource loaded and settled.
    let loaded: Loaded | undefined;
    const now = deps.clock.now();
    for (const [param, kind] of [['server_id', 'servers'], ['image_id', 'images']] as const) {
      if (params[param] === undefined) continue;
      const found = await deps.store.get(kind, params[param]);
      if (found === undefined) throw itemNotFound(`No ${kind.slice(0, -1)} with id ${params[param]}.`);
      const doc = deps.model.complete(kind === 'servers' ? 'server' : 'image', found.doc, now);
      loaded = { kind, version: found.version, doc };
      c.set('doc', doc);
    }
    const ctx = new RouteRequest(c, scope, now, deps.version, deps.origin, deps.model, r.owner, params, body, loaded);
    const result = await r.handle(ctx);
    c.set('result', { status: result.status, document: result.value === undefined || r.output === undefined ? undefined : { shape: r.output, value: result.value } });
  };
};

