import type { Registry } from 'prom-client';
import { getOrMake } from '../memo.ts';

/**
 * Counters and histograms counted in plain numbers on the hot path and handed to prom-client at
 * each scrape (registerMetric with `get`), which prints them in its format, the one promtool
 * checks. prom-client's own `inc` and `observe` convert, validate and hash their labels at every
 * call, even on a child found once with `labels()`: 1-2 us each, and an item read observes its
 * store read and each extension hook that ran. Here a series is found once (by its caller, or
 * by a map lookup) and counting it is a few additions.
 */
type Labels = Record<string, string>;
type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

const register = (registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]): void => {
  registry.registerMetric({ name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }), reset: () => undefined } as never);
};

export interface CounterSeries {
  readonly labels: Labels;
  count: number;
}

/** The series of a family, one per label set: asked for again, the same one. */
class Family<S extends { labels: Labels }> {
  readonly #series = new Map<string, S>();

  constructor(readonly make: (labels: Labels) => S) {}

  get all(): IterableIterator<S> {
    return this.#series.values();
  }

  series(labels: Labels): S {
    return getOrMake(this.#series, Object.entries(labels).join('\0'), () => this.make(labels));
  }
}

/** Count on a series found once: `series.count++`. */
export class CounterFamily extends Family<CounterSeries> {
  constructor(registry: Registry, name: string, help: string) {
    super((labels) => ({ labels, count: 0 }));
    register(registry, name, help, 'counter', () => [...this.all].map((s) => ({ value: s.count, labels: s.labels })));
  }
}

export class HistogramSeries {
  readonly buckets: Float64Array;
  count = 0;
  sum = 0;

  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.count++;
    this.sum += value;
    // Cumulative buckets, as Prometheus reads them: every bound at or above the value.
    for (let i = this.bounds.length - 1; i >= 0 && value <= this.bounds[i]!; i--) this.buckets[i]!++;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  constructor(registry: Registry, name: string, help: string, bounds: readonly number[]) {
    super((labels) => new HistogramSeries(labels, bounds));
    register(registry, name, help, 'histogram', () =>
      [...this.all].flatMap((s) => [
        ...bounds.map((le, i) => ({ value: s.buckets[i]!, labels: { ...s.labels, le }, metricName: `${name}_bucket` })),
        { value: s.count, labels: { ...s.labels, le: '+Inf' }, metricName: `${name}_bucket` },
        { value: s.sum, labels: s.labels, metricName: `${name}_sum` },
        { value: s.count, labels: s.labels, metricName: `${name}_count` },
      ]),
    );
  }
}
