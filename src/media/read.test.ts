import { describe, expect, test } from 'vitest';
import { attribute, extendShape, input, map, shape, values } from '../model/shape.ts';
import { definedNaming } from '../model/naming.ts';
import { jsonCodec, xmlCodec } from './codecs.ts';
import { Fault } from './fault.ts';

const CORE = 'http://docs.openstack.org/compute/api/v1.1';
const DCF = 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0';
const naming = definedNaming([{ alias: 'RAX-DCF', namespace: DCF }]);
const oneOf = (...values: string[]) => (v: unknown) => (values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}`);

const create = extendShape(
  shape('server', CORE, [
    input(attribute('name'), { required: true }),
    input(attribute('flavorRef'), { required: true }),
    attribute('count', 'integer'),
    map('metadata', 'meta'),
  ]),
  [input(attribute('diskConfig', 'string', 'RAX-DCF'), { check: oneOf('AUTO', 'MANUAL') })],
);

const readJson = (body: unknown) => {
  const [doc] = jsonCodec.parse!(JSON.stringify(body), naming);
  return jsonCodec.reader!(create, naming)(doc!.content);
};
const readXml = (xml: string) => {
  const [doc] = xmlCodec.parse!(xml, naming);
  return xmlCodec.reader!(create, naming)(doc!.content);
};
const fault = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Fault);
    expect((e as Fault).code).toBe(400);
    return (e as Fault).message;
  }
  throw new Error('expected a 400 fault');
};

describe('one model from JSON and from XML', () => {
  const expected = { name: 'web', flavorRef: '1', count: 2, metadata: { 'My Server': 'Apache1', 'RAX-X:y': 'z' }, 'RAX-DCF:diskConfig': 'MANUAL' };

  test('JSON', () => {
    expect(readJson({ server: { name: 'web', flavorRef: '1', count: 2, metadata: { 'My Server': 'Apache1', 'RAX-X:y': 'z' }, 'RAX-DCF:diskConfig': 'MANUAL', personality: [] } })).toEqual(expected);
  });

  test('XML', () => {
    expect(
      readXml(`<?xml version="1.0"?><server xmlns="${CORE}" xmlns:dcf="${DCF}" name="web" flavorRef="1" count="2" dcf:diskConfig="MANUAL">
        <metadata><meta key="My Server">Apache1</meta><meta key="RAX-X:y">z</meta></metadata><personality/></server>`),
    ).toEqual(expected);
  });
});

describe('what a client can send wrong', () => {
  test.each([
    [{ server: { name: 'w', flavorRef: '1', 'RAX-NOPE:x': 1 } }, 'RAX-NOPE'],
    [{ server: { name: 'w', flavorRef: '1', 'RAX-DCF:nope': 1 } }, 'RAX-DCF:nope'],
    [{ server: { name: 'w', flavorRef: '1', 'RAX-DCF:diskConfig': 'SIDEWAYS' } }, 'must be one of AUTO, MANUAL'],
    [{ server: { name: 'w', flavorRef: '1', count: 'two' } }, '"count" must be an integer'],
    [{ server: { name: 'w', flavorRef: '1', metadata: { a: 1 } } }, 'metadata'],
    [{ server: { flavorRef: '1' } }, '"name" is required'],
    [{ server: 'web' }, 'must be an object'],
  ])('JSON %j: 400 mentioning %s', (body, mentions) => {
    expect(fault(() => readJson(body))).toContain(mentions);
  });

  test('JSON that does not parse', () => {
    expect(fault(() => jsonCodec.parse!('{"server": ', naming))).toContain('not valid JSON');
    expect(fault(() => jsonCodec.parse!('[1]', naming))).toContain('JSON object');
  });

  test.each([
    [`<server xmlns="${CORE}" xmlns:n="http://nope" name="w" flavorRef="1" n:x="1"/>`, 'http://nope'],
    [`<server xmlns="${CORE}" name="w" flavorRef="1"><x:y xmlns:x="http://nope"/></server>`, 'http://nope'],
    [`<server xmlns="${CORE}" xmlns:d="${DCF}" name="w" flavorRef="1" d:nope="1"/>`, 'd:nope'],
    [`<server xmlns="${CORE}" name="w" flavorRef="1" count="x"/>`, 'integer'],
    [`<server xmlns="${CORE}" flavorRef="1"/>`, '"name" is required'],
    [`<server xmlns="${CORE}" name="w"`, 'not well-formed'],
    [`<?xml version="1.0"?><!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]><server xmlns="${CORE}" name="&x;" flavorRef="1"/>`, 'DOCTYPE'],
    [`<server xmlns="${CORE}" name="w" flavorRef="1"><metadata><meta>v</meta></metadata></server>`, 'key attribute'],
    [`<p:server xmlns:p="http://nope"/>`, 'http://nope'],
    [`<server xmlns="${CORE}" name="w" flavorRef="1" q:x="1"/>`, 'unbound namespace prefix: "q"'],
  ])('XML %s: 400 mentioning %s', (xml, mentions) => {
    expect(fault(() => readXml(xml))).toContain(mentions);
  });
});

describe('lists of scalars', () => {
  const tagged = shape('server', CORE, [values('tags', 'tag')]);
  test('JSON and XML read the same model and write it back', () => {
    const j = jsonCodec.reader!(tagged, naming)({ tags: ['web', 'prod'] });
    const [x] = xmlCodec.parse!(`<server xmlns="${CORE}"><tags><tag>web</tag><tag>prod</tag></tags></server>`, naming);
    expect(j).toEqual({ tags: ['web', 'prod'] });
    expect(xmlCodec.reader!(tagged, naming)(x!.content)).toEqual(j);
    expect(JSON.parse(jsonCodec.document(tagged, naming)(j))).toEqual({ server: { tags: ['web', 'prod'] } });
    expect(xmlCodec.document(tagged, naming)(j)).toContain('<tags><tag>web</tag><tag>prod</tag></tags>');
  });
  test('a list that is not one is a 400', () => {
    expect(fault(() => jsonCodec.reader!(tagged, naming)({ tags: 'web' }))).toContain('must be a list');
  });
});
