import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { parseConfig, type ConfigInput } from './config.ts';
import { ManualClock } from './core/clock.ts';
import type { Registry } from './extension/registry.ts';
import { configuredOptions, createGateway, loadRegistry, seedStore } from './gateway.ts';
import { OldNameUses } from './http/deprecation.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';

/**
 * What an extension's tests drive, wherever the extension lives: `import { testGateway } from
 * 'extgate/testing'`. The real gateway, built from a configuration as `npm start` builds it, on
 * a fresh SQLite file, with a clock the test moves (nothing sleeps); requests go through
 * `app.request`, no socket needed. The project's own tests build on it (test/support).
 */
export interface TestGateway {
  readonly app: Hono;
  readonly registry: Registry;
  readonly store: Store;
  /** The state machine's clock: `clock.advance(2000)` takes a new server from BUILD to ACTIVE. */
  readonly clock: ManualClock;
  /** What the gateway logged. */
  readonly logged: string[];
  /** Uses of promoted extensions' old names, counted (their log lines go to `logged`). */
  readonly oldNames: OldNameUses;
  /** Closes the database and removes the gateway's temporary folder. */
  close(): Promise<void>;
}

export const testGateway = async (input: ConfigInput = {}): Promise<TestGateway> => {
  const folder = input.store === undefined ? mkdtempSync(join(tmpdir(), 'extgate-test-')) : undefined;
  const remove = () => folder !== undefined && rmSync(folder, { recursive: true, force: true });
  try {
    const config = parseConfig({ store: { path: join(folder ?? '', 'extgate.sqlite') }, ...input });
    const registry = await loadRegistry(config);
    const store = await openStore(config.store);
    const clock = new ManualClock();
    await seedStore(registry, config, store, clock);
    const logged: string[] = [];
    const log = (m: string) => void logged.push(m);
    const oldNames = new OldNameUses(log, () => clock.now());
    const app = createGateway(registry, { ...configuredOptions(config), log, store, clock, oldNames });
    const close = async () => {
      await store.close().catch(() => undefined); // a test may have closed it already
      remove();
    };
    return { app, registry, store, clock, logged, oldNames, close };
  } catch (err) {
    remove();
    throw err;
  }
};

/** An answer, read whole. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export const call = async (app: Hono, path: string, init: RequestInit = {}): Promise<Reply> => {
  const res = await app.request(path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
};

/** The seeded image and flavor the default configuration has, and the core's XML namespace. */
export const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
export const FLAVOR = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001';
export const CORE_NS = 'http://docs.openstack.org/compute/api/v1.1';

export const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const xml = (method: string, body: string, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/xml', Accept: 'application/xml', ...headers },
  body,
});

/** Creates a server through the API (JSON) and returns its id. */
export const createServer = async (app: Hono, extra: Record<string, unknown> = {}, version = 'v1'): Promise<string> => {
  const r = await call(app, `/${version}/servers`, json('POST', { server: { name: 'web', imageRef: IMAGE, flavorRef: FLAVOR, ...extra } }));
  if (r.status !== 202) throw new Error(`create failed: ${r.status} ${r.text}`);
  return r.json<{ server: { id: string } }>().server.id;
};

export const action = (app: Hono, id: string, body: unknown, headers: Record<string, string> = {}, version = 'v1'): Promise<Reply> =>
  call(app, `/${version}/servers/${id}/action`, json('POST', body, headers));
