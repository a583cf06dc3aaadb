import type { Registry } from 'prom-client';
import { versionOfRoute } from '../http/route-label.ts';
import { getOrMake } from '../memo.ts';
import { CounterFamily, type CounterSeries, HistogramFamily, type HistogramSeries } from './series.ts';

/** Seconds to answer a request: half a millisecond to ten seconds. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const classOf = (status: number): string => (status < 200 ? '1xx' : status < 300 ? '2xx' : status < 400 ? '3xx' : status < 500 ? '4xx' : '5xx');

/** What one method, route and status count on: found the first time, then one map lookup. */
interface Outcome {
  readonly requests: CounterSeries;
  readonly time: HistogramSeries;
  readonly fault?: CounterSeries;
}

/** The per-request metrics (see series.ts for why they are not prom-client's own). */
export class RequestMetrics {
  readonly #requests: CounterFamily;
  readonly #times: HistogramFamily;
  readonly #faults: CounterFamily;
  /** By route, then method and status: strings the gateway already holds, no key made per request. */
  readonly #outcomes = new Map<string, Map<string, Map<number, Outcome>>>();

  constructor(registry: Registry) {
    this.#requests = new CounterFamily(registry, 'http_requests_total', 'Requests answered, by method, route template, status and API version');
    this.#times = new HistogramFamily(registry, 'http_request_duration_seconds', 'Time to answer, from the request to the last byte', DURATION_BUCKETS);
    this.#faults = new CounterFamily(registry, 'extgate_faults_total', 'Fault answers, by status code');
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const byMethod = getOrMake(this.#outcomes, route, () => new Map<string, Map<number, Outcome>>());
    const byStatus = getOrMake(byMethod, method, () => new Map<number, Outcome>());
    let o = byStatus.get(status);
    if (o === undefined) {
      const version = versionOfRoute(route);
      o = {
        requests: this.#requests.series({ method, route, status: String(status), version }),
        time: this.#times.series({ method, route, status_class: classOf(status), version }),
        ...(status >= 400 ? { fault: this.#faults.series({ code: String(status) }) } : {}),
      };
      byStatus.set(status, o);
    }
    o.requests.count++;
    o.time.observe(seconds);
    if (o.fault !== undefined) o.fault.count++;
  }
}
