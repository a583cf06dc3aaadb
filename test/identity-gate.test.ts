import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { listen, type RunningServer } from '../src/server.ts';
import { testGateway, type TestGateway } from './support/gateway.ts';

/**
 * The gate and the Keystone client against a Keystone that misbehaves on purpose (a real socket,
 * a stand-in server): what the real one never does in the suite's other tests, and what must still
 * be a 401, 403 or 503 rather than a 500 or a request let through. test/identity.test.ts runs the
 * real Keystone.
 */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const expires = (ms: number) => new Date(Date.now() + ms).toISOString();
const tokenBody = (project: string | undefined, roles: unknown = [{ name: 'member' }, { name: 'reader' }]) =>
  JSON.stringify({ token: { expires_at: expires(3600_000), user: { id: 'u1' }, ...(project === undefined ? { domain: { id: 'default' } } : { project: { id: project } }), roles } });

let keystone: ReturnType<typeof createServer>;
let keystoneUrl: string;
let validate: Handler;
let issue: Handler;
const calls = { issue: 0, validate: 0, serviceTokens: [] as string[] };
let serviceSeq = 0;

beforeAll(async () => {
  keystone = createServer((req, res) => {
    if (req.method === 'POST') {
      calls.issue++;
      issue(req, res);
      return;
    }
    calls.validate++;
    calls.serviceTokens.push(String(req.headers['x-auth-token']));
    validate(req, res);
  });
  await new Promise<void>((ready) => keystone.listen(0, '127.0.0.1', ready));
  keystoneUrl = `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`;
});
afterAll(() => keystone.close());

const issueFor = (lifetimeMs: number): Handler => (_req, res) => {
  res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': `svc-${++serviceSeq}` }).end(JSON.stringify({ token: { expires_at: expires(lifetimeMs) } }));
};

let gw: TestGateway;
let server: RunningServer;
beforeEach(async () => {
  issue = issueFor(3600_000);
  validate = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(tokenBody('alpha'));
  Object.assign(calls, { issue: 0, validate: 0, serviceTokens: [] });
  await server?.close(0);
  gw = await testGateway({ auth: { strategy: 'keystone', keystone: { url: keystoneUrl, username: 'extgate', password: 'pw', project: 'service', timeoutMs: 500 } } });
  server = await listen(gw.app, '127.0.0.1', 0);
});
afterAll(() => server?.close(0));

const get = (path: string, token: string) => fetch(`${server.url}${path}`, { headers: { 'X-Auth-Token': token } });

describe('what Keystone says, and what it fails to say', () => {
  test('a token scoped to a domain, not a project: 403 on every request, cached or not, ahead of Hono too', async () => {
    validate = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(tokenBody(undefined, [{ name: 'admin' }]));
    for (let i = 0; i < 3; i++) expect((await get('/v1/servers', 'domain-token')).status).toBe(403);
    expect((await fetch(`${server.url}/v1/servers`, { method: 'POST', headers: { 'X-Auth-Token': 'domain-token', 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await get('/v1/extensions', 'domain-token')).status).toBe(403);
    expect(calls.validate).toBe(1);
  });

  test.each([
    ['a body that is not JSON', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end('<html>maintenance</html>')],
    ['roles that are not a list', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end(tokenBody('alpha', 'admin'))],
    ['a token without a user', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end(JSON.stringify({ token: { expires_at: expires(1000) } }))],
    ['headers, then a body that never comes', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'Content-Length': '100' }).write('{"tok')],
    ['no answer at all', () => undefined],
    ['a 500', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(500).end()],
  ] as [string, Handler][])('%s: 503 with Retry-After, logged, never a 500', async (_, handler) => {
    validate = handler;
    const started = Date.now();
    const r = await get('/v1/servers', `token-${Math.random()}`);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(2000); // one deadline (500 ms) for the whole validation
    expect(gw.logged.join('\n')).toMatch(/identity: /);
  });

  test('the service credentials refused, or a service token without an expiry: 503, never let through', async () => {
    issue = (_req, res) => res.writeHead(401).end('{"error": {}}');
    expect((await get('/v1/servers', 'a')).status).toBe(503);
    issue = (_req, res) => res.writeHead(201, { 'X-Subject-Token': 'x' }).end('not json');
    expect((await get('/v1/servers', 'b')).status).toBe(503);
    expect(gw.logged.join('\n')).not.toContain('pw');
  });
});

describe('the service token', () => {
  test('one login for many concurrent validations; renewed a minute before it expires', async () => {
    issue = issueFor(61_000);
    const first = await Promise.all(['t1', 't2', 't3', 't4'].map((t) => get('/v1/servers', t)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(calls.issue).toBe(1);
    await new Promise((r) => setTimeout(r, 1100)); // now within a minute of its expiry
    expect((await get('/v1/servers', 't5')).status).toBe(200);
    expect(calls.issue).toBe(2);
    expect(new Set(calls.serviceTokens)).toEqual(new Set([`svc-${serviceSeq - 1}`, `svc-${serviceSeq}`]));
  });

  test('refused once (revoked), a new one is obtained and the validation retried; refused again, 503', async () => {
    let refuse = 1;
    validate = (_req, res) => {
      if (refuse-- > 0) res.writeHead(401).end();
      else res.writeHead(200).end(tokenBody('alpha'));
    };
    expect((await get('/v1/servers', 'x1')).status).toBe(200);
    expect(calls.issue).toBe(2);
    validate = (_req, res) => res.writeHead(401).end();
    expect((await get('/v1/servers', 'x2')).status).toBe(503);
  });
});
