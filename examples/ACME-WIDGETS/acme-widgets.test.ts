import { expect, test } from 'vitest';
import { call, parseXml, testGateway, XML } from '../../test/support/gateway.ts';
import { action, createServer } from '../../test/support/compute.ts';

test('repaint, in JSON and XML', async () => {
  const gw = await testGateway({ vendors: { ACME: 'Acme Corp' }, extensions: { paths: ['examples'] } });
  const id = await createServer(gw.app);
  gw.clock.advance(2000); // BUILD -> ACTIVE
  expect((await action(gw.app, id, { 'ACME-WIDGETS:repaint': {} })).status).toBe(202);
  expect((await call(gw.app, `/v1/servers/${id}`)).json().server['ACME-WIDGETS:colour']).toBe('red');
  expect(parseXml((await call(gw.app, `/v1/servers/${id}`, XML)).text).server['@ACME-WIDGETS:colour']).toBe('red');
  expect((await action(gw.app, id, { 'ACME-WIDGETS:repaint': {} })).status).toBe(409);
});
