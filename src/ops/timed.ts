import type { Store, UnitOfWork } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/**
 * Timing for metrics, put around the store and the extension hooks only when metrics are on: a
 * gateway without them runs exactly the code it ran before.
 */
const seconds = (start: number): number => (performance.now() - start) / 1000;

const timedCall = async <T>(metrics: Metrics, operation: string, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  try {
    return await run();
  } finally {
    metrics.store(operation, seconds(start));
  }
};

export const timedStore = (store: Store, metrics: Metrics): Store => ({
  get: (kind, id) => timedCall(metrics, 'get', () => store.get(kind, id)),
  list: (kind, opts) => timedCall(metrics, 'list', () => store.list(kind, opts)),
  begin: (): UnitOfWork => {
    const work = store.begin();
    return {
      insert: (kind, id, doc, project) => work.insert(kind, id, doc, project),
      update: (kind, id, version, doc) => work.update(kind, id, version, doc),
      delete: (kind, id, version) => work.delete(kind, id, version),
      get empty() {
        return work.empty;
      },
      commit: () => timedCall(metrics, 'commit', () => work.commit()),
    };
  },
  check: () => store.check(),
  close: () => store.close(),
});

/** An extension hook, timed under its extension's alias and `servers.show:preSerialization`. */
export const timedHook = <A extends unknown[]>(metrics: Metrics, alias: string, hook: string, run: (...args: A) => void | Promise<void>) =>
  async (...args: A): Promise<void> => {
    const start = performance.now();
    try {
      await run(...args);
    } finally {
      metrics.hook(alias, hook, seconds(start));
    }
  };
