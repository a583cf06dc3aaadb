import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The route template a request was answered by (`/v1/servers/{server_id}`), left on Node's request
 * for the listener's metrics: a label that never holds an id, so the label set stays bounded.
 */
const ROUTE = Symbol('extgate.route');

type Marked = IncomingMessage & { [ROUTE]?: string };

/** `/v1/servers/:server_id` as `/v1/servers/{server_id}`. */
export const templateOf = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');

export const markRoute = (c: Context, template: string): void => {
  const incoming = (c.env as { incoming?: Marked } | undefined)?.incoming;
  if (incoming !== undefined) incoming[ROUTE] = template;
};

export const markRequest = (req: IncomingMessage, template: string): void => {
  (req as Marked)[ROUTE] = template;
};

/** The template, or `(none)` when no route took the request (a 404, a 405, a 401 before routing). */
export const routeOf = (req: IncomingMessage): string => (req as Marked)[ROUTE] ?? '(none)';
