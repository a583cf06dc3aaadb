import { expect, test } from 'vitest';
import { call, testGateway } from './support/gateway.ts';
import { createServer, json } from './support/compute.ts';
import { gate } from './fixtures/gate/RAX-GATE/gate.ts';

test('two conflicting changes at once: one commits, the other gets 409 and changes nothing (no lost update)', async () => {
  const gw = await testGateway({ extensions: { paths: ['test/fixtures/gate'], onInvalid: 'fail' }, vendors: {} });
  const id = await createServer(gw.app);
  gate.close();
  const a = call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'from-a', accessIPv4: '10.0.0.1' } }));
  const b = call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'from-b' } }));
  while (gate.waiting < 2) await new Promise((r) => setTimeout(r, 5));
  gate.open();
  const [ra, rb] = await Promise.all([a, b]);
  expect([ra.status, rb.status].sort()).toEqual([200, 409]);
  const loser = ra.status === 409 ? ra : rb;
  expect(loser.json().conflictingRequest.message).toContain('changed by another request');
  const winner = ra.status === 200 ? 'from-a' : 'from-b';
  const s = (await call(gw.app, `/v1/servers/${id}`)).json().server;
  expect(s.name).toBe(winner);
  expect(s.accessIPv4).toBe(winner === 'from-a' ? '10.0.0.1' : '');
});
