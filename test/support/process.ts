import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT } from './xml.ts';

/** The gateway as `npm start` runs it: a separate Node process listening on a real socket. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** A config file in a fresh folder; its store lives in that folder unless the config says otherwise. */
export const writeConfig = (config: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-cfg-'));
  const file = join(dir, 'extgate.config.json');
  writeFileSync(file, JSON.stringify({ store: { path: join(dir, 'extgate.sqlite') }, ...config }));
  return file;
};

export const runCli = (args: string[], env: Record<string, string> = {}): Spawned => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: PROJECT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
};

/** Starts `serve` on an ephemeral port and resolves with its base URL once it listens. */
export const startServer = async (configFile?: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<Spawned & { url: string }> => {
  // Each server gets its own store, so tests never share (or leave) ./data.
  const file = configFile ?? writeConfig({});
  const s = runCli(['serve', '--config', file, ...args], { PORT: '0', HOST: '127.0.0.1', ...env });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded CI machine with tsx's cache cold has taken over 20 s.
    const timer = setTimeout(() => reject(new Error(`server did not start within 50 s:\n${s.output()}`)), 50_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(s.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    s.child.stderr!.on('data', check);
    s.child.stdout!.on('data', check);
    void s.exited.then(() => reject(new Error(`server exited:\n${s.output()}`)));
  });
  return { ...s, url };
};
