import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from '../../test/support/gateway.ts';
import { action, CORE_NS, createServer, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.rackspacecloud.com/servers/api/ext/desc/v1.0';
let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

const activeServer = async () => {
  const id = await createServer(gw.app);
  gw.clock.advance(2000);
  return id;
};

test('set through createImage in JSON; shown as "RAX-DESC:description" and as an element after the core ones (example 3.8)', async () => {
  const id = await activeServer();
  const r = await action(gw.app, id, { createImage: { name: 'snap', 'RAX-DESC:description': 'This is a sample image description.' } });
  expect(r.status).toBe(202);
  const path = new URL(r.headers.get('location')!).pathname;
  expect((await call(gw.app, path)).json().image['RAX-DESC:description']).toBe('This is a sample image description.');
  const x = (await call(gw.app, path, XML)).text;
  expect(x).toMatch(/<atom:link [^>]*\/><RAX-DESC:description>This is a sample image description\.<\/RAX-DESC:description><\/image>$/);
  expect(parseXml(x).image['@xmlns:RAX-DESC']).toBe(NS);
});

test('set through createImage in XML, as an element in the extension namespace', async () => {
  const id = await activeServer();
  const body = `<createImage xmlns="${CORE_NS}" xmlns:d="${NS}" name="snap"><d:description>from XML</d:description></createImage>`;
  const r = await call(gw.app, `/v1/servers/${id}/action`, xml('POST', body));
  expect(r.status).toBe(202);
  expect((await call(gw.app, new URL(r.headers.get('location')!).pathname)).json().image['RAX-DESC:description']).toBe('from XML');
});

test('too long: 400, no image made', async () => {
  const id = await activeServer();
  const r = await action(gw.app, id, { createImage: { name: 'snap', 'RAX-DESC:description': 'x'.repeat(2000) } });
  expect(r.status).toBe(400);
  expect((await call(gw.app, '/v1/images')).json().images).toHaveLength(2);
});
