import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Small process and socket helpers shared by the harness's services. */

// What is still running or still on disk, so that a signal mid-start-up can undo it all.
const live = new Set<() => Promise<void> | void>();

/** Stops every daemon and command still running and removes every temporary folder: for a
 * SIGINT handler, when the code that made them never got to return a `stop`. */
export const cleanupAll = async (): Promise<void> => {
  for (const undo of [...live].reverse()) {
    live.delete(undo);
    try {
      await undo();
    } catch {
      // best effort: the rest still gets undone
    }
  }
};

/** A fresh folder under the system's temporary one; `remove` deletes it (unless kept). */
export const tempDir = (prefix: string, keep = false): { path: string; remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const undo = () => rmSync(path, { recursive: true, force: true });
  if (!keep) live.add(undo);
  return {
    path,
    remove: () => {
      if (keep) return;
      live.delete(undo);
      undo();
    },
  };
};

/** A port nobody listens on now; the OS picks it, so parallel harnesses do not collide. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Runs a command to the end; rejects with its output when it fails. */
export const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      live.delete(kill);
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
    const kill = () => {
      child.kill('SIGKILL');
    };
    live.add(kill);
  });

/** A long-running child in its own process group, so stopping it also stops what it forked. */
export interface Daemon {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export const daemon = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Daemon => {
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Keep only the tail: a chatty service must not grow the harness's memory without bound.
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (c) => {
      code = c;
      resolve(c);
    });
    // Not started at all (no such command): say so in the output, as an exit.
    child.on('error', (err) => {
      keep(Buffer.from(`${cmd}: ${err.message}\n`));
      code = -1;
      resolve(-1);
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    live.delete(stop);
    if (code !== undefined || child.pid === undefined) return;
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    signal('SIGKILL'); // stragglers of the group
  };
  live.add(stop);
  return { child, output: () => out, exited, stop };
};

/** Polls `probe` until it resolves true; fails early if the daemon exits. */
export const waitFor = async (what: string, d: Daemon, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void d.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what} exited before it was ready:\n${d.output().slice(-4000)}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  await d.stop();
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${d.output().slice(-4000)}`);
};
