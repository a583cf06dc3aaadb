import { parseConfig } from '../../src/config.ts';
import { createGateway, loadRegistry, seedStore } from '../../src/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { resolveExtgateEverywhere } from '../../src/extension/resolve-extgate.ts';
import { listen } from '../../src/server.ts';
import { reportListening } from './common.ts';

resolveExtgateEverywhere();
const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG ?? '{}'));
const registry = await loadRegistry(config);
const store = openSqliteStore(config.store.path);
await seedStore(registry, config, store, systemClock);
const app = createGateway(registry, { log: () => {}, store, clock: systemClock });
// The product's own listener, as `npm start` serves.
const server = await listen(app, '127.0.0.1', 0);
reportListening(Number(new URL(server.url).port));
