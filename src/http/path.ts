import { getPath } from 'hono/utils/url';
import { getOrMake } from '../memo.ts';

/**
 * Routing sees a normalised path, computed before the router runs:
 * - no trailing slash: `/v1/` is `/v1`;
 * - no format suffix: `/v1/extensions.xml` routes as `/v1/extensions` (negotiation reads the
 *   suffix from the URL);
 * - no tenant: `/v1/{tenant_id}/extensions` routes as `/v1/extensions`. A segment after the
 *   version that names no top-level resource of that version is a tenant. This keeps the route
 *   set free of ambiguous patterns, so Hono can use its fastest router (RegExpRouter).
 */
export class RoutingPaths {
  readonly #topLevel = new Map<string, Set<string>>();

  /** Records `/{version}/{name}/...` as a route: `name` is then never read as a tenant. */
  addRoute(path: string): void {
    const [, version, name] = path.split('/');
    if (version === undefined || name === undefined || name.startsWith(':')) return;
    getOrMake(this.#topLevel, version, () => new Set<string>()).add(name);
  }

  readonly routingPath = (request: Request): string => {
    let path = getPath(request);
    if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
    const suffix = formatSuffix(path);
    if (suffix !== undefined) path = path.slice(0, path.length - suffix.length - 1);
    return this.#withoutTenant(path);
  };

  #withoutTenant(path: string): string {
    const a = path.indexOf('/', 1);
    if (a === -1) return path;
    const names = this.#topLevel.get(path.slice(1, a));
    if (names === undefined) return path;
    const b = path.indexOf('/', a + 1);
    if (b === -1 || names.has(path.slice(a + 1, b))) return path;
    return path.slice(0, a) + path.slice(b);
  }
}

/** The format suffix of the request path (`json`, `xml`), if any. Runs on every request: no regex. */
export const formatSuffix = (url: string): string | undefined => {
  const q = url.indexOf('?');
  let end = q === -1 ? url.length : q;
  if (url.charCodeAt(end - 1) === 47) end--;
  const last = url.charCodeAt(end - 1);
  if (last === 110 && url.endsWith('.json', end)) return 'json';
  if (last === 108 && url.endsWith('.xml', end)) return 'xml';
  return undefined;
};
