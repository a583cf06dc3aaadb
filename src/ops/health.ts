import type { Context } from 'hono';
import { requestHeader } from '../http/request.ts';

/**
 * `GET /healthcheck`, oslo.middleware's convention that load balancers and deployment tools probe:
 * `200 OK`, or `503` with the reason, in plain text; with `Accept: application/json`, the detail
 * in the registry API's shape. Unhealthy when a required backend (the store) fails or the process
 * is draining on shutdown; degraded when an optional one (Keystone, while cached tokens still
 * serve) does.
 */
export interface BackendProbe {
  readonly name: string;
  /** Whether the gateway can still serve without it. */
  readonly optional: boolean;
  /** Throws (or rejects) with what is wrong. */
  check(): Promise<void>;
}

export interface BackendHealth {
  readonly enabled: boolean;
  readonly healthy: boolean;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'healthy' | 'degraded' | 'unhealthy';
  readonly version: string;
  readonly uptime: number;
  readonly draining?: boolean;
  readonly backends: Record<string, BackendHealth>;
}

export class Health {
  #draining = false;
  readonly #probes: readonly BackendProbe[];
  readonly #disabled: readonly string[];
  readonly #version: string;
  readonly #started = Date.now();

  /** `disabled`: backends this deployment does not use (identity under noauth), reported as such. */
  constructor(probes: readonly BackendProbe[], version: string, disabled: readonly string[] = []) {
    this.#probes = probes;
    this.#disabled = disabled;
    this.#version = version;
  }

  /** From now on, unhealthy: a load balancer stops sending before the process stops listening. */
  drain(): void {
    this.#draining = true;
  }

  async report(): Promise<HealthReport> {
    const backends: Record<string, BackendHealth> = {};
    let required = true;
    let optional = true;
    await Promise.all(this.#probes.map(async (p) => {
      try {
        await p.check();
        backends[p.name] = { enabled: true, healthy: true };
      } catch (err) {
        backends[p.name] = { enabled: true, healthy: false, error: err instanceof Error ? err.message : String(err) };
        if (p.optional) optional = false;
        else required = false;
      }
    }));
    for (const name of this.#disabled) backends[name] = { enabled: false, healthy: true };
    const status = !required || this.#draining ? 'unhealthy' : optional ? 'healthy' : 'degraded';
    return { status, version: this.#version, uptime: Math.floor((Date.now() - this.#started) / 1000), ...(this.#draining ? { draining: true } : {}), backends };
  }

  readonly handler = async (c: Context): Promise<Response> => {
    const report = await this.report();
    const code = report.status === 'unhealthy' ? 503 : 200;
    const headers = { 'Cache-Control': 'no-store', Vary: 'Accept' };
    if (/\bapplication\/json\b/.test(requestHeader(c, 'accept') ?? '')) return c.json(report, code, headers);
    const why = report.draining ? 'DRAINING' : Object.entries(report.backends).filter(([, b]) => !b.healthy).map(([n, b]) => `${n}: ${b.error}`).join('; ');
    return c.text(code === 200 ? 'OK' : `UNHEALTHY ${why}`, code, headers);
  };
}
