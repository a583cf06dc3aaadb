import { Hono } from 'hono';
import { extensionRoots, type Config } from './config.ts';
import { loadModules } from './extension/loader.ts';
import { buildRegistry, type Registry } from './extension/registry.ts';
import { loadVendors } from './extension/vendors.ts';
import { CORE_CODECS } from './media/codecs.ts';
import { extensionsDiscovery } from './discovery/extensions.ts';
import { versionsDiscovery } from './discovery/versions.ts';
import { onError, onNotFound, type Log } from './http/errors.ts';
import { RoutingPaths } from './http/path.ts';
import { RouteTable } from './http/routes.ts';

/** Loads the extension modules the configuration names and builds the registry from them. */
export const loadRegistry = async (config: Config): Promise<Registry> => {
  const { modules, problems } = await loadModules({
    roots: extensionRoots(config),
    enable: config.extensions.enable,
    disable: config.extensions.disable,
  });
  return buildRegistry(modules, {
    versions: config.versions,
    vendors: loadVendors(config.vendors),
    onInvalid: config.extensions.onInvalid,
    problems,
  });
};

export interface GatewayOptions {
  readonly log?: Log;
}

/**
 * The Hono app for one registry. Routes are data-driven: one set per API version. The
 * tenant-scoped form (`/v1/{tenant_id}/...`) reaches the same routes (see http/path.ts).
 */
export const createGateway = (registry: Registry, opts: GatewayOptions = {}): Hono => {
  const paths = new RoutingPaths();
  const app = new Hono({ getPath: paths.routingPath });
  const routes = new RouteTable(app, paths);
  const versions = versionsDiscovery(registry, CORE_CODECS);

  routes.get('/', versions.list);
  for (const view of registry.versions) {
    const v = `/${view.version.id}`;
    routes.get(v, versions.show(view.version));
    const extensions = extensionsDiscovery(view, CORE_CODECS);
    routes.get(`${v}/extensions`, extensions.list);
    for (const alias of extensions.aliases) routes.get(`${v}/extensions/${alias}`, extensions.showOne(alias));
    routes.fallback(`${v}/extensions/:alias`, ['GET'], extensions.showMissing);
  }

  app.notFound(onNotFound(routes, registry));
  app.onError(onError(opts.log ?? ((m) => console.error(m))));
  return app;
};
