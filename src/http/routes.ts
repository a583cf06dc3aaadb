import type { Handler, Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { RoutingPaths } from './path.ts';

/**
 * Registers routes on the app and remembers which methods each path answers, so a wrong verb gets
 * 405 with `Allow` from one router lookup rather than a catch-all handler on every route (which
 * would cost every request a middleware chain).
 */
export class RouteTable {
  readonly #app: Hono;
  readonly #paths: RoutingPaths;
  readonly #methods = new Map<string, Set<string>>();
  readonly #allow = new TrieRouter<string>();

  constructor(app: Hono, paths: RoutingPaths) {
    this.#app = app;
    this.#paths = paths;
  }

  on(method: string, path: string, handler: Handler): this {
    let methods = this.#methods.get(path);
    if (methods === undefined) {
      methods = new Set();
      this.#methods.set(path, methods);
      this.#allow.add('ALL', path, path);
      this.#paths.addRoute(path);
    }
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    this.#app.on(method, path, handler);
    return this;
  }

  get(path: string, handler: Handler): this {
    return this.on('GET', path, handler);
  }

  /** The methods some route answers at this path; empty when no route matches it at all. */
  allowed(path: string): string[] {
    const [matches] = this.#allow.match('ALL', path);
    const all = new Set<string>();
    for (const [pattern] of matches) for (const m of this.#methods.get(pattern) ?? []) all.add(m);
    return [...all].sort();
  }
}
