import { beforeEach, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from '../../test/support/gateway.ts';
import { CORE_NS, IMAGE, xml } from '../../test/support/compute.ts';

let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});
const patch = (body: unknown, type = 'application/merge-patch+json', accept = 'application/json') =>
  call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, { method: 'PATCH', headers: { 'Content-Type': type, Accept: accept }, body: JSON.stringify(body) });

test('every image links to its PATCH URI with the alias as relation (examples 3.11, 3.12)', async () => {
  const j = (await call(gw.app, `http://h:1/v1/images/${IMAGE}`)).json().image;
  expect(j.links).toContainEqual({ rel: 'RAX-PATCH', href: `http://h:1/v1/images/RAX-PATCH/${IMAGE}` });
  const x = parseXml((await call(gw.app, `http://h:1/v1/images/detail`, XML)).text).images.image[0];
  expect(x['atom:link']).toContainEqual({ '@rel': 'RAX-PATCH', '@href': `http://h:1/v1/images/RAX-PATCH/${IMAGE}` });
});

test('a JSON merge patch: name replaced, metadata merged, null removes a key; 200 with the image', async () => {
  const r = await patch({ name: 'renamed', metadata: { added: 'yes', os_distro: null } });
  expect(r.status).toBe(200);
  expect(r.json().image).toMatchObject({ id: IMAGE, name: 'renamed', metadata: { added: 'yes' } });
  expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image.metadata).toEqual({ added: 'yes' });
  expect((await patch({ name: 'plain json' }, 'application/json')).status).toBe(200);
});

test('XML: an <image> in the core namespace carrying the fields to change', async () => {
  const r = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`, xml('PATCH', `<image xmlns="${CORE_NS}" name="from xml"><metadata><meta key="k">v</meta></metadata></image>`));
  expect(r.status).toBe(200);
  const image = parseXml(r.text).image;
  expect(image['@name']).toBe('from xml');
  expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image.metadata).toEqual({ os_distro: 'cirros', k: 'v' });
});

test('bad patches: 400, nothing changes; other verbs: 405 with Allow; a missing image: 404', async () => {
  for (const body of [{ name: '' }, { name: 5 }, {}, { metadata: { a: 1 } }, { 'RAX-NOPE:x': 1 }]) {
    expect((await patch(body)).status).toBe(400);
  }
  expect((await patch({ name: 'x' }, 'text/plain')).status).toBe(415);
  expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image.name).toBe('cirros-0.6.2');
  const get = await call(gw.app, `/v1/images/RAX-PATCH/${IMAGE}`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('OPTIONS, PATCH');
  const missing = await call(gw.app, '/v1/images/RAX-PATCH/00000000-0000-4000-8000-000000000000', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"name": "x"}' });
  expect(missing.status).toBe(404);
});
