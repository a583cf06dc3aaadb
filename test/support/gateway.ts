import { afterAll, expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { Hono } from 'hono';
import { parseConfig, type ConfigInput } from '../../src/config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredOptions, createGateway, loadRegistry, seedStore } from '../../src/gateway.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import type { Registry } from '../../src/extension/registry.ts';
import { validateOwn } from './xml.ts';
import { OldNameUses } from '../../src/http/deprecation.ts';

export interface TestGateway {
  readonly app: Hono;
  readonly registry: Registry;
  readonly logged: string[];
  readonly store: Store;
  /** The state machine's clock: tests move it, nothing sleeps. */
  readonly clock: ManualClock;
  /** Uses of promoted extensions' old names, counted (their log lines go to `logged`). */
  readonly oldNames: OldNameUses;
}

/** What each test file's gateways hold open: closed and removed when the file's tests are done. */
const opened: { store?: Store; folder?: string }[] = [];
afterAll(async () => {
  for (const { store, folder } of opened.splice(0)) {
    await store?.close().catch(() => undefined); // a test may have closed it already
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  }
});

/** A gateway built the way `npm start` builds it, from a configuration, on a fresh SQLite file. */
export const testGateway = async (input: ConfigInput = {}): Promise<TestGateway> => {
  const held: { store?: Store; folder?: string } = { folder: input.store === undefined ? mkdtempSync(join(tmpdir(), 'extgate-test-')) : undefined };
  opened.push(held);
  const config = parseConfig({ store: { path: join(held.folder ?? '', 'extgate.sqlite') }, ...input });
  const registry = await loadRegistry(config);
  const store = openSqliteStore(config.store.path);
  held.store = store;
  const clock = new ManualClock();
  await seedStore(registry, config, store, clock);
  const logged: string[] = [];
  const log = (m: string) => logged.push(m);
  const oldNames = new OldNameUses(log, () => clock.now());
  return { app: createGateway(registry, { ...configuredOptions(config), log, store, clock, oldNames }), registry, logged, store, clock, oldNames };
};

/** A parsed document, which tests navigate freely: their expectations check what is there. */
// biome-ignore lint/suspicious/noExplicitAny: the one place tests give up static types, on purpose
export type Parsed = any;

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Parsed>(): T;
}

/**
 * One request through app.request(). Every XML body the tests see is validated against the
 * project's own schemas (spec/schemas) on the way: a response our schemas reject fails the test.
 */
export const call = async (app: Hono, path: string, init: RequestInit & { schema?: string } = {}): Promise<Reply> => {
  const res = await app.request(path, init);
  const text = await res.text();
  if (res.headers.get('content-type')?.startsWith('application/xml') && text !== '') {
    const version = /^(?:https?:\/\/[^/]+)?\/(v[\d.]+)/.exec(path)?.[1];
    const v = await validateOwn(text, version, init.schema);
    expect(v.errors, `XML of ${init.method ?? 'GET'} ${path} against spec/schemas`).toEqual([]);
  }
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
};

export const accept = (type: string): RequestInit => ({ headers: { Accept: type } });
export const XML = accept('application/xml');

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['extension', 'atom:link', 'version', 'media-type'].includes(name) });
export const parseXml = (xml: string): Parsed => parser.parse(xml);
