import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Field, Shape, Value } from '../model/shape.ts';
import { CORE, spellingOf, xmlName, type Naming, type OldSpelling, type Resolved, type Spelling } from '../model/naming.ts';
import { badRequest } from './fault.ts';
import { ATOM_NS } from './namespaces.ts';
import { checked, refusedName, requireFields, sameField, scalarFromText, usedOld, type Incoming, type OldUse, type Reader } from './read.ts';

/**
 * The XML reader: a namespace-resolved element tree from fast-xml-parser, read with a Shape.
 * DOCTYPEs and entity declarations are refused outright (no external entities, no expansion
 * bombs); a name in a namespace that is neither the core's, Atom's nor a loaded extension's is a 400.
 */
export interface XmlAttribute {
  readonly namespace?: string;
  readonly local: string;
  readonly spelled: string;
  readonly value: string;
}

export interface XmlElement {
  readonly namespace?: string;
  readonly local: string;
  readonly spelled: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

type Raw = Record<string, unknown>;

const build = (node: Raw, scope: ReadonlyMap<string, string>): XmlElement => {
  const tag = Object.keys(node).find((k) => k !== ':@')!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let inScope = scope;
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inScope === scope) inScope = new Map(scope);
      (inScope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const resolve = (qname: string, isAttribute: boolean): { namespace?: string; local: string } => {
    const colon = qname.indexOf(':');
    if (colon === -1) return { namespace: isAttribute ? undefined : inScope.get('') || undefined, local: qname };
    const prefix = qname.slice(0, colon);
    if (prefix === 'xml') return { namespace: XML_NS, local: qname.slice(colon + 1) };
    const namespace = inScope.get(prefix);
    if (namespace === undefined) throw badRequest(`The XML prefix "${prefix}" of <${qname}> is not declared.`);
    return { namespace, local: qname.slice(colon + 1) };
  };
  const attributes: XmlAttribute[] = [];
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attributes.push({ ...resolve(name, true), spelled: name, value });
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[tag] ?? []) as Raw[]) {
    if ('#text' in child) text += String(child['#text']);
    else children.push(build(child, inScope));
  }
  return { ...resolve(tag, false), spelled: tag, attributes, children, text: text.trim() };
};

export const parseXmlTree = (text: string): XmlElement => {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw badRequest('XML with a DOCTYPE or entity declarations is refused.');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badRequest(`The request body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`);
  const nodes = (parser.parse(text) as Raw[]).filter((n) => !('#text' in n));
  if (nodes.length !== 1) throw badRequest('The XML request body must have exactly one root element.');
  return build(nodes[0]!, new Map([['xml', XML_NS], ['xmlns', XMLNS]]));
};

/** The owner of a namespace as this version knows it: core (undefined), a loaded extension, or Atom (null). */
const ownerOf = (namespace: string | undefined, core: ReadonlySet<string>, naming: Naming, spelled: string): Resolved | undefined | null => {
  if (namespace === undefined || core.has(namespace)) return undefined;
  const resolved = naming.byNamespace(namespace);
  if (resolved === undefined) {
    if (namespace === ATOM_NS) return null;
    throw badRequest(`<${spelled}> is in the namespace ${namespace}, which is neither the core's nor a loaded extension's.`);
  }
  return resolved;
};

/** How the current spelling writes a name, for messages about an old one. */
const describe = (s: Spelling, name: string, contributed = true): string => {
  const n = xmlName(s, name, contributed);
  return n.namespace === undefined ? `"${n.local}" in the core namespace` : `"${n.local}" in the namespace ${n.namespace}`;
};

/** The root element of a request document, resolved to its owner (through old namespaces too). */
export const parseXml = (core: ReadonlySet<string>) => (text: string, naming: Naming): Incoming[] => {
  const root = parseXmlTree(text);
  const resolved = ownerOf(root.namespace, core, naming, root.spelled);
  if (resolved === null) throw badRequest(`<${root.spelled}> is not a request document.`);
  if (resolved?.old?.mode === 'refuse') refusedName(root.spelled, describe(spellingOf(naming, resolved.owner), root.local));
  return [{ owner: resolved?.owner, name: root.local, spelled: root.spelled, content: root, old: resolved?.old }];
};

const keyOf = (namespace: string | undefined, local: string) => `${namespace ?? ''}|${local}`;

interface Known {
  readonly field: Field;
  /** The current spelling, for messages about an old one. */
  readonly current: string;
  readonly old?: OldSpelling;
  /** For nested elements: the reader of their content in this spelling. */
  readonly sub?: Reader;
}

/**
 * A reader for the content of one element: attributes for attribute fields, child elements for
 * the rest; extension names by their namespace, current or old. `inherited` is the spelling of
 * the element itself: unqualified children of an extension's element are in its namespace.
 */
export const compileXmlReader = (shape: Shape, naming: Naming, core: ReadonlySet<string>, inherited: Spelling = CORE): Reader => {
  const attrs = new Map<string, Known>();
  const elements = new Map<string, Known>();
  for (const f of shape.fields) {
    const owned = f.owner !== undefined;
    const current = owned ? spellingOf(naming, f.owner) : inherited;
    const spellings: Spelling[] = [current, ...(owned ? naming.old(f.owner!) : [])];
    for (const s of spellings) {
      const old = s === current ? undefined : (s as OldSpelling);
      const n = xmlName(s, f.name, owned);
      const known = { field: f, current: describe(current, f.name, owned), old };
      if (f.kind === 'attribute') {
        attrs.set(keyOf(owned ? n.namespace : undefined, n.local), known);
        continue;
      }
      const sub = f.kind === 'object' ? compileXmlReader(f.shape, naming, core, s) : f.kind === 'list' ? compileXmlReader(f.item, naming, core, s) : undefined;
      elements.set(keyOf(n.namespace, n.local), { ...known, sub });
    }
  }
  const spell = (f: Field) => {
    const n = xmlName(f.owner === undefined ? inherited : spellingOf(naming, f.owner), f.name, f.owner !== undefined);
    return n.prefix === undefined ? n.local : `${n.prefix}:${n.local}`;
  };
  const normalise = (ns: string | undefined) => (ns !== undefined && core.has(ns) ? undefined : ns);
  /** Sets a field, once: a second spelling of it must say the same. */
  const put = (out: Value, k: Known, value: unknown, spelled: string, seen: Map<string, string>, uses: OldUse[] | undefined) => {
    if (k.old !== undefined) usedOld(k.old, `${k.old.alias}:${k.field.name}`, k.current, uses);
    const first = seen.get(k.field.key);
    if (first !== undefined && first !== spelled) sameField(first, out[k.field.key], spelled, value);
    seen.set(k.field.key, spelled);
    out[k.field.key] = value;
  };

  return (content, uses) => {
    const el = content as XmlElement;
    const out: Value = {};
    const seen = new Map<string, string>();
    for (const a of el.attributes) {
      if (a.namespace === XML_NS) continue;
      const k = attrs.get(keyOf(a.namespace, a.local));
      if (k === undefined) {
        const owner = ownerOf(a.namespace, core, naming, a.spelled);
        if (owner !== undefined && owner !== null) throw badRequest(`The attribute ${a.spelled} is not a field of <${el.spelled}>.`);
        continue;
      }
      if (k.field.kind === 'attribute') put(out, k, checked(k.field, scalarFromText(k.field.type, a.value, a.spelled), a.spelled), a.spelled, seen, uses);
    }
    for (const child of el.children) {
      const k = elements.get(keyOf(normalise(child.namespace), child.local));
      if (k === undefined) {
        const owner = ownerOf(child.namespace, core, naming, child.spelled);
        if (owner !== undefined && owner !== null) throw badRequest(`<${child.spelled}> is not a field of <${el.spelled}>.`);
        continue;
      }
      put(out, k, checked(k.field, readChild(k.field, child, k.sub, uses), child.spelled), child.spelled, seen, uses);
    }
    requireFields(shape, out, spell);
    return out;
  };
};

const readChild = (f: Field, el: XmlElement, sub: Reader | undefined, uses: OldUse[] | undefined): unknown => {
  switch (f.kind) {
    case 'attribute':
    case 'text':
      return scalarFromText(f.type, el.text, el.spelled);
    case 'map': {
      const m: Record<string, string> = {};
      for (const entry of el.children) {
        const k = entry.attributes.find((a) => a.local === 'key' && a.namespace === undefined);
        if (k === undefined) throw badRequest(`<${entry.spelled}> in <${el.spelled}> needs a key attribute.`);
        m[k.value] = entry.text;
      }
      return m;
    }
    case 'object':
      return sub!(el, uses);
    case 'list':
      return (f.wrapped ? el.children : [el]).map((item) => sub!(item, uses));
    case 'values':
      return el.children.map((item) => scalarFromText(f.type, item.text, item.spelled));
    default:
      return undefined;
  }
};
