import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { call, parseXml, testGateway, XML, type TestGateway } from './support/gateway.ts';
import { action, createServer, FLAVOR, IMAGE, json } from './support/compute.ts';
import { textOfPattern } from '../src/core/filters.ts';

/** nova's list filters on the core collections, in both list forms and both media types. */
const UBUNTU = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const SMALL = '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0002';

let gw: TestGateway;
beforeEach(async () => {
  gw = await testGateway();
});
afterEach(() => gw.close());

const names = async (path: string): Promise<string[]> => {
  const r = await call(gw.app, path);
  expect(r.status, r.text).toBe(200);
  const key = Object.keys(r.json())[0]!;
  return r.json()[key].map((x: { name: string }) => x.name).sort();
};
const xmlNames = async (path: string): Promise<string[]> => {
  const r = await call(gw.app, path, XML);
  const doc = parseXml(r.text);
  const root = Object.keys(doc).find((k) => k !== '?xml')!;
  const items = doc[root][root.slice(0, -1)];
  return (items === undefined ? [] : [items].flat()).map((x: Record<string, string>) => x['@name']).sort();
};

describe('servers', () => {
  beforeEach(async () => {
    await createServer(gw.app, { name: 'web-1' });
    await createServer(gw.app, { name: 'web-2', imageRef: UBUNTU });
    gw.clock.advance(2000);
    await createServer(gw.app, { name: 'db', flavorRef: SMALL });
  });

  test('name is a regular expression searched for in the name; status, image, flavor match; both list forms, JSON and XML', async () => {
    for (const list of ['/v1/servers', '/v1/servers/detail']) {
      expect(await names(`${list}?name=web`)).toEqual(['web-1', 'web-2']);
      expect(await names(`${list}?name=${encodeURIComponent('^w.*2$')}`)).toEqual(['web-2']);
      expect(await names(`${list}?name=${encodeURIComponent('^web\\-1$')}`)).toEqual(['web-1']);
      expect(await names(`${list}?name=b-`)).toEqual(['web-1', 'web-2']);
      expect(await names(`${list}?name=${encodeURIComponent('^web-\\d$')}`)).toEqual(['web-1', 'web-2']);
      expect(await names(`${list}?name=${encodeURIComponent('^we?b-[2-9]+$')}`)).toEqual(['web-2']);
      expect(await names(`${list}?status=BUILD`)).toEqual(['db']);
      expect(await names(`${list}?status=active`)).toEqual(['web-1', 'web-2']);
      expect(await names(`${list}?image=${UBUNTU}`)).toEqual(['web-2']);
      expect(await names(`${list}?image=${encodeURIComponent(`http://h/images/${IMAGE}`)}&flavor=${FLAVOR}`)).toEqual(['web-1']);
      expect(await xmlNames(`${list}?name=web&status=ACTIVE`)).toEqual(['web-1', 'web-2']);
    }
  });

  test('changes-since: servers changed at or after the time; a time that is not ISO 8601 is 400', async () => {
    const later = new Date(gw.clock.now()).toISOString();
    gw.clock.advance(5000);
    const id = (await call(gw.app, '/v1/servers?name=db')).json().servers[0].id;
    expect((await call(gw.app, `/v1/servers/${id}`, json('PUT', { server: { name: 'db-renamed' } }))).status).toBe(200);
    expect(await names(`/v1/servers/detail?changes-since=${encodeURIComponent(new Date(gw.clock.now()).toISOString())}`)).toEqual(['db-renamed']);
    expect(await names(`/v1/servers?changes-since=${encodeURIComponent(later)}`)).toEqual(['db-renamed']);
    expect(await names('/v1/servers?changes-since=2000-01-01')).toHaveLength(3);
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '']) {
      const r = await call(gw.app, `/v1/servers?changes-since=${bad}`, XML);
      expect(r.status).toBe(400);
      expect(parseXml(r.text).badRequest.message).toContain('changes-since');
    }
  });

  test('a bad regular expression is 400; limit=0 is an empty list; an unknown unqualified filter is ignored', async () => {
    const r = await call(gw.app, '/v1/servers?name=(');
    expect(r.status).toBe(400);
    expect(r.json().badRequest.message).toContain('"name"');
    // One that cannot run in linear time would stall every request: refused by name, and a catastrophic one runs in linear time.
    expect((await call(gw.app, `/v1/servers?name=${encodeURIComponent('(a)\\1')}`)).status).toBe(400);
    await createServer(gw.app, { name: `${'a'.repeat(40)}!` });
    const started = Date.now();
    expect(await names(`/v1/servers?name=${encodeURIComponent('^(a+)+$')}`)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await names('/v1/servers?limit=0')).toEqual([]);
    expect(await names('/v1/servers?ip=10.0.0.1')).toHaveLength(4);
  });

  test('filters combine with paging: the page is of the filtered list', async () => {
    const first = (await call(gw.app, '/v1/servers?name=web&limit=1')).json();
    expect(first.servers).toHaveLength(1);
    const next = new URL(first.servers_links[0].href);
    expect(next.searchParams.get('name')).toBe('web');
    expect((await call(gw.app, `${next.pathname}${next.search}`)).json().servers).toHaveLength(1);
  });
});

test('the text every name a pattern matches contains, which the store\'s query looks for: never text a match could lack', () => {
  const cases: [string, string | undefined][] = [
    // Plain text, whole.
    ['web-1', 'web-1'],
    ['^web$', 'web'],
    ['^web\\.example$', 'web.example'],
    ['100%_', '100%_'],
    ['a\\$', 'a$'],
    ['a\\\\$', 'a\\'],
    ['\\^a', '^a'],
    ['\\/\\-', '/-'],
    ['\\\u{1F642}', '\u{1F642}'],
    // The longest run that every match holds.
    ['^web-\\d+$', 'web-'],
    ['\\bweb\\b', 'web'],
    ['w.b', 'w'],
    ['ab+c', 'ab'],
    ['ab*c', 'a'],
    ['abc?d', 'ab'],
    ['a+?bc', 'bc'],
    ['(a)bc', 'bc'],
    ['[abc]de', 'de'],
    ['x[]]yz', 'yz'],
    ['\\u0041bc', 'bc'],
    ['\\x41bcdef', 'bcdef'],
    ['\\cAbc', 'bc'],
    ['\\0abc', 'abc'],
    ['a^b', 'a'],
    ['a]', 'a'],
    // Nothing it can be sure of.
    ['', undefined],
    ['^', undefined],
    ['^$', undefined],
    ['a|b', undefined],
    ['web|db', undefined],
    ['a?', undefined],
    ['a*', undefined],
    ['(a)', undefined],
    ['(?:a)', undefined],
    ['[a]', undefined],
    ['a{2}', undefined],
    ['a}', undefined],
    ['\\d', undefined],
    ['\\u0041', undefined],
    ['\\1234', undefined],
    ['\\b', undefined],
    ['a\\', undefined],
  ];
  for (const [pattern, text] of cases) expect(textOfPattern(pattern), pattern).toBe(text);
});

describe('images and flavors', () => {
  test('images by name, status, server, type and minimum disk or RAM', async () => {
    const id = await createServer(gw.app, { name: 'src' });
    gw.clock.advance(2000);
    expect((await action(gw.app, id, { createImage: { name: 'snap' } })).status).toBe(202);
    expect(await names('/v1/images?name=snap')).toEqual(['snap']);
    expect(await names('/v1/images/detail?status=SAVING')).toEqual(['snap']);
    expect(await names(`/v1/images?server=${id}`)).toEqual(['snap']);
    expect(await names('/v1/images?type=snapshot')).toEqual(['snap']);
    expect(await names('/v1/images?type=base')).toEqual(['cirros-0.6.2', 'ubuntu-24.04']);
    expect(await names('/v1/images/detail?minRam=1024')).toEqual(['ubuntu-24.04']);
    expect((await call(gw.app, '/v1/images?type=other')).status).toBe(400);
  });

  test('flavors by minimum disk and RAM; a value that is not a whole number is 400', async () => {
    expect(await names('/v1/flavors?minDisk=20')).toEqual(['m1.medium', 'm1.small']);
    expect(await names('/v1/flavors/detail?minRam=4096')).toEqual(['m1.medium']);
    expect(await xmlNames('/v1/flavors?minRam=2048&minDisk=40')).toEqual(['m1.medium']);
    expect((await call(gw.app, '/v1/flavors?minRam=big')).status).toBe(400);
  });
});
