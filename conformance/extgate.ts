import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemon, freePort, tempDir, waitFor, type Daemon } from '../test/harness/process.ts';

/** extgate as `npm start` runs it, on a free port with a fresh store, for clients under test. */

export const PROJECT = fileURLToPath(new URL('..', import.meta.url));

export interface Extgate {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly dir: string;
  readonly process: Daemon;
  stop(): Promise<void>;
}

/** Transient states short enough for tempest's waiters, long enough to be seen. */
export const DURATIONS = { BUILD: 300, REBOOT: 300, HARD_REBOOT: 300, SAVING: 300 };

/** `--profile nova` once `serve` has profiles; nothing before then. */
export const defaultServeArgs = (): string[] => {
  const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--help'], { cwd: PROJECT, encoding: 'utf8' });
  return /--profile\b/.test(help) ? ['--profile', 'nova'] : [];
};

export const startExtgate = async (opts: { args?: string[]; config?: Record<string, unknown>; keep?: boolean } = {}): Promise<Extgate> => {
  const { path: dir, remove } = tempDir('extgate-conformance-', opts.keep);
  const port = await freePort();
  const file = join(dir, 'extgate.config.json');
  writeFileSync(file, JSON.stringify({ port, store: { path: join(dir, 'x.sqlite') }, durations: DURATIONS, shutdownDrainMs: 0, ...opts.config }, null, 2));
  // HOST/PORT from the environment would override the file: drop them.
  const { HOST: _h, PORT: _p, ...env } = process.env;
  const proc = daemon(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--config', file, ...(opts.args ?? [])], { cwd: PROJECT, env });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    remove();
  };
  try {
    await waitFor('extgate', proc, async () => (await fetch(`${url}/`)).ok, 30_000);
  } catch (err) {
    remove();
    throw err;
  }
  return { url, dir, process: proc, stop };
};
