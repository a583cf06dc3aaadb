import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config.ts';
import { configuredOptions, createGateway, loadRegistry, seedStore } from '../../src/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/open.ts';
import { listen } from '../../src/server.ts';
import { reportListening } from './common.ts';
import { createLogger, logDestination, requestLogTo } from '../../src/ops/logger.ts';

// A large configuration (1,000 promotion records) comes in a file: the environment has a size limit.
const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG_FILE === undefined ? (process.env.BENCH_CONFIG ?? '{}') : readFileSync(process.env.BENCH_CONFIG_FILE, 'utf8')));
const registry = await loadRegistry(config);
const store = await openStore(config.store);
await seedStore(registry, config, store, systemClock);
// BENCH_LOGS=1: every request logged as `npm start` logs it, into /dev/null; BENCH_LOGS=noop: the line made, not written.
const destination = process.env.BENCH_LOGS === '1' ? logDestination('/dev/null') : undefined;
const requestLog = process.env.BENCH_LOGS === 'noop' ? () => undefined : destination === undefined ? undefined : requestLogTo(createLogger('info', destination), destination);
const app = createGateway(registry, { ...configuredOptions(config), log: () => {}, requestLog, store, clock: systemClock });
// The product's own listener, as `npm start` serves.
const server = await listen(app, '127.0.0.1', 0);
reportListening(Number(new URL(server.url).port));
