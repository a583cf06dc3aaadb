import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listen, type RunningServer } from '../src/server.ts';
import { testGateway } from './support/gateway.ts';

/**
 * Requests that never reach the app (Node's parser refuses them, or they address nothing) are
 * answered like every other error: a well-formed fault, the right status, `Connection: close`.
 * Over a real socket, with the bytes a client would send.
 */
let server: RunningServer;
let port: number;
beforeAll(async () => {
  server = await listen((await testGateway()).app, '127.0.0.1', 0);
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close(100));

interface Raw {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Writes `first`, then (if given) ends with `last` 100 ms later, and reads all the server sends
 * until it closes the connection (or 2 s pass).
 */
const converse = (first: string, last?: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(first);
      if (last !== undefined) setTimeout(() => socket.end(last), 100);
    });
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close after 2 s; got ${JSON.stringify(out)}`));
    }, 2000);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });

/** Sends raw bytes and reads the one answer. */
const send = async (data: string): Promise<Raw> => {
  const out = await converse(data);
  const [head = '', body = ''] = out.split('\r\n\r\n', 2);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine?.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
};

describe('what Node\'s HTTP parser refuses, answered with a fault', () => {
  test.each([
    ['two different Content-Lengths', 'POST /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}', 'Duplicate Content-Length'],
    ['Content-Length with chunked', 'POST /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}', "Transfer-Encoding can't be present with Content-Length"],
    ['HTTP/3.1 in a request line', 'GET /v1 HTTP/3.1\r\nHost: x\r\n\r\n', 'Invalid HTTP version'],
    ['a bare LF after the version', 'GET /v1 HTTP/1.1\nHost: x\n\n', 'Expected CRLF after version'],
  ])('%s: the message says what is wrong in HTTP\'s terms', async (_, bytes, said) => {
    const r = await send(bytes);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).badRequest.message).toBe(`The request is not valid HTTP: ${said}.`);
    expect(r.body).not.toContain('HPE_');
  });

  test.each([
    ['a space in the request target', 400, 'badRequest', 'GET /v1/ser vers HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a control character in the target', 400, 'badRequest', 'GET /v1/\x01 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a method in the wrong case', 405, 'badMethod', 'Get /v1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a method nobody knows', 405, 'badMethod', 'XXXXXXXX /v1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a method nobody knows, on a path that is not there', 404, 'itemNotFound', 'XXXXXXXX /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['no request line at all', 400, 'badRequest', 'GARBAGE\r\n\r\n'],
    ['headers over the limit', 431, 'badRequest', `GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['no Host, HTTP/1.1', 400, 'badRequest', 'GET /v1 HTTP/1.1\r\n\r\n'],
    ['no Host, HTTP/1.0', 400, 'badRequest', 'GET /v1 HTTP/1.0\r\n\r\n'],
    ['CONNECT', 405, 'badMethod', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
  ])('%s: %i %s in JSON, Connection: close', async (_, status, kind, bytes) => {
    const r = await send(bytes);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.connection).toBe('close');
    const fault = JSON.parse(r.body)[kind];
    expect(fault.code).toBe(status);
    expect(fault.message.length).toBeGreaterThan(10);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
  });

  test('in XML when the Accept header that could be read asks for it', async () => {
    const r = await send('GET /v1/\x01 HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\n\r\n');
    expect([r.status, r.headers['content-type']]).toEqual([400, 'application/xml']);
    expect(r.body).toMatch(/<badRequest xmlns="http:\/\/docs.openstack.org\/compute\/api\/v1.1" code="400"><message>.+<\/message><\/badRequest>$/);
    const noHost = await send('GET /v1 HTTP/1.0\r\nAccept: application/xml\r\n\r\n');
    expect([noHost.status, noHost.headers['content-type']]).toEqual([400, 'application/xml']);
  });

  test.each([
    ['a Host whose last label is a number but is no IPv4 address', 'GET /v1/servers HTTP/1.1\r\nHost: 1.2.3.4.5\r\n\r\n'],
    ['a Host of a name ending in a number', 'POST /v1/servers HTTP/1.1\r\nHost: example.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'],
    ['a Host with a port past 65535', 'GET /v1 HTTP/1.1\r\nHost: a:99999\r\n\r\n'],
    ['a Host a URL would rewrite', 'GET /v1 HTTP/1.1\r\nHost: [::ffff:127.0.0.1]\r\n\r\n'],
    ['HEAD with such a Host', 'HEAD /v1/servers HTTP/1.1\r\nHost: 999.1.1.1\r\n\r\n'],
    ['a backslash in the path', 'GET /v1\\servers HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an absolute target in capitals', 'GET HTTP://A/v1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an absolute target that is no URL', 'GET http://[bad/v1/servers HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s: a 400 fault, not an empty 400 or a 500', async (_, bytes) => {
    const r = await send(bytes);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    if (!bytes.startsWith('HEAD')) expect(JSON.parse(r.body).badRequest.code).toBe(400);
  });

  test('Expect with something other than 100-continue: a 417 fault', async () => {
    const r = await send('GET /v1/servers HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nAccept: application/xml\r\n\r\n');
    expect([r.status, r.headers['content-type']]).toEqual([417, 'application/xml']);
    expect(r.body).toContain('Expect: foo cannot be met');
  });

  test('bytes that do not parse after a pipelined request: its answer first, whole, then the fault', async () => {
    const created = await fetch(`${server.url}/v1/servers`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"server": {"name": "p", "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b", "flavorRef": "1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001"}}' });
    const id = ((await created.json()) as { server: { id: string } }).server.id;
    const raw = await converse(`DELETE /v1/servers/${id} HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 204 [\s\S]*HTTP\/1\.1 (400|405) [\s\S]*"(badRequest|badMethod)"/);
  });

  test('a body cut short: the fault in the media type its request asked for', async () => {
    const raw = await converse('POST /v1/servers HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n', '{"s');
    expect(raw).toMatch(/^HTTP\/1\.1 400 [\s\S]*Content-Type: application\/xml[\s\S]*<badRequest /);
  });

  test('a request cut short after one answered on the same connection: a fault, and the server goes on', async () => {
    const raw = await converse('GET /v1 HTTP/1.1\r\nHost: x\r\n\r\n', 'POST /v1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{');
    expect(raw).toMatch(/^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 400 [\s\S]*"badRequest"/);
    expect((await send('GET /v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });

  test('a method Node does not know is a client error: 405 with what that path allows, in XML if asked', async () => {
    const r = await send('Get /v1/flavors HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\n\r\n');
    expect([r.status, r.headers.allow, r.headers['content-type']]).toEqual([405, 'GET, HEAD, OPTIONS', 'application/xml']);
    expect(r.body).toContain('The method Get is not one this server knows (methods are case-sensitive); allowed: GET, HEAD, OPTIONS.');
    const connect = await send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(connect.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
  });

  test('OPTIONS * asks about the server as a whole: 204 with what it allows', async () => {
    const r = await send('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([r.status, r.headers.allow]).toEqual([204, 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT']);
  });

  test('the server goes on serving', async () => {
    const r = await send('GET /v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
  });
});
