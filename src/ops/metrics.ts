import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Context } from 'hono';
import { RequestMetrics } from './request-metrics.ts';
import { HistogramFamily } from './series.ts';

/**
 * What Prometheus scrapes at `GET /metrics` (prom-client, its own registry per gateway): requests
 * by route template (never a raw path: ids would make the label set unbounded), their durations,
 * requests in flight, faults by status, the extensions loaded, extension hook and store durations,
 * uses of old names after a promotion (what tells an operator when an old name can go), the token
 * cache, and the process's own metrics.
 */
const FAST = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1];

/** A counter that mirrors a number kept elsewhere (the token cache's hits), read at each scrape. */
const mirrored = (registry: Registry, name: string, help: string, read: () => number | undefined): void => {
  let seen = 0;
  new Counter({
    name, help, registers: [registry],
    collect() {
      const now = read() ?? 0;
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
};

/** The process's own metrics (CPU, memory, event loop, GC), collected once whatever the number of gateways. */
let processRegistry: Registry | undefined;
const processMetrics = (): Registry => {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // Gauges with a counter's suffix, which promtool refuses; the same figures are in
    // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources, by type.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
};

export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new RequestMetrics(this.registry);
  #inFlight = 0;
  readonly #hooks = new HistogramFamily(this.registry, 'extgate_extension_hook_duration_seconds', 'Time an extension hook took, by extension and hook', FAST);
  readonly #store = new HistogramFamily(this.registry, 'extgate_store_operation_duration_seconds', 'Time a store operation took', FAST);
  readonly #oldNames = new Counter({ name: 'extgate_deprecated_name_uses_total', help: 'Requests that used an old name of a promoted extension', labelNames: ['alias', 'name', 'kind'] as const, registers: [this.registry] });

  constructor(extensions: readonly { alias: string; vendor: string }[], tokenCache?: () => { hits: number; misses: number } | undefined) {
    const inFlight = () => this.#inFlight;
    new Gauge({ name: 'http_requests_in_flight', help: 'Requests being answered', registers: [this.registry], collect() { this.set(inFlight()); } });
    const loaded = new Gauge({ name: 'extgate_extensions', help: 'Extensions loaded (1 each), by alias and vendor prefix', labelNames: ['alias', 'vendor'] as const, registers: [this.registry] });
    for (const e of extensions) loaded.set({ alias: e.alias, vendor: e.vendor }, 1);
    new Gauge({ name: 'extgate_extensions_loaded', help: 'How many extensions are loaded (a gauge: promtool refuses _total on one)', registers: [this.registry] }).set(extensions.length);
    mirrored(this.registry, 'extgate_token_cache_hits_total', 'Requests whose Keystone token was in the cache', () => tokenCache?.()?.hits);
    mirrored(this.registry, 'extgate_token_cache_misses_total', 'Requests whose Keystone token had to be validated', () => tokenCache?.()?.misses);
  }

  /** A request in flight (one the listener does not answer within its own call), until finished(). */
  started(): void {
    this.#inFlight++;
  }

  finished(): void {
    this.#inFlight--;
  }

  /** One answered request; `route` is its template (`/v1/servers/{server_id}`), `(none)` when no route took it. */
  answered(method: string, route: string, status: number, seconds: number): void {
    this.#requests.record(method, route, status, seconds);
  }

  /** Where one extension hook's durations go: its labelled series, found once when the route is wired. */
  hookTimer(alias: string, hook: string): (seconds: number) => void {
    const series = this.#hooks.series({ alias, hook });
    return (seconds) => series.observe(seconds);
  }

  /** Where one store operation's durations go, found once. */
  storeTimer(operation: string): (seconds: number) => void {
    const series = this.#store.series({ operation });
    return (seconds) => series.observe(seconds);
  }

  oldName(alias: string, name: string): void {
    const kind = /^[A-Z]+ \//.test(name) ? 'route' : name.startsWith('ext=') ? 'media type' : name.includes(':') ? 'name' : 'header';
    this.#oldNames.inc({ alias, name, kind });
  }

  /** `GET /metrics`: the Prometheus text format. */
  readonly handler = async (c: Context): Promise<Response> => {
    const all = Registry.merge([this.registry, processMetrics()]);
    return c.body(await all.metrics(), 200, { 'Content-Type': this.registry.contentType, 'Cache-Control': 'no-store' });
  };
}
