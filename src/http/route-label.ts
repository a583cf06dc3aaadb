import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { getOrMake } from '../memo.ts';

/**
 * What the listener's metrics and request log need to know of a request that only the routes
 * know, left on Node's request: the route template it was answered by (`/v1/servers/{server_id}`,
 * a label that never holds an id, so label sets stay bounded), who it acted for, which extensions'
 * hooks or routes ran, and the old names it used.
 */
const FACTS = Symbol('extgate.request');

export interface RequestFacts {
  route?: string;
  project?: string;
  user?: string;
  extensions?: readonly string[];
  oldNames?: readonly string[];
}

type Noted = IncomingMessage & { [FACTS]?: RequestFacts };

const factsOf = (req: Noted): RequestFacts => {
  let f = req[FACTS];
  if (f === undefined) req[FACTS] = f = {};
  return f;
};

const incomingOf = (c: Context): Noted | undefined => (c.env as { incoming?: Noted } | undefined)?.incoming;

/** `/v1/servers/:server_id` as `/v1/servers/{server_id}`. */
export const templateOf = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');

export const markRoute = (c: Context, template: string): void => {
  const incoming = incomingOf(c);
  if (incoming !== undefined) factsOf(incoming).route = template;
};

export const markRequest = (req: IncomingMessage, template: string): void => {
  factsOf(req as Noted).route = template;
};

/** Who the request acted for, and the extensions whose hooks or route it ran. */
export const noteRequest = (c: Context, project: string, user: string, extensions: readonly string[] | undefined): void => {
  const incoming = incomingOf(c);
  if (incoming === undefined) return;
  const f = factsOf(incoming);
  f.project = project;
  f.user = user;
  if (extensions !== undefined && extensions.length > 0) f.extensions = extensions;
};

export const noteOldNames = (c: Context, names: readonly string[]): void => {
  const incoming = incomingOf(c);
  if (incoming !== undefined) factsOf(incoming).oldNames = names;
};

/** The API version a route template is under (`v1` of `/v1/servers/{server_id}`), '' for none: a bounded set, found once each. */
const versions = new Map<string, string>();
export const versionOfRoute = (route: string): string => getOrMake(versions, route, () => /^\/(v\d+(?:\.\d+)?)(?:\/|$)/.exec(route)?.[1] ?? '');

export const factsOfRequest = (req: IncomingMessage): RequestFacts | undefined => (req as Noted)[FACTS];
