import { beforeAll, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, type TestGateway } from './support/gateway.ts';
import { CORE_NS, createServer, FLAVOR, IMAGE, json, xml } from './support/compute.ts';
import { runCli, writeConfig } from './support/process.ts';

/** Each message says what is wrong with what the client sent, in its own terms. */
let gw: TestGateway;
let id: string;
beforeAll(async () => {
  gw = await testGateway();
  id = await createServer(gw.app);
});

const message = (r: { status: number; text: string; headers: Headers }): string => {
  expect(r.status).toBe(400);
  return r.headers.get('content-type') === 'application/xml' ? parseXml(r.text).badRequest.message : JSON.parse(r.text).badRequest.message;
};

describe('paging', () => {
  test('a limit over the maximum is served as the maximum, as nova does (tempest asks for 100000); a negative one says the range', async () => {
    for (const path of ['/v1/servers?limit=1000000000', '/v1/extensions?limit=5000', `/v1/servers?limit=${'9'.repeat(400)}`]) {
      expect((await call(gw.app, path)).status).toBe(200);
    }
    expect(message(await call(gw.app, '/v1/servers?limit=-1'))).toBe('limit must be a whole number (a larger one than 1000 is read as 1000), got "-1".');
  });

  test('limit=0 is an empty page with no next link', async () => {
    for (const path of ['/v1/servers?limit=0', '/v1/servers/detail?limit=0']) {
      expect((await call(gw.app, path)).json()).toEqual({ servers: [] });
    }
    expect((await call(gw.app, '/v1/extensions?limit=0')).json()).toEqual({ extensions: [] });
  });
});

describe('a name the resource has, that this request may not set', () => {
  test.each([
    ['OS-LOCK:locked on create (JSON)', () => call(gw.app, '/v1/servers', json('POST', { server: { name: 'x', imageRef: IMAGE, flavorRef: FLAVOR, 'OS-LOCK:locked': true } })), '"OS-LOCK:locked" cannot be set when creating a server.'],
    ['status on create (JSON)', () => call(gw.app, '/v1/servers', json('POST', { server: { name: 'x', imageRef: IMAGE, flavorRef: FLAVOR, status: 'ACTIVE' } })), '"status" cannot be set when creating a server.'],
    ['status on create (XML)', () => call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" status="ACTIVE"/>`)), '"status" cannot be set when creating a server.'],
    ['metadata on PUT (JSON), which RAX-EDIT:metadata may change', () => call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { metadata: { a: 'b' } } })), '"metadata" cannot be set when updating a server; "RAX-EDIT:metadata" can.'],
    ['metadata on PUT (XML)', () => call(gw.app, `/v1/servers/${id}`, xml('PUT', `<server xmlns="${CORE_NS}"><metadata><meta key="a">b</meta></metadata></server>`)), '"metadata" cannot be set when updating a server; "RAX-EDIT:metadata" can.'],
    ['an extension attribute no request sets, on PUT', () => call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { 'OS-LOCK:locked': true } })), '"OS-LOCK:locked" cannot be set when updating a server.'],
  ])('%s', async (_, send, expected) => {
    expect(message(await send())).toBe(expected);
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server).toMatchObject({ name: 'web', metadata: {} });
  });

  test('a name nobody has, unqualified, is still ignored (clients send other deployments\' fields)', async () => {
    expect((await call(gw.app, '/v1/servers', json('POST', { server: { name: 'x', imageRef: IMAGE, flavorRef: FLAVOR, key_name: 'k' } }))).status).toBe(202);
  });
});

describe('paths and the environment', () => {
  test('a 404 names the path that was asked for', async () => {
    const r = await call(gw.app, '/v1/servers.json/detail');
    expect(r.json().itemNotFound.message).toBe('The resource /v1/servers.json/detail could not be found.');
  });

  test('a port in the configuration file that is not a number says so (and a string is not taken for one)', async () => {
    for (const port of ['80x', '8777']) {
      const cli = runCli(['check', '--config', writeConfig({ port })]);
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain('port: must be a port number from 0 to 65535');
    }
  });

  test('PORT=abc names the environment variable', async () => {
    const cli = runCli(['check'], { PORT: 'abc' });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('environment: PORT=abc: must be a port number from 0 to 65535');
  });
});
