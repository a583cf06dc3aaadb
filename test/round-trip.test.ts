import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, test } from 'vitest';
import { escapeAttr, escapeText } from '../src/media/xml.ts';
import { NOT_XML } from '../src/media/read.ts';
import { call, testGateway, XML, type TestGateway } from './support/gateway.ts';
import { CORE_NS, FLAVOR, IMAGE, json, xml } from './support/compute.ts';

/**
 * Property: any string a client can store (control characters XML allows, newlines, returns,
 * tabs, quotes, `<`, `&`, characters outside the BMP, up to the longest allowed) comes back
 * identical whichever media type wrote it and whichever reads it. The XML answers are read with a
 * strict XML 1.0 parser, as a client would; the XML requests are written with the escaping XML
 * asks for (the same functions the gateway's own writer uses: a newline in an attribute must be a
 * reference, or a parser reads it as a space).
 */
let gw: TestGateway;
beforeAll(async () => {
  gw = await testGateway();
});

/** What XML 1.0 can carry, with the characters that need care drawn often. */
const XML_CHAR = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\n', '\r', '\t', '"', "'", '<', '>', '&', ' ', '\u{1F600}', '\u00e9', '\u2028', '\ud7ff', '\ue000', '\ufffd', '\u{10FFFF}') },
  { weight: 7, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !NOT_XML.test(c)) },
);
/** A server name: at most 255 characters (UTF-16 units, as JSON counts them), not blank. */
const NAME = fc.array(XML_CHAR, { minLength: 1, maxLength: 120 }).map((cs) => cs.join('').slice(0, 255)).filter((s) => s.trim() !== '' && !/[\ud800-\udbff]$/.test(s));

/** The name and the metadata value of a server document, read by a strict XML parser. */
const fromXml = (text: string): { name: string; note: string } => {
  const parser = new SaxesParser({ xmlns: true });
  let name = '';
  let note = '';
  let inNote = false;
  parser.on('opentag', (t) => {
    if (t.local === 'server') name = t.attributes.name!.value;
    inNote = t.local === 'meta' && t.attributes.key?.value === 'note';
  });
  parser.on('text', (x) => {
    if (inNote) note += x;
  });
  parser.on('closetag', () => {
    inNote = false;
  });
  parser.write(text).close();
  return { name, note };
};

/** Straight through the app: every XML answer's validity is checked elsewhere, and here a few hundred are read. */
const raw = async (path: string, init: RequestInit = {}) => {
  const r = await gw.app.request(path, init);
  return { status: r.status, text: await r.text() };
};

const readBoth = async (id: string) => {
  const j = JSON.parse((await raw(`/v1/servers/${id}`)).text).server;
  const x = fromXml((await raw(`/v1/servers/${id}`, XML)).text);
  return [{ name: j.name, note: j.metadata.note }, x];
};

describe('a stored string comes back identical, in either media type', () => {
  test('written in JSON, read in JSON and in XML', async () => {
    await fc.assert(
      fc.asyncProperty(NAME, async (s) => {
        const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: s, imageRef: IMAGE, flavorRef: FLAVOR, metadata: { note: s } } }));
        expect(r.status).toBe(202);
        expect(await readBoth(r.json().server.id)).toEqual([{ name: s, note: s }, { name: s, note: s }]);
      }),
      { numRuns: 60 },
    );
  });

  test('written in XML, read in JSON and in XML', async () => {
    await fc.assert(
      fc.asyncProperty(NAME, async (s) => {
        const body = `<server xmlns="${CORE_NS}" name="${escapeAttr(s)}" imageRef="${IMAGE}" flavorRef="${FLAVOR}"><metadata><meta key="note">${escapeText(s)}</meta></metadata></server>`;
        const r = await raw('/v1/servers', xml('POST', body));
        expect(r.status).toBe(202);
        expect(await readBoth(fromXmlId(r.text))).toEqual([{ name: s, note: s }, { name: s, note: s }]);
      }),
      { numRuns: 60 },
    );
  });

  test('the longest name allowed, of characters outside the BMP too', async () => {
    const s = `${'\u{1F600}'.repeat(120)}&<"\r\n${'x'.repeat(10)}`;
    expect(s.length).toBe(255);
    const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: s, imageRef: IMAGE, flavorRef: FLAVOR, metadata: { note: s } } }));
    expect(await readBoth(r.json().server.id)).toEqual([{ name: s, note: s }, { name: s, note: s }]);
    const longer = await call(gw.app, '/v1/servers', json('POST', { server: { name: `${s}x`, imageRef: IMAGE, flavorRef: FLAVOR } }));
    expect(longer.status).toBe(400);
  });

  test('a string XML cannot carry is stored by neither', async () => {
    await fc.assert(
      fc.asyncProperty(NAME, fc.constantFrom('\u0000', '\u0001', '\u001f', '\ufffe', '\uffff', '\ud800'), async (s, bad) => {
        const before = (await call(gw.app, '/v1/servers')).json().servers.length;
        const r = await call(gw.app, '/v1/servers', json('POST', { server: { name: `${s.slice(0, 200)}${bad}`, imageRef: IMAGE, flavorRef: FLAVOR } }));
        expect(r.status).toBe(400);
        expect((await call(gw.app, '/v1/servers')).json().servers.length).toBe(before);
      }),
      { numRuns: 20 },
    );
  });
});

const fromXmlId = (text: string): string => /<server [^>]*\sid="([^"]+)"/.exec(text)![1]!;
