import type { Context, Env, Handler, MiddlewareHandler } from 'hono';

/**
 * A route's stages (Hono middleware: respond, read, unit of work, hooks, handler) composed once,
 * when the registry is built, into the route's single Hono handler. One handler per route keeps
 * Hono's single-handler fast path, and lets one route serve two chains (`/servers/detail` and
 * `/servers/{id}`, which Hono's RegExpRouter cannot hold side by side). A stage that throws
 * skips everything after its `await next()`: no commit, no encoding; Hono's error handler
 * answers with the fault.
 */
export const chain = <E extends Env>(stages: readonly (MiddlewareHandler<E> | Handler<E>)[]): Handler<E> =>
  (c) => runFrom(stages, c, 0) as Promise<Response>;

// A module function rather than a closure made per request (which tsx would also name, per request).
// Not async: each stage is; `next` hands on the next stage's promise without wrapping it.
const runFrom = <E extends Env>(stages: readonly (MiddlewareHandler<E> | Handler<E>)[], c: Context<E>, i: number): Promise<Response | void> =>
  i === stages.length ? DONE : (stages[i]!(c, () => runFrom(stages, c, i + 1) as Promise<void>) as Promise<Response | void>);

const DONE: Promise<void> = Promise.resolve();
