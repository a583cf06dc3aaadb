import { serve } from '@hono/node-server';
import { parseConfig } from '../../src/config.ts';
import { createGateway, loadRegistry, seedStore } from '../../src/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { resolveExtgateEverywhere } from '../../src/extension/resolve-extgate.ts';
import { reportListening } from './common.ts';

resolveExtgateEverywhere();
const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG ?? '{}'));
const registry = await loadRegistry(config);
const store = openSqliteStore(config.store.path);
await seedStore(registry, config, store, systemClock);
const app = createGateway(registry, { log: () => {}, store, clock: systemClock });
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => reportListening(info.port));
