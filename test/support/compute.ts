/** The compute API's requests tests send, from the public testing API (src/testing.ts), and fixtures built on them. */
import type { Hono } from 'hono';
import { createServer, json } from '../../src/testing.ts';
import { call, testGateway, type Reply, type TestGateway } from './gateway.ts';
import type { ConfigInput } from '../../src/config.ts';

export { CORE_NS, createServer, FLAVOR, IMAGE, json, xml } from '../../src/testing.ts';

/** An action, through the suite's `call`: its answer validated, and navigated freely. */
export const action = (app: Hono, id: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  call(app, `/v1/servers/${id}/action`, json('POST', body, headers));

/** A test gateway with one server, already ACTIVE: what most action tests start from. */
export const gatewayWithServer = async (input: ConfigInput = {}): Promise<{ gw: TestGateway; id: string }> => {
  const gw = await testGateway(input);
  const id = await createServer(gw.app);
  gw.clock.advance(2000); // BUILD -> ACTIVE
  return { gw, id };
};
