import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway, type Parsed } from '../../test/support/gateway.ts';
import { createServer } from '../../test/support/compute.ts';

const OTHER_IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

test('RAX-PIE:shared on images (example 3.7 and 3.9), a boolean in JSON and "true"/"false" in XML', async () => {
  const j = (await call(gw.app, '/v1/images/detail')).json().images;
  expect(j.map((i: Parsed) => i['RAX-PIE:shared'])).toEqual([false, false]);
  const x = parseXml((await call(gw.app, '/v1/images/detail', XML)).text).images;
  expect(x['@xmlns:RAX-PIE']).toBe('http://docs.rackspacecloud.com/servers/api/ext/pie/v1.0');
  expect(x.image.map((i: Parsed) => i['@RAX-PIE:shared'])).toEqual(['false', 'false']);
});

test('GET /v1/servers?RAX-PIE:img={imageId} lists the servers built from that image (3.2.3)', async () => {
  const a = await createServer(gw.app, { name: 'a' });
  await createServer(gw.app, { name: 'b', imageRef: OTHER_IMAGE });
  const c = await createServer(gw.app, { name: 'c' });
  const j = (await call(gw.app, '/v1/servers?RAX-PIE:img=70a599e0-31e7-49b7-b260-868f441e862b')).json().servers;
  expect(j.map((s: Parsed) => s.id)).toEqual([a, c]);
  const x = parseXml((await call(gw.app, `/v1/servers/detail?RAX-PIE:img=${OTHER_IMAGE}`, XML)).text).servers;
  expect(x.server['@name']).toBe('b');
  const paged = (await call(gw.app, '/v1/servers?RAX-PIE:img=70a599e0-31e7-49b7-b260-868f441e862b&limit=1')).json();
  expect(paged.servers.map((s: Parsed) => s.id)).toEqual([a]);
  expect(paged.servers_links[0].href).toContain('RAX-PIE%3Aimg=');
});

test('a bad or repeated img is a 400', async () => {
  expect((await call(gw.app, '/v1/servers?RAX-PIE:img=nope')).status).toBe(400);
  expect((await call(gw.app, '/v1/servers?RAX-PIE:img=70a599e0-31e7-49b7-b260-868f441e862b&RAX-PIE:img=155d900f-4e14-4e4c-a73d-069cbf4541e6', XML)).status).toBe(400);
});

test('a disabled extension leaves no trace: attribute, parameter and discovery entry vanish', async () => {
  const off = await testGateway({ extensions: { disable: ['RAX-PIE'] } });
  expect((await call(off.app, '/v1/images/detail')).text).not.toContain('RAX-PIE');
  expect((await call(off.app, '/v1/images/detail', XML)).text).not.toContain('RAX-PIE');
  const r = await call(off.app, '/v1/servers?RAX-PIE:img=70a599e0-31e7-49b7-b260-868f441e862b');
  expect(r.status).toBe(400);
  expect(r.json().badRequest.message).toContain('not loaded');
  expect((await call(off.app, '/v1/extensions/RAX-PIE')).status).toBe(404);
});
