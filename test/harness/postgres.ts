import { chownSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemon, freePort, run, tempDir, waitFor, type Daemon } from './process.ts';

/**
 * A real PostgreSQL (Debian's `postgresql` 15) in a temporary folder: `initdb`, then the server
 * itself on a free port, listening on 127.0.0.1 and a socket in that folder. PostgreSQL refuses to
 * run as root: as root, the folder is given to the `postgres` user and the commands run as it.
 * Tests make a database each (`createDatabase`); durability is relaxed (fsync off) unless asked.
 */
const BIN = '/usr/lib/postgresql/15/bin';
export const hasPostgres = existsSync(join(BIN, 'postgres'));

export interface Postgres {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database?: string): string;
  /** A new empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (a fast shutdown: connections are closed), keeping its files. */
  stop(): Promise<void>;
  /** Starts it again on the same port and files. */
  start(): Promise<void>;
  /** The postmaster's process id (the processes serving connections are forked from it). */
  pid(): number;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
const asPostgres = async (cmd: string, args: string[]): Promise<[string, string[]]> => (asRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

export const startPostgres = async (opts: { durable?: boolean; keep?: boolean } = {}): Promise<Postgres> => {
  const dir = tempDir('extgate-pg-', opts.keep);
  const data = join(dir.path, 'data');
  if (asRoot) {
    const [uid, gid] = (await run('/usr/bin/id', ['-u', 'postgres'])).trim().split('\n').concat((await run('/usr/bin/id', ['-g', 'postgres'])).trim());
    chownSync(dir.path, Number(uid), Number(gid));
  }
  await run(...(await asPostgres(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C'])));
  const port = await freePort();
  // pg_stat_statements: tests count the statements a store ran (`CREATE EXTENSION pg_stat_statements` in their database).
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir.path}`, '-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'];
  if (opts.durable !== true) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  let server: Daemon | undefined;
  let databases = 0;
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = async (sql: string) => run(...(await asPostgres(join(BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtc', sql])));

  const start = async () => {
    server = daemon(...(await asPostgres(join(BIN, 'postgres'), ['-D', data, '-p', String(port), ...settings])));
    await waitFor('PostgreSQL', server, async () => (await run(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).then(() => true, () => false)), 30_000);
  };
  const stop = async () => {
    if (server === undefined) return;
    await run(...(await asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'])));
    await server.exited;
    await server.stop();
    server = undefined;
  };
  await start();
  return {
    port,
    url,
    createDatabase: async () => {
      const name = `extgate_${process.pid}_${++databases}`;
      await psql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
    start,
    pid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    close: async () => {
      await stop().catch(() => server?.stop());
      dir.remove();
    },
  };
};
