import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { action, call, createServer, testGateway } from 'extgate/testing';

// The folder that holds ACME-WIDGETS/, wherever it is: the project's examples/ or your own.
const extensions = fileURLToPath(new URL('..', import.meta.url));
const gw = await testGateway({ vendors: { ACME: 'Acme Corp' }, extensions: { paths: [extensions] } });
afterAll(() => gw.close());

test('repaint, in JSON and XML', async () => {
  const id = await createServer(gw.app);
  gw.clock.advance(2000); // BUILD -> ACTIVE
  expect((await action(gw.app, id, { 'ACME-WIDGETS:repaint': {} })).status).toBe(202);
  expect((await call(gw.app, `/v1/servers/${id}`)).json<{ server: Record<string, unknown> }>().server['ACME-WIDGETS:colour']).toBe('red');
  const xml = await call(gw.app, `/v1/servers/${id}`, { headers: { Accept: 'application/xml' } });
  expect(xml.text).toContain('ACME-WIDGETS:colour="red"');
  expect((await action(gw.app, id, { 'ACME-WIDGETS:repaint': {} })).status).toBe(409);
});
