#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { adminApp, configuredOptions, createGateway, loadRegistry, PolicyError, seedStore } from './gateway.ts';
import { systemClock } from './core/clock.ts';
import { describeStore, openStore } from './store/open.ts';
import { isConnectionError } from './store/postgres.ts';
import { tolerateStrayRejections } from './ops/stray-rejections.ts';
import { ExtensionLoadError, formatProblem } from './extension/problems.ts';
import { listen } from './server.ts';
import { servingOf } from './http/direct.ts';
import { createLogger, logDestination, logTo, prettyDestination, requestLogTo } from './ops/logger.ts';
import { VERSION } from './version.ts';
import { namesTable, versionSummary } from './extension/names-table.ts';

/** `extgate serve` runs the gateway; `extgate check` runs the load-time rules and exits. */
const USAGE = `usage: extgate <serve|check> [--profile NAME] [--config FILE] [--names]

  serve   serve the gateway (HOST, PORT and the config file choose where)
          --profile (or EXTGATE_PROFILE): start from a shipped configuration, profiles/NAME.json:
          default (the spec's RAX- examples) or nova (exactly nova's extensions, as tempest expects);
          a config file then applies on top
  check   load every configured extension and promotion, report every problem, exit 1 if any;
          with --names, print every name each API version serves, its owner and where it came from`;

/** Before the configuration is read (or when it cannot be), messages are plain text on stderr. */
const say = (m: string) => console.error(m);


const serveCommand = async (config: Config): Promise<void> => {
  const pretty = (config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const destination = pretty ? await prettyDestination() : logDestination();
  const logger = createLogger(config.logLevel, destination);
  const log = logTo(logger);
  const registry = await loadRegistry(config);
  for (const p of registry.problems) log(`extension left out: ${formatProblem(p)}`, 'warn', { alias: p.extension, field: p.field, rule: p.rule });
  if (config.store.url !== undefined) tolerateStrayRejections(log, isConnectionError);
  const store = await openStore(config.store);
  await seedStore(registry, config, store, systemClock);
  const requestLog = config.logRequests ? requestLogTo(logger, destination) : undefined;
  const app = createGateway(registry, { ...configuredOptions(config), log, requestLog, store, clock: systemClock });
  const server = await listen(app, config.host, config.port);
  const admin = config.admin === undefined ? undefined : await listen(adminApp(app), config.admin.host, config.admin.port);
  if (admin !== undefined) log(`health check and metrics on ${admin.url} (/healthcheck, /metrics)`, 'info', { adminUrl: admin.url });
  const summary = registry.versions.map(versionSummary);
  log(`extgate listening on ${server.url} (${summary.join('; ')})`, 'info', {
    version: VERSION, url: server.url, auth: config.auth.strategy, store: describeStore(config.store),
    apiVersions: registry.versions.map((v) => ({ id: v.version.id, extensions: v.extensions.map((e) => e.alias) })),
    leftOut: registry.problems.map((p) => p.extension),
  });
  // Said now, not with the next batch of lines: whoever started the gateway is waiting for it.
  logger.flush();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    servingOf(app).health?.drain();
    const drainMs = signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    log(`${signal}: the health check answers 503 from now; ${drainMs > 0 ? `serving for ${drainMs} ms more, then ` : ''}finishing in-flight requests`, 'info');
    logger.flush();
    setTimeout(() => {
      void server
        .close(config.shutdownGraceMs)
        .then(() => admin?.close(0))
        .then(() => store.close())
        .then(() => {
          log(`${signal}: stopped`, 'info');
          logger.flush(() => process.exit(0));
        });
    }, drainMs);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

const checkCommand = async (config: Config, names: boolean): Promise<number> => {
  // Check strictly whatever the serving policy: the report is the point.
  const registry = await loadRegistry({ ...config, extensions: { ...config.extensions, onInvalid: 'skip' } });
  for (const p of registry.problems) console.log(formatProblem(p));
  for (const v of registry.versions) console.log(versionSummary(v));
  if (names) for (const v of registry.versions) console.log(namesTable(v));
  console.log(registry.problems.length === 0 ? 'ok' : `${registry.problems.length} problem(s)`);
  return registry.problems.length === 0 ? 0 : 1;
};

const main = async (): Promise<number> => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { config: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean' }, names: { type: 'boolean' } } });
  const [command = 'serve'] = positionals;
  if (values.help || !['serve', 'check'].includes(command)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig({ file: values.config, profile: values.profile });
  if (command === 'check') return checkCommand(config, values.names === true);
  await serveCommand(config);
  return -1; // keep serving
};

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ExtensionLoadError || err instanceof ConfigError || err instanceof PolicyError) say(err.message);
    else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') say(`extgate failed to start: ${(err as Error).message}; choose another port with PORT=... or "port" in the configuration`);
    else say(`extgate failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

