import { beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from '../../test/support/gateway.ts';
import { action, CORE_NS, createServer, FLAVOR, IMAGE, xml } from '../../test/support/compute.ts';

const NS = 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0';
let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});

describe('RAX-DCF: diskConfig on servers and images', () => {
  test('JSON: set on create, AUTO by default, shown on the server', async () => {
    const manual = await createServer(gw.app, { 'RAX-DCF:diskConfig': 'MANUAL' });
    const auto = await createServer(gw.app);
    expect((await call(gw.app, `/v1/servers/${manual}`)).json().server['RAX-DCF:diskConfig']).toBe('MANUAL');
    expect((await call(gw.app, `/v1/servers/${auto}`)).json().server['RAX-DCF:diskConfig']).toBe('AUTO');
  });

  test('an update changes it (JSON and XML), as nova\'s OS-DCF does; a value other than AUTO or MANUAL is 400 and changes nothing', async () => {
    const id = await createServer(gw.app);
    const j = await call(gw.app, `/v1/servers/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { 'RAX-DCF:diskConfig': 'MANUAL' } }) });
    expect([j.status, j.json().server['RAX-DCF:diskConfig']]).toEqual([200, 'MANUAL']);
    const x = await call(gw.app, `/v1/servers/${id}`, xml('PUT', `<server xmlns="${CORE_NS}" xmlns:RAX-DCF="${NS}" RAX-DCF:diskConfig="AUTO"/>`));
    expect(x.status).toBe(200);
    const bad = await call(gw.app, `/v1/servers/${id}`, xml('PUT', `<server xmlns="${CORE_NS}" xmlns:RAX-DCF="${NS}" RAX-DCF:diskConfig="SIDEWAYS"/>`));
    expect(bad.status).toBe(400);
    expect((await call(gw.app, `/v1/servers/${id}`)).json().server['RAX-DCF:diskConfig']).toBe('AUTO');
  });

  test('XML: an attribute in the extension namespace, in requests and responses (compare nova OS-DCF samples)', async () => {
    const body = `<server xmlns="${CORE_NS}" xmlns:RAX-DCF="${NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" RAX-DCF:diskConfig="MANUAL"/>`;
    const r = await call(gw.app, '/v1/servers', xml('POST', body));
    expect(r.status).toBe(202);
    const s = parseXml(r.text).server;
    expect(s['@xmlns:RAX-DCF']).toBe(NS);
    expect(s['@RAX-DCF:diskConfig']).toBe('MANUAL');
  });

  test('seeded images have one; createImage copies the server\'s', async () => {
    expect((await call(gw.app, `/v1/images/${IMAGE}`)).json().image['RAX-DCF:diskConfig']).toBe('AUTO');
    const id = await createServer(gw.app, { 'RAX-DCF:diskConfig': 'MANUAL' });
    gw.clock.advance(2000);
    const r = await action(gw.app, id, { createImage: { name: 'snap' } });
    const image = (await call(gw.app, new URL(r.headers.get('location')!).pathname, XML)).text;
    expect(parseXml(image).image['@RAX-DCF:diskConfig']).toBe('MANUAL');
  });

  test.each([
    ['JSON', () => call(gw.app, '/v1/servers', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ server: { name: 'x', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'SIDEWAYS' } }) })],
    ['XML', () => call(gw.app, '/v1/servers', xml('POST', `<server xmlns="${CORE_NS}" xmlns:d="${NS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" d:diskConfig="SIDEWAYS"/>`))],
  ])('an invalid value is a 400 and creates nothing (%s)', async (_, send) => {
    const r = await send();
    expect(r.status).toBe(400);
    expect(r.text).toContain('AUTO or MANUAL');
    expect((await call(gw.app, '/v1/servers')).json().servers).toEqual([]);
  });
});
