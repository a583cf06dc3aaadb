import type { Hono } from 'hono';
import { call, testGateway, type Reply, type TestGateway } from './gateway.ts';
import type { ConfigInput } from '../../src/config.ts';

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
export const createServer = async (app: Hono, extra: Record<string, unknown> = {}): Promise<string> => {
  const r = await call(app, '/v1/servers', json('POST', { server: { name: 'web', imageRef: IMAGE, flavorRef: FLAVOR, ...extra } }));
  if (r.status !== 202) throw new Error(`create failed: ${r.status} ${r.text}`);
  return r.json().server.id;
};

/** A test gateway with one server, already ACTIVE: what most action tests start from. */
export const gatewayWithServer = async (input: ConfigInput = {}): Promise<{ gw: TestGateway; id: string }> => {
  const gw = await testGateway(input);
  const id = await createServer(gw.app);
  gw.clock.advance(2000); // BUILD -> ACTIVE
  return { gw, id };
};

export const action = (app: Hono, id: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  call(app, `/v1/servers/${id}/action`, json('POST', body, headers));
