// eslint-disable-next-line @typescript-eslint/no-explicit-any
import type { Context, Handler, Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { RoutingPaths } from './path.ts';
import { getOrMake } from '../memo.ts';
import { markRoute, templateOf } from './route-label.ts';

type Fallback = (c: Context, params: Readonly<Record<string, string>>) => Response | Promise<Response>;

interface PathEntry {
  readonly methods: Set<string>;
  /** A path without parameters: where one matches, it alone says what the path allows. */
  readonly exact: boolean;
  /** Answers a method the path has when no route served it (an item that does not exist). */
  fallback?: Fallback;
}

/**
 * Registers routes on the app and remembers which methods each path answers, so a wrong verb gets
 * 405 with `Allow` from one router lookup in the not-found handler, rather than a catch-all
 * handler on every route (which would cost every request a middleware chain). Items known when
 * the registry is built get static routes; `fallback` answers the others.
 */
export class RouteTable {
  readonly #app: Hono;
  readonly #paths: RoutingPaths;
  readonly #entries = new Map<string, PathEntry>();
  readonly #lookup = new TrieRouter<PathEntry>();

  constructor(app: Hono, paths: RoutingPaths) {
    this.#app = app;
    this.#paths = paths;
  }

  #entry(path: string): PathEntry {
    return getOrMake(this.#entries, path, () => {
      const entry: PathEntry = { methods: new Set(), exact: !path.includes(':') };
      this.#lookup.add('ALL', path, entry);
      this.#paths.addRoute(path);
      return entry;
    });
  }

  /** `template` labels the route in metrics (default: the path, `{name}` for `:name`). */
  on(method: string, path: string, handler: Handler, template = templateOf(path)): this {
    const { methods } = this.#entry(path);
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    this.#app.on(method, path, ((c, next) => {
      markRoute(c, template);
      return handler(c, next);
    }) as Handler);
    return this;
  }

  /** `path` answers `method` through a route registered under another pattern (see http/chain.ts). */
  servedBy(method: string, path: string): this {
    const { methods } = this.#entry(path);
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    return this;
  }

  get(path: string, handler: Handler, template?: string): this {
    return this.on('GET', path, handler, template);
  }

  /** `pattern` answers `methods`, but only through static routes; anything else reaches `fallback`. */
  fallback(pattern: string, methods: readonly string[], fallback: Fallback): this {
    const entry = this.#entry(pattern);
    for (const m of methods) {
      entry.methods.add(m);
      if (m === 'GET') entry.methods.add('HEAD');
    }
    entry.fallback = fallback;
    return this;
  }

  /** The methods some route answers at this path, and the fallback for a method it has. */
  resolve(path: string, method: string): { allowed: string[]; fallback?: (c: Context) => Response | Promise<Response> } {
    const [found] = this.#lookup.match('ALL', path);
    // `/v1/servers/detail` is GET only, though `/v1/servers/{id}` also matches it.
    const exact = found.filter(([entry]) => entry.exact);
    const matches = exact.length > 0 ? exact : found;
    const all = new Set<string>();
    let fallback: ((c: Context) => Response | Promise<Response>) | undefined;
    for (const [entry, params] of matches) {
      for (const m of entry.methods) all.add(m);
      const f = entry.fallback;
      if (f !== undefined && entry.methods.has(method)) fallback = (c) => f(c, params as Record<string, string>);
    }
    return { allowed: [...all].sort(), fallback };
  }
}
