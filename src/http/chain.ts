import type { Env, Handler, MiddlewareHandler } from 'hono';

/**
 * A route's stages (Hono middleware: respond, read, unit of work, hooks, handler) composed once,
 * when the registry is built, into the route's single Hono handler. One handler per route keeps
 * Hono's single-handler fast path, and lets one route serve two chains (`/servers/detail` and
 * `/servers/{id}`, which Hono's RegExpRouter cannot hold side by side). A stage that throws
 * skips everything after its `await next()`: no commit, no encoding; Hono's error handler
 * answers with the fault.
 */
export const chain = <E extends Env>(stages: readonly (MiddlewareHandler<E> | Handler<E>)[]): Handler<E> => (c) => {
  const run = async (i: number): Promise<Response | void> => {
    const stage = stages[i];
    if (stage === undefined) return;
    return (await stage(c, async () => {
      await run(i + 1);
    })) as Response | void;
  };
  return run(0) as Promise<Response>;
};
