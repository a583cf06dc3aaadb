import type { Registry } from 'prom-client';

/**
 * The per-request metrics, counted in plain numbers and handed to prom-client at each scrape:
 * prom-client's own `inc` and `observe` hash their labels on every call, three microseconds a
 * request (a tenth of a small read); here a request costs a map lookup and a few additions. The
 * output is prom-client's (registerMetric with `get`), in its format, which promtool accepts.
 */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  readonly labels: Record<string, string>;
  count: number;
}

interface TimeSeries {
  readonly labels: Record<string, string>;
  readonly buckets: Float64Array;
  count: number;
  sum: number;
}

const versionOf = (route: string): string => /^\/(v\d+(?:\.\d+)?)(?:\/|$)/.exec(route)?.[1] ?? '';

type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

export class RequestMetrics {
  readonly #requests = new Map<string, Series>();
  readonly #times = new Map<string, TimeSeries>();
  readonly #faults = new Map<number, Series>();

  constructor(registry: Registry) {
    const metric = (name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]) =>
      registry.registerMetric({ name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }), reset: () => undefined } as never);
    metric('http_requests_total', 'Requests answered, by method, route template, status and API version', 'counter', () => [...this.#requests.values()].map((s) => ({ value: s.count, labels: s.labels })));
    metric('http_request_duration_seconds', 'Time to answer, from the request to the last byte', 'histogram', () => [...this.#times.values()].flatMap((t) => [
      ...DURATION_BUCKETS.map((le, i) => ({ value: t.buckets[i]!, labels: { ...t.labels, le }, metricName: 'http_request_duration_seconds_bucket' })),
      { value: t.count, labels: { ...t.labels, le: '+Inf' }, metricName: 'http_request_duration_seconds_bucket' },
      { value: t.sum, labels: t.labels, metricName: 'http_request_duration_seconds_sum' },
      { value: t.count, labels: t.labels, metricName: 'http_request_duration_seconds_count' },
    ]));
    metric('extgate_faults_total', 'Fault answers, by status code', 'counter', () => [...this.#faults.values()].map((s) => ({ value: s.count, labels: s.labels })));
  }

  /** No closure or object is made for a series already seen: this runs on every request. */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let r = this.#requests.get(key);
    if (r === undefined) {
      r = { labels: { method, route, status: String(status), version: versionOf(route) }, count: 0 };
      this.#requests.set(key, r);
    }
    r.count++;
    const cls = status < 200 ? '1xx' : status < 300 ? '2xx' : status < 400 ? '3xx' : status < 500 ? '4xx' : '5xx';
    const timeKey = `${method} ${route} ${cls}`;
    let t = this.#times.get(timeKey);
    if (t === undefined) {
      t = { labels: { method, route, status_class: cls, version: versionOf(route) }, buckets: new Float64Array(DURATION_BUCKETS.length), count: 0, sum: 0 };
      this.#times.set(timeKey, t);
    }
    t.count++;
    t.sum += seconds;
    // Cumulative buckets, as Prometheus reads them: every bound at or above the time.
    for (let i = DURATION_BUCKETS.length - 1; i >= 0 && seconds <= DURATION_BUCKETS[i]!; i--) t.buckets[i]!++;
    if (status >= 400) {
      let f = this.#faults.get(status);
      if (f === undefined) {
        f = { labels: { code: String(status) }, count: 0 };
        this.#faults.set(status, f);
      }
      f.count++;
    }
  }
}
