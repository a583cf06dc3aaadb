import { serve } from '@hono/node-server';
import { parseConfig } from '../../src/config.ts';
import { createGateway, loadRegistry } from '../../src/gateway.ts';
import { resolveExtgateEverywhere } from '../../src/extension/resolve-extgate.ts';
import { reportListening } from './common.ts';

resolveExtgateEverywhere();
const config = parseConfig(JSON.parse(process.env.BENCH_CONFIG ?? '{}'));
const app = createGateway(await loadRegistry(config), { log: () => {} });
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => reportListening(info.port));
