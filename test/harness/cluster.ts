import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemon, freePort, tempDir, waitFor, type Daemon } from './process.ts';
import { startNginx, type LoadBalancer } from './nginx.ts';
import { startPostgres, type Postgres } from './postgres.ts';

/**
 * The scale-out deployment on one machine: one PostgreSQL, N gateway instances as `npm start`
 * runs them (each on its own port, all on the same database), nginx in front. What
 * `npm run cluster` starts for trying it, and what the scale tests and the bench's scale suite drive.
 */
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
  readonly url: string;
  readonly process: Daemon;
}

export interface Cluster {
  readonly postgres: Postgres;
  readonly databaseUrl: string;
  readonly instances: Instance[];
  readonly balancer: LoadBalancer;
  /** Starts instance `i` again on its port (after it was killed), for the balancer to find. */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly instances: number;
  /** Configuration every instance shares (on top of the database's URL and its port). */
  readonly config?: Record<string, unknown>;
  /** Further arguments of `extgate serve` every instance gets, e.g. `['--profile', 'nova']`. */
  readonly args?: readonly string[];
  /** Where nginx listens (default: a free port). */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export const startInstance = async (databaseUrl: string, config: Record<string, unknown> = {}, onPort?: number, args: readonly string[] = []): Promise<Instance> => {
  const dir = tempDir('extgate-instance-');
  const file = join(dir.path, 'extgate.config.json');
  writeFileSync(file, JSON.stringify({ shutdownDrainMs: 0, ...config, store: { ...(config.store as object | undefined), url: databaseUrl } }));
  const port = onPort ?? (await freePort());
  // As `npm start` runs it (the compiled tree; instances started together share one build).
  const proc = daemon(process.execPath, ['scripts/start.mjs', 'serve', '--config', file, ...args], {
    cwd: PROJECT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`extgate on ${url}`, proc, async () => (await fetch(`${url}/healthcheck`)).status === 200, 60_000);
  return { url, process: proc };
};

export const startCluster = async (opts: ClusterOptions): Promise<Cluster> => {
  const log = opts.log ?? (() => undefined);
  const postgres = await startPostgres({ durable: true });
  const databaseUrl = await postgres.createDatabase();
  log(`PostgreSQL at ${databaseUrl}`);
  const instances = await Promise.all(Array.from({ length: opts.instances }, () => startInstance(databaseUrl, opts.config, undefined, opts.args)));
  for (const i of instances) log(`extgate at ${i.url}`);
  const balancer = await startNginx(instances.map((i) => new URL(i.url).host), opts.port);
  log(`nginx at ${balancer.url} (${balancer.config})`);
  return {
    postgres,
    databaseUrl,
    instances,
    balancer,
    restart: async (i) => {
      await instances[i]!.process.stop();
      instances[i] = await startInstance(databaseUrl, opts.config, Number(new URL(instances[i]!.url).port), opts.args);
    },
    stop: async () => {
      await balancer.stop();
      await Promise.all(instances.map((i) => i.process.stop()));
      await postgres.close();
    },
  };
};
