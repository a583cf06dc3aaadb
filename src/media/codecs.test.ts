import { describe, expect, test } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { attribute, extendShape, links, list, map, object, shape, text, values } from '../model/shape.ts';
import { definedNaming, namingOf } from '../model/naming.ts';
import { jsonCodec, xmlCodec } from './codecs.ts';
import { escapeAttr, escapeText } from './xml.ts';

const CORE = 'http://docs.openstack.org/compute/api/v1.1';
const PIE = 'http://docs.rackspacecloud.com/servers/api/ext/pie/v1.0';
const DESC = 'http://docs.rackspacecloud.com/servers/api/ext/desc/v1.0';
const OS_PIE = 'http://docs.openstack.org/compute/ext/pie/api/v1.1';

// The spec's image with RAX-PIE's attribute and RAX-DESC's element (examples 3.7 to 3.9).
const image = extendShape(shape('image', CORE, [attribute('id'), attribute('name'), attribute('status'), links()]), [
  attribute('shared', 'boolean', 'RAX-PIE'),
  text('description', 'string', 'RAX-DESC'),
]);
const value = {
  id: '1',
  name: 'CentOS 5.2',
  status: 'ACTIVE',
  links: [{ rel: 'self', href: 'http://x/images/1' }],
  'RAX-PIE:shared': true,
  'RAX-DESC:description': 'This is a sample image description.',
};
const naming = definedNaming([
  { alias: 'RAX-PIE', namespace: PIE },
  { alias: 'RAX-DESC', namespace: DESC },
]);

describe('extension names are qualified at the edge', () => {
  test('JSON: alias:name properties (example 3.9)', () => {
    expect(JSON.parse(jsonCodec.document(image, naming)(value))).toEqual({
      image: {
        id: '1', name: 'CentOS 5.2', status: 'ACTIVE', links: [{ rel: 'self', href: 'http://x/images/1' }],
        'RAX-PIE:shared': true, 'RAX-DESC:description': 'This is a sample image description.',
      },
    });
  });

  test('XML: prefixed attribute and element in the extension namespaces, declared on the root, after the core', () => {
    const xml = xmlCodec.document(image, naming)(value);
    expect(xml).toContain(`xmlns:RAX-PIE="${PIE}"`);
    expect(xml).toContain(`xmlns:RAX-DESC="${DESC}"`);
    expect(xml).toContain('RAX-PIE:shared="true"');
    expect(xml).toMatch(/<atom:link [^>]*\/><RAX-DESC:description>This is a sample image description\.<\/RAX-DESC:description><\/image>$/);
    expect(() => new XMLParser().parse(xml, true)).not.toThrow();
  });

  test('a promoted naming renders the same module with other names; core names lose the prefix', () => {
    const promoted = namingOf([
      { owner: 'RAX-PIE', current: { alias: 'OS-PIE', namespace: OS_PIE }, old: [] },
      { owner: 'RAX-DESC', current: { alias: undefined, namespace: undefined }, old: [] },
    ]);
    const json = JSON.parse(jsonCodec.document(image, promoted)(value)).image;
    expect(json['OS-PIE:shared']).toBe(true);
    expect(json.description).toBe('This is a sample image description.');
    expect(Object.keys(json).filter((k) => k.includes(':'))).toEqual(['OS-PIE:shared']);
    const xml = xmlCodec.document(image, promoted)(value);
    expect(xml).toContain(`xmlns:OS-PIE="${OS_PIE}"`);
    expect(xml).toContain('OS-PIE:shared="true"');
    expect(xml).toContain('<description>This is a sample image description.</description>');
    expect(xml).not.toContain('RAX-');
  });

  test('old names kept in both: every written spelling carries the value, bound to its own namespace', () => {
    const old = { owner: 'RAX-PIE', alias: 'RAX-PIE', namespace: PIE, mode: 'both' as const, successor: 'OS-PIE', deprecatedAt: 0 };
    const both = namingOf([
      { owner: 'RAX-PIE', current: { alias: 'OS-PIE', namespace: OS_PIE }, old: [old] },
      { owner: 'RAX-DESC', current: { alias: 'RAX-DESC', namespace: DESC }, old: [] },
    ]);
    const json = JSON.parse(jsonCodec.document(image, both)(value)).image;
    expect([json['OS-PIE:shared'], json['RAX-PIE:shared']]).toEqual([true, true]);
    const xml = xmlCodec.document(image, both)(value);
    expect(xml).toContain(`xmlns:OS-PIE="${OS_PIE}"`);
    expect(xml).toContain(`xmlns:RAX-PIE="${PIE}"`);
    expect(xml).toContain('OS-PIE:shared="true" RAX-PIE:shared="true"');
    // accept: read, never written
    const accept = namingOf([
      { owner: 'RAX-PIE', current: { alias: 'OS-PIE', namespace: OS_PIE }, old: [{ ...old, mode: 'accept' as const }] },
      { owner: 'RAX-DESC', current: { alias: 'RAX-DESC', namespace: DESC }, old: [] },
    ]);
    expect(xmlCodec.document(image, accept)(value)).not.toContain('RAX-PIE');
  });

  test('renamed into core: the contributed name changes, the names inside its structure do not', () => {
    const tags = extendShape(shape('server', CORE, [attribute('id')]), [values('tag', 'tag', 'string', 'MLTI-TAGS')]);
    const core = namingOf([{ owner: 'MLTI-TAGS', current: { alias: undefined, namespace: undefined, renames: new Map([['tag', 'tags']]) }, old: [] }]);
    const v = { id: 'a', 'MLTI-TAGS:tag': ['web'] };
    expect(JSON.parse(jsonCodec.document(tags, core)(v)).server).toEqual({ id: 'a', tags: ['web'] });
    expect(xmlCodec.document(tags, core)(v)).toContain('<tags><tag>web</tag></tags>');
  });

  test('children of an extension-owned element are in its namespace; its attributes unqualified', () => {
    const volume = shape('volume', CORE, [attribute('CBSID'), attribute('type')]);
    const server = extendShape(shape('server', CORE, [attribute('id')]), [list('volumes', volume, { owner: 'RAX-CBS' })]);
    const cbs = definedNaming([{ alias: 'RAX-CBS', namespace: 'http://cbs' }]);
    const v = { id: 'a', 'RAX-CBS:volumes': [{ CBSID: '123', type: 'SSD' }] };
    expect(xmlCodec.document(server, cbs)(v)).toContain('<RAX-CBS:volumes><RAX-CBS:volume CBSID="123" type="SSD"/></RAX-CBS:volumes>');
    expect(JSON.parse(jsonCodec.document(server, cbs)(v)).server['RAX-CBS:volumes']).toEqual([{ CBSID: '123', type: 'SSD' }]);
  });
});

describe('one form per scalar', () => {
  const s = shape('thing', CORE, [attribute('n', 'integer'), attribute('b', 'boolean'), attribute('z'), text('t'), text('nil')]);
  const v = { n: 0, b: false, z: null, t: 'x', nil: null };
  test('JSON keeps types and null', () => {
    expect(JSON.parse(jsonCodec.document(s, naming)(v)).thing).toEqual({ n: 0, b: false, z: null, t: 'x', nil: null });
  });
  test('XML: numbers and booleans by their lexical form, null leaves the name out (never "None")', () => {
    const xml = xmlCodec.document(s, naming)(v);
    expect(xml).toContain('<thing xmlns="http://docs.openstack.org/compute/api/v1.1" n="0" b="false"><t>x</t></thing>');
    expect(xml).not.toContain('None');
    expect(xml).not.toContain('null');
  });
});

describe('maps, objects, lists', () => {
  const server = shape('server', CORE, [
    attribute('id'),
    object('image', shape('image', CORE, [attribute('id'), links()])),
    map('metadata', 'meta'),
    list('tags', shape('tag', CORE, [attribute('name')])),
  ]);
  const v = { id: 's', image: { id: 'i', links: [{ rel: 'bookmark', href: 'http://x/i' }] }, metadata: { 'My Server': 'Apache1', 'RAX-X:y': 'z' }, tags: [{ name: 'a' }] };
  test('XML: nova shapes (compare the OS-DCF sample)', () => {
    const xml = xmlCodec.document(server, naming)(v);
    expect(xml).toContain('<image id="i"><atom:link rel="bookmark" href="http://x/i"/></image>');
    expect(xml).toContain('<metadata><meta key="My Server">Apache1</meta><meta key="RAX-X:y">z</meta></metadata>');
    expect(xml).toContain('<tags><tag name="a"/></tags>');
  });
  test('JSON: metadata keys are user data, never renamed', () => {
    expect(JSON.parse(jsonCodec.document(server, naming)(v)).server.metadata).toEqual({ 'My Server': 'Apache1', 'RAX-X:y': 'z' });
  });
});

describe('escaping', () => {
  test('text and attributes', () => {
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(escapeAttr('"q"\n')).toBe('&quot;q&quot;&#10;');
    expect(escapeText('bell\u0007')).toBe('bell\ufffd');
    expect(escapeText('plain')).toBe('plain');
  });
});
