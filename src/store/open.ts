import type { Config } from '../config.ts';
import { openPostgresStore, redactedUrl } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** The configured store: PostgreSQL when a URL is given, else the SQLite file. */
export const openStore = (settings: Config['store']): Promise<Store> =>
  settings.url === undefined
    ? Promise.resolve(openSqliteStore(settings.path))
    : openPostgresStore({ url: settings.url, poolSize: settings.poolSize, timeoutMs: settings.timeoutMs });

/** Where the store is, for logs: the file, or the URL without its password. */
export const describeStore = (settings: Config['store']): string => (settings.url === undefined ? settings.path : redactedUrl(settings.url));
