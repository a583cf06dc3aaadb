import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFixtures, reportListening, wantsXml } from './common.ts';

/** Raw node:http answering the same bytes: the ceiling for any Node framework. */
const byPath = new Map<string, { json?: Buffer; xml?: Buffer }>();
for (const f of readFixtures()) {
  const entry = byPath.get(f.path) ?? {};
  entry[f.contentType === 'application/xml' ? 'xml' : 'json'] = Buffer.from(f.body);
  byPath.set(f.path, entry);
}
const server = createServer((req, res) => {
  const bodies = byPath.get(req.url ?? '');
  if (bodies === undefined) {
    res.writeHead(404).end();
    return;
  }
  const xml = wantsXml(req.headers.accept);
  const body = (xml ? bodies.xml : bodies.json)!;
  res.writeHead(200, { 'Content-Type': xml ? 'application/xml' : 'application/json', 'Content-Length': body.byteLength });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => reportListening((server.address() as AddressInfo).port));
