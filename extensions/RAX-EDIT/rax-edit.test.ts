import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, testGateway, type TestGateway } from '../../test/support/gateway.ts';
import { CORE_NS, createServer, json, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.rackspacecloud.com/servers/api/ext/edit/v1.0';
let gw: TestGateway;
let id: string;
beforeEach(async () => {
  gw = await testGateway();
  id = await createServer(gw.app, { metadata: { role: 'web' } });
});

test('the core refuses to change metadata on PUT, and says which name can', async () => {
  const r = await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { metadata: { role: 'db' } } }));
  expect(r.status).toBe(400);
  expect(r.json().badRequest.message).toBe('"metadata" cannot be set when updating a server; "RAX-EDIT:metadata" can.');
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server.metadata).toEqual({ role: 'web' });
});

test('PUT with RAX-EDIT:metadata replaces it (JSON); the extension name leaves no trace in the server', async () => {
  const r = await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { 'RAX-EDIT:metadata': { role: 'db', tier: '2' } } }));
  expect(r.status).toBe(200);
  expect(r.json().server.metadata).toEqual({ role: 'db', tier: '2' });
  const s = (await call(gw.app, `/v1/servers/${id}`)).json().server;
  expect(s.metadata).toEqual({ role: 'db', tier: '2' });
  expect(Object.keys(s).some((k) => k.startsWith('RAX-EDIT'))).toBe(false);
});

test('the same in XML, in the extension namespace', async () => {
  const body = `<server xmlns="${CORE_NS}" xmlns:e="${NS}"><e:metadata><e:meta key="role">cache</e:meta></e:metadata></server>`;
  const r = await call(gw.app, `/v1/servers/${id}`, xml('PUT', body));
  expect(r.status).toBe(200);
  expect(parseXml(r.text).server.metadata.meta).toMatchObject({ '@key': 'role', '#text': 'cache' });
});

test('bad metadata: 400, nothing changes; disabled, the qualified name is a 400', async () => {
  expect((await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { 'RAX-EDIT:metadata': { '': 'x' } } }))).status).toBe(400);
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server.metadata).toEqual({ role: 'web' });
  const off = await testGateway({ extensions: { disable: ['RAX-EDIT'] } });
  const other = await createServer(off.app);
  const r = await call(off.app, `/v1/servers/${other}`, json('PUT', { server: { 'RAX-EDIT:metadata': { a: 'b' } } }));
  expect(r.status).toBe(400);
  expect(r.json().badRequest.message).toContain('not loaded');
});
