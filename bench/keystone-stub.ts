import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Keystone's two token calls, answered at once, for the benchmark only: what is measured is a
 * request with a token the gateway has cached, so Keystone is asked once (the tests use the real
 * one). It counts validations, so the run can show the cache held.
 */
export const startKeystoneStub = async (project: string): Promise<{ url: string; validations: () => number; close: () => void }> => {
  let validations = 0;
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString();
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'service-token' }).end(JSON.stringify({ token: { expires_at: expires } }));
      return;
    }
    validations++;
    const token = { expires_at: expires, user: { id: 'bench-user' }, project: { id: project }, roles: [{ name: 'member' }, { name: 'reader' }] };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`, validations: () => validations, close: () => server.close() };
};
