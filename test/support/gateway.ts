import { afterAll, expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { Hono } from 'hono';
import type { ConfigInput } from '../../src/config.ts';
import { testGateway as publicTestGateway, type TestGateway } from '../../src/testing.ts';
import { validateOwn } from './xml.ts';

export type { TestGateway } from '../../src/testing.ts';

/** Each test file's gateways are closed, and their folders removed, when its tests are done. */
const opened: TestGateway[] = [];
afterAll(async () => {
  for (const gw of opened.splice(0)) await gw.close();
});

/** A gateway built the way `npm start` builds it, from a configuration, on a fresh SQLite file (src/testing.ts). */
export const testGateway = async (input: ConfigInput = {}): Promise<TestGateway> => {
  const gw = await publicTestGateway(input);
  opened.push(gw);
  return gw;
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
