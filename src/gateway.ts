import { Hono, type Context, type Handler, type Next } from 'hono';
import { BUILTIN_EXTENSIONS, durationOf, extensionRoots, policyFileRules, type Config } from './config.ts';
import type { Clock } from './core/clock.ts';
import { compute, seed } from './core/compute.ts';
import { loadModules } from './extension/loader.ts';
import { buildRegistry, type Registry, type VersionView } from './extension/registry.ts';
import { loadVendors } from './extension/vendors.ts';
import { loadPromotions } from './extension/promotions.ts';
import { extensionRoute, preHandlerOf, preSerializationOf, type HookDeps } from './extension/hooks.ts';
import type { HookPoint } from './extension/contract.ts';
import { CORE_CODECS, versionCodecs } from './media/codecs.ts';
import { negotiation } from './media/negotiate.ts';
import { extensionsDiscovery } from './discovery/extensions.ts';
import { versionsDiscovery } from './discovery/versions.ts';
import { vendorsDiscovery } from './discovery/vendors.ts';
import { onError, onNotFound, type Log } from './http/errors.ts';
import { RoutingPaths } from './http/path.ts';
import { bodyReader, commit, encoderCache, readerCache, responder } from './http/pipeline.ts';
import { flow, type FlowParts, type RouteSteps } from './http/flow.ts';
import { RouteTable } from './http/routes.ts';
import { DirectResponses, servingOf, setServing } from './http/direct.ts';
import { OldNameUses } from './http/deprecation.ts';
import { originOf, type Origin } from './http/origin.ts';
import type { MatchedField, Store } from './store/store.ts';
import { badMethod } from './media/fault.ts';
import { addressedAs } from './model/naming.ts';
import { Policy, type PolicyProblem } from './identity/policy.ts';
import { referencedRules } from './identity/policy-language.ts';
import { CORE_RULE_DEFAULTS, CORE_RULES } from './identity/rules.ts';
import { extensionRuleDefaults } from './extension/policies.ts';
import { actionGuard, listGuard, ruleGuard, type Guard } from './identity/guards.ts';
import { noauthIdentity, type NoauthSettings } from './identity/noauth.ts';
import { gatedPrincipal, KeystoneGate } from './identity/gate.ts';
import { KeystoneTokens, type KeystoneSettings } from './identity/keystone.ts';
import { TokenCache } from './identity/token-cache.ts';
import { Health, type BackendProbe } from './ops/health.ts';
import { Metrics } from './ops/metrics.ts';
import type { RequestLine } from './ops/logger.ts';
import { timedHook, timedStore } from './ops/timed.ts';
import { markRoute } from './http/route-label.ts';
import { VERSION } from './version.ts';
import { MemoryRateLimiter, RateLimits, type RateLimit, type RateLimiter } from './ops/rate-limits.ts';
import { callerKey, limitsDocument, rateLimiting } from './ops/rate-limiting.ts';
import type { Principal } from './identity/principal.ts';

/** Where load balancers probe (oslo.middleware's path); answered without a token. */
const HEALTHCHECK = '/healthcheck';
/** Where Prometheus scrapes; answered without a token, as the health check. */
const METRICS = '/metrics';

/** Loads the extension modules the configuration names and builds the registry from them. */
export const loadRegistry = async (config: Config): Promise<Registry> => {
  const { modules, problems, skipped } = await loadModules({
    roots: extensionRoots(config),
    builtin: config.extensions.builtin ? BUILTIN_EXTENSIONS : undefined,
    enable: config.extensions.enable,
    disable: config.extensions.disable,
  });
  return buildRegistry(modules, {
    versions: config.versions,
    vendors: loadVendors(config.vendors),
    onInvalid: config.extensions.onInvalid,
    problems,
    durations: durationOf(config),
    promotions: loadPromotions(config.promotions, config.builtinPromotions),
    absent: skipped,
  });
};

export interface GatewayOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log?: Log;
  /** Where the listener logs each request when its answer is done (one JSON line, in main). */
  readonly requestLog?: (line: RequestLine) => void;
  readonly maxBodyBytes?: number;
  /** Where uses of promoted extensions' old names are counted (and logged, once a minute per name). */
  readonly oldNames?: OldNameUses;
  /** Where links point: the configured public URL, else the request's (see http/origin.ts). */
  readonly publicUrl?: string;
  readonly trustProxy?: boolean;
  /** Who requests act for: noauth's configured caller (the default), or a Keystone token's. */
  readonly auth?: AuthOptions;
  /** Prometheus metrics at /metrics (default on). */
  readonly metrics?: boolean;
  /** Policy rules over the defaults, by name (a policy file's content), and where they came from. */
  readonly policyRules?: Readonly<Record<string, string>>;
  readonly policySource?: string;
  /** Rate limits per caller (none: off). */
  readonly rateLimits?: readonly RateLimit[];
  /** Where their buckets are kept (default: this process's memory). */
  readonly rateLimiter?: RateLimiter;
  /** The health check and metrics are served on a listener of their own (adminApp), not by this app. */
  readonly adminApart?: boolean;
}

export type AuthOptions =
  | ({ readonly strategy: 'noauth' } & NoauthSettings)
  | {
      readonly strategy: 'keystone';
      readonly keystone: KeystoneSettings & { readonly publicUrl?: string };
      readonly cacheSeconds: number;
      readonly cacheEntries: number;
      readonly cacheBytes?: number;
    };

export const NOAUTH: AuthOptions = { strategy: 'noauth', project: 'openstack', user: 'extgate', roles: ['admin', 'member', 'reader'] };

/** Rules a policy file sets that no route checks and no rule refers to. */
const unusedRules = (defaults: readonly { name: string }[], overrides: Readonly<Record<string, string>> = {}): string[] => {
  const known = new Set(defaults.map((d) => d.name));
  const referenced = new Set(Object.values(overrides).flatMap(referencedRules));
  return Object.keys(overrides).filter((name) => !known.has(name) && !referenced.has(name));
};

/** The policy rules in force are wrong (a policy file, or extensions' declarations together). */
export class PolicyError extends Error {
  constructor(readonly problems: readonly PolicyProblem[]) {
    super(`invalid policy:\n${problems.map((p) => `  ${p.source}: rule "${p.rule}" ${p.message}`).join('\n')}`);
  }
}

/** What the configuration decides of a gateway's behaviour (the rest is the caller's: store, clock, log). */
export const configuredOptions = (config: Config): Pick<GatewayOptions, 'maxBodyBytes' | 'publicUrl' | 'trustProxy' | 'auth' | 'policyRules' | 'policySource' | 'metrics' | 'rateLimits' | 'adminApart'> => ({
  metrics: config.metrics,
  adminApart: config.admin !== undefined,
  rateLimits: config.rateLimits,
  maxBodyBytes: config.maxBodyBytes,
  publicUrl: config.publicUrl,
  trustProxy: config.trustProxy,
  auth: config.auth as AuthOptions,
  policyRules: policyFileRules(config.auth.policy),
  policySource: config.auth.policy,
});

/**
 * Readies the store for the registry: indexes for the extension fields its parameters match (the
 * core's have theirs from the migrations), and the configured flavors and images (with each
 * version's defaults).
 */
export const seedStore = async (registry: Registry, config: Config, store: Store, clock: Clock): Promise<void> => {
  const matched = new Map<string, MatchedField>();
  for (const v of registry.versions) {
    for (const byName of Object.values(v.model.parameters)) {
      // The core's fields (`imageId`) are indexed by the migrations.
      for (const { matched: m } of byName.values()) if (m?.key.includes(':')) matched.set(m.key, m as MatchedField);
    }
  }
  await store.indexFields([...matched.values()]);
  for (const v of registry.versions) await seed(store, v.model, clock, config);
};

/**
 * The Hono app for one registry. Routes are data-driven: one set per API version, each route
 * wired once with the stages of its flow and the hooks of the extensions that touch it. The
 * tenant-scoped form (`/v1/{tenant_id}/...`) reaches the same routes (see http/path.ts).
 */
export const createGateway = (registry: Registry, opts: GatewayOptions): Hono => {
  const paths = new RoutingPaths();
  const app = new Hono({ getPath: paths.routingPath });
  const routes = new RouteTable(app, paths);
  const origin = originOf(opts);
  const versions = versionsDiscovery(registry, CORE_CODECS, origin);
  const direct = new DirectResponses();
  const log = opts.log ?? ((m: string) => console.error(m));
  const oldNames = opts.oldNames ?? new OldNameUses(log, () => opts.clock.now());
  const defaults = [...CORE_RULE_DEFAULTS, ...extensionRuleDefaults(registry.extensions)];
  const built = Policy.build(defaults, opts.policyRules, opts.policySource);
  if (built.policy === undefined) throw new PolicyError(built.problems);
  const policy = built.policy;
  for (const name of unusedRules(defaults, opts.policyRules)) log(`policy: ${opts.policySource ?? 'the policy file'} sets "${name}", which nothing checks or refers to (misspelt, or an extension not loaded?)`);
  const auth = opts.auth ?? NOAUTH;
  let gate: KeystoneGate | undefined;
  let identify: (c: Context) => Principal;
  if (auth.strategy === 'keystone') {
    const k = auth.keystone;
    gate = new KeystoneGate({
      tokens: new KeystoneTokens(k),
      cache: new TokenCache({ ttlMs: auth.cacheSeconds * 1000, maxEntries: auth.cacheEntries, maxBytes: auth.cacheBytes ?? 16 * 1024 * 1024 }),
      policy,
      authUrl: k.publicUrl ?? k.url,
      routingPath: paths.routingPath,
      public: new Set(['/', HEALTHCHECK, METRICS, ...registry.versions.map((v) => `/${v.version.id}`)]),
      log,
    });
    identify = gatedPrincipal;
  } else identify = noauthIdentity(auth, (who) => policy.isAdmin(who));

  // Counted before any route runs (and so ahead of the documents otherwise answered before Hono).
  const limits = new RateLimits(opts.rateLimits ?? []);
  const caller = callerKey(auth.strategy, opts.trustProxy === true);
  const limiter = limits.enabled ? (opts.rateLimiter ?? opts.store.sharedRateLimiter?.(limits.limits) ?? new MemoryRateLimiter(limits.limits)) : undefined;
  if (limiter !== undefined) app.use('*', rateLimiting(limits, limiter, caller, opts.clock));

  const metrics = opts.metrics === false ? undefined : new Metrics(registry.extensions.map((e) => ({ alias: e.alias, vendor: e.alias.slice(0, e.alias.indexOf('-')) })), () => gate?.cacheStats);
  if (metrics !== undefined) oldNames.listen((alias, name) => metrics.oldName(alias, name));
  const wired: GatewayOptions = metrics === undefined ? opts : { ...opts, store: timedStore(opts.store, metrics) };

  routes.get('/', versions.list);
  for (const view of registry.versions) {
    const v = `/${view.version.id}`;
    routes.get(v, versions.show(view.version));
    const extensions = extensionsDiscovery(view, versionCodecs(view.version.id), origin, opts.publicUrl);
    routes.get(`${v}/extensions`, extensions.list);
    for (const alias of extensions.aliases) routes.get(`${v}/extensions/${alias}`, extensions.showOne(alias), `${v}/extensions/{alias}`);
    routes.fallback(`${v}/extensions/:alias`, ['GET'], extensions.showMissing);
    routes.get(`${v}/vendors`, vendorsDiscovery(registry.vendors, versionCodecs(view.version.id)));
    routes.get(`${v}/limits`, limitsDocument(limits, limiter, caller, versionCodecs(view.version.id), opts.clock));
    for (const [path, rendered] of extensions.documents) direct.add(`${v}${path}`, extensions.negotiate, rendered, path === '/extensions' ? undefined : `${v}/extensions/{alias}`);
    wireCompute(routes, view, wired, oldNames, origin, { identify, policy }, metrics);
  }

  const probes: BackendProbe[] = [{ name: 'store', optional: false, check: () => opts.store.check() }];
  if (gate !== undefined) probes.push({ name: 'identity', optional: true, check: () => gate.tokens.check() });
  const health = new Health(probes, VERSION, gate === undefined ? ['identity'] : []);
  if (opts.adminApart !== true) {
    routes.get(HEALTHCHECK, health.handler);
    if (metrics !== undefined) routes.get(METRICS, metrics.handler);
  }

  app.notFound(onNotFound(routes, registry));
  app.onError(onError(log));
  setServing(app, { direct: limiter === undefined ? direct : undefined, maxBodyBytes: opts.maxBodyBytes ?? 1_048_576, admit: gate?.admits, health, metrics, requestLog: opts.requestLog });
  answerHeadAsGet(app);
  gate?.install(app);
  return app;
};

/** The health check and metrics of a gateway, on their own (`admin` in the configuration). */
export const adminApp = (gateway: Hono): Hono => {
  const { health, metrics } = servingOf(gateway);
  const admin = new Hono();
  if (health !== undefined) admin.get(HEALTHCHECK, health.handler);
  if (metrics !== undefined) admin.get(METRICS, metrics.handler);
  return admin;
};

/**
 * HEAD is answered as GET would be, without the body but with the Content-Length GET's would have
 * (Hono answers HEAD through GET's handler and drops the length with the body). Only HEAD pays.
 */
const answerHeadAsGet = (app: Hono): void => {
  const fetch = app.fetch;
  app.fetch = async (request, env, ctx) => {
    if (request.method !== 'HEAD') return fetch(request, env, ctx);
    const res = await fetch(new Request(request, { method: 'GET' }), env, ctx);
    const length = (await res.arrayBuffer()).byteLength;
    const headers = new Headers(res.headers);
    if (res.status !== 204 && res.status !== 304) headers.set('Content-Length', String(length));
    return new Response(null, { status: res.status, headers });
  };
};

const wireCompute = (routes: RouteTable, view: VersionView, opts: GatewayOptions, oldNames: OldNameUses, origin: Origin, who: Pick<FlowParts, 'identify' | 'policy'>, metrics: Metrics | undefined): void => {
  const { model, naming } = view;
  const v = `/${view.version.id}`;
  const readers = readerCache(naming);
  const deps: HookDeps = { model, naming, clock: opts.clock, store: opts.store, version: view.version.id, readers, origin };
  const codecs = versionCodecs(view.version.id);
  const encoders = encoderCache(naming);
  const edge = { version: view.version.id, naming, uses: oldNames, headers: model.oldHeaders, origin };
  const respond = responder(codecs, negotiation(codecs), encoders, edge);
  // Reads of a collection also speak the media types extensions add to it (RAX-ATOM).
  const respondFor = (kind: 'servers' | 'images' | 'flavors') => {
    const all = [...codecs, ...model.codecs[kind]];
    return all.length === codecs.length ? respond : responder(all, negotiation(all), encoders, edge);
  };
  const maxBytes = opts.maxBodyBytes ?? 1_048_576;
  const read = bodyReader({ codecs, naming, maxBytes });
  const phases = (point: HookPoint | undefined) => {
    const hooks = point === undefined ? [] : (model.hooks.get(point) ?? []);
    const timed = <F extends (...a: never[]) => void | Promise<void>>(f: F | undefined, owner: string, phase: string): F[] =>
      f === undefined ? [] : [metrics === undefined ? f : (timedHook(metrics, owner, `${point}:${phase}`, f) as unknown as F)];
    return {
      preHandler: hooks.flatMap((h) => timed(preHandlerOf(h, deps), h.owner, 'preHandler')),
      preSerialization: hooks.flatMap((h) => timed(preSerializationOf(h, deps), h.owner, 'preSerialization')),
    };
  };
  const api = compute({ store: opts.store, clock: opts.clock, model, naming, version: view.version.id, readers, origin });

  /** One route's handler: its steps in the flow, with the body, unit of work and hooks its method and route call for. */
  const handlerOf = (method: string, point: HookPoint | undefined, steps: RouteSteps, parts: { read?: FlowParts['read']; responder?: FlowParts['responder']; authorize?: Guard; owner?: string } = {}): Handler =>
    flow(steps, {
      ...who,
      authorize: parts.authorize,
      extensions: [...new Set([...(parts.owner === undefined ? [] : [parts.owner]), ...(point === undefined ? [] : (model.hooks.get(point) ?? []).map((h) => h.owner))])],
      responder: parts.responder ?? respond,
      read: method === 'POST' || method === 'PUT' || method === 'PATCH' ? (parts.read ?? read) : undefined,
      store: method === 'GET' ? undefined : opts.store,
      commit,
      ...phases(point),
    });
  const add = (method: string, path: string, point: HookPoint | undefined, steps: RouteSteps, parts?: Parameters<typeof handlerOf>[3]) => {
    const handler = handlerOf(method, point, steps, parts);
    const item = /^\/(servers|images|flavors)\/:([a-z_]+)$/.exec(path);
    if (item === null || method === 'GET') return routes.on(method, `${v}${path}`, handler);
    // `/{kind}/detail` reaches this route too, and is a resource that only answers GET: refused before anything runs.
    return routes.on(method, `${v}${path}`, ((c: Context, next: Next) => {
      if (c.req.param(item[2]!) === 'detail') throw badMethod(['GET', 'HEAD', 'OPTIONS']);
      return handler(c, next);
    }) as Handler);
  };

  // One parameter name per position (`server_id`, as extension paths spell it too), and
  // `/{kind}/detail` served by the `/{kind}/{id}` route: Hono's RegExpRouter (its fastest)
  // refuses a static segment beside a parameter, and would fall back to the TrieRouter.
  for (const kind of ['servers', 'images', 'flavors'] as const) {
    const responder = respondFor(kind);
    // Servers are a project's; anyone authenticated reads flavors and the images they can see.
    const servers = kind === 'servers';
    const idName = `${kind.slice(0, -1)}_id`;
    add('GET', `/${kind}`, `${kind}.list`, api.list(kind, false), { responder, authorize: servers ? listGuard(CORE_RULES.serversIndex, CORE_RULES.serversIndexAllTenants) : undefined });
    const detail = handlerOf('GET', `${kind}.detail`, api.list(kind, true), { responder, authorize: servers ? listGuard(CORE_RULES.serversDetail, CORE_RULES.serversDetailAllTenants) : undefined });
    const show = handlerOf('GET', `${kind}.show`, api.show(kind), { responder, authorize: servers ? ruleGuard(CORE_RULES.serversShow) : undefined });
    const detailTemplate = `${v}/${kind}/detail`;
    routes.on('GET', `${v}/${kind}/:${idName}`, ((c: Context, next: Next) => {
      if (c.req.param(idName) !== 'detail') return show(c, next);
      markRoute(c, detailTemplate);
      return detail(c, next);
    }) as Handler);
    routes.servedBy('GET', `${v}/${kind}/detail`);
  }
  add('POST', '/servers', 'servers.create', api.createServer, { authorize: ruleGuard(CORE_RULES.serversCreate) });
  add('PUT', '/servers/:server_id', 'servers.update', api.updateServer, { authorize: ruleGuard(CORE_RULES.serversUpdate) });
  add('DELETE', '/servers/:server_id', 'servers.delete', api.deleteServer, { authorize: ruleGuard(CORE_RULES.serversDelete) });
  add('POST', '/servers/:server_id/action', 'servers.action', api.action, { authorize: actionGuard });
  add('DELETE', '/images/:image_id', 'images.delete', api.deleteImage, { authorize: ruleGuard(CORE_RULES.imagesDelete) });
  for (const r of model.routes) {
    const extra = new Map((r.jsonTypes ?? []).map((t) => [t, CORE_CODECS[0]!]));
    // A route at an old alias whose names are still written answers the extension's own documents in that alias's spelling.
    add(r.method, r.honoPath, undefined, extensionRoute(r, deps), {
      authorize: ruleGuard(r.rule),
      owner: r.owner,
      read: extra.size === 0 ? read : bodyReader({ codecs, naming, maxBytes, extra }),
      responder: r.old?.mode === 'both' ? responder(codecs, negotiation(codecs), encoderCache(addressedAs(naming, r.owner, r.old)), edge) : respond,
    });
  }
};
