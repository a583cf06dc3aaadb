import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config.ts';
import { configuredOptions, createGateway, loadRegistry, seedStore } from '../../src/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { listen } from '../../src/server.ts';
import { reportListening } from './common.ts';

// A large configuration (1,000 promotion records) comes in a file: the environment has a size limit.
const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG_FILE === undefined ? (process.env.BENCH_CONFIG ?? '{}') : readFileSync(process.env.BENCH_CONFIG_FILE, 'utf8')));
const registry = await loadRegistry(config);
const store = openSqliteStore(config.store.path);
await seedStore(registry, config, store, systemClock);
const app = createGateway(registry, { ...configuredOptions(config), log: () => {}, store, clock: systemClock });
// The product's own listener, as `npm start` serves.
const server = await listen(app, '127.0.0.1', 0);
reportListening(Number(new URL(server.url).port));
