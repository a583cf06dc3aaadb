import type { Store, UnitOfWork } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/**
 * Timing for metrics, put around the store and the extension hooks only when metrics are on: a
 * gateway without them runs exactly the code it ran before. Each series is looked up once, when
 * the gateway is wired (a labelled observe hashed its labels on every call), and a hook that
 * returns no promise is timed without becoming one.
 */
const seconds = (start: number): number => (performance.now() - start) / 1000;

const timedCall = <T>(record: (s: number) => void, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  return run().then(
    (value) => {
      record(seconds(start));
      return value;
    },
    (err: unknown) => {
      record(seconds(start));
      throw err;
    },
  );
};

export const timedStore = (store: Store, metrics: Metrics): Store => {
  const [get, list, commit] = ['get', 'list', 'commit'].map((op) => metrics.storeTimer(op)) as [(s: number) => void, (s: number) => void, (s: number) => void];
  return {
    get: (kind, id) => timedCall(get, () => store.get(kind, id)),
    list: (kind, opts) => timedCall(list, () => store.list(kind, opts)),
    begin: (): UnitOfWork => {
      const work = store.begin();
      return {
        insert: (kind, id, doc, project) => work.insert(kind, id, doc, project),
        update: (kind, id, version, doc) => work.update(kind, id, version, doc),
        delete: (kind, id, version) => work.delete(kind, id, version),
        get empty() {
          return work.empty;
        },
        commit: () => timedCall(commit, () => work.commit()),
      };
    },
    indexFields: (fields) => store.indexFields(fields),
    check: () => store.check(),
    close: () => store.close(),
  };
};

/** An extension hook, timed under its extension's alias and `servers.show:preSerialization`. */
export const timedHook = <A extends unknown[]>(metrics: Metrics, alias: string, hook: string, run: (...args: A) => void | Promise<void>) => {
  const record = metrics.hookTimer(alias, hook);
  return (...args: A): void | Promise<void> => {
    const start = performance.now();
    let result: void | Promise<void>;
    try {
      result = run(...args);
    } catch (err) {
      record(seconds(start));
      throw err;
    }
    if (result instanceof Promise) return result.finally(() => record(seconds(start)));
    record(seconds(start));
  };
};
