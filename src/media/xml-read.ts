import { SaxesParser } from 'saxes';
import { xmlElementName, type Field, type Shape, type Value } from '../model/shape.ts';
import { CORE, spellingOf, xmlName, type Naming, type OldSpelling, type Resolved, type Spelling } from '../model/naming.ts';
import { badRequest, Fault } from './fault.ts';
import { ATOM_NS } from './namespaces.ts';
import { checked, MAX_DEPTH, ownMap, readOnlyNames, refusedName, requireFields, reservedName, sameField, scalarFromText, usedOld, type Incoming, type OldUse, type Reader } from './read.ts';

/**
 * The XML reader: a namespace-resolved element tree, read with a Shape. The tree comes from saxes,
 * a strict XML 1.0 parser (jsdom's): character references and the predefined entities are
 * decoded, an undeclared entity or a code point XML forbids is not well-formed, prefixes resolve
 * by their scope. A DOCTYPE is refused outright (no entity declarations, no expansion bombs), and
 * so is a document nested deeper than any request needs. A name in a namespace that is neither
 * the core's, Atom's nor a loaded extension's is a 400.
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
  /** The element's own character data, exactly (its children's is theirs). */
  readonly text: string;
}

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

type Building = { -readonly [K in keyof XmlElement]: K extends 'children' ? XmlElement[] : XmlElement[K] };

export const parseXmlTree = (text: string): XmlElement => {
  const parser = new SaxesParser({ xmlns: true });
  const open: Building[] = [];
  let root: Building | undefined;
  parser.on('doctype', () => {
    throw badRequest('XML with a DOCTYPE or entity declarations is refused.');
  });
  parser.on('opentag', (tag) => {
    if (open.length === MAX_DEPTH) throw badRequest(`The XML request body is nested deeper than ${MAX_DEPTH} elements.`);
    const attributes: XmlAttribute[] = [];
    for (const name in tag.attributes) {
      const a = tag.attributes[name]!;
      if (a.uri !== XMLNS) attributes.push({ namespace: a.uri === '' ? undefined : a.uri, local: a.local, spelled: a.name, value: a.value });
    }
    const el: Building = { namespace: tag.uri === '' ? undefined : tag.uri, local: tag.local, spelled: tag.name, attributes, children: [], text: '' };
    if (open.length === 0) root = el;
    else open[open.length - 1]!.children.push(el);
    open.push(el);
  });
  const characters = (t: string) => {
    if (open.length > 0) open[open.length - 1]!.text += t;
  };
  parser.on('text', characters);
  parser.on('cdata', characters);
  parser.on('closetag', () => void open.pop());
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof Fault) throw err;
    throw badRequest(`The request body is not well-formed XML: ${(err as Error).message}`);
  }
  if (root === undefined) throw badRequest('The XML request body must have exactly one root element.');
  return root;
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
  reservedName(root.local, 'a request body');
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
    if (f.only === 'json') continue;
    const owned = f.owner !== undefined;
    const current = owned ? spellingOf(naming, f.owner) : inherited;
    const spellings: Spelling[] = [current, ...(owned ? naming.old(f.owner!) : [])];
    for (const s of spellings) {
      const old = s === current ? undefined : (s as OldSpelling);
      const n = xmlName(s, f.kind === 'attribute' ? f.name : xmlElementName(f), owned);
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
  // The resource's names this request may not set, as XML spells them (attribute or element).
  const readOnly = readOnlyNames(
    shape,
    (f) => {
      const owned = f.owner !== undefined;
      return [spellingOf(naming, f.owner), ...(owned ? naming.old(f.owner!) : [])].map((s) => {
        const n = xmlName(s, f.name, owned);
        return keyOf(n.namespace, n.local);
      });
    },
    spell,
    new Set([...attrs.keys(), ...elements.keys()]),
  );
  const refuseReadOnly = (namespace: string | undefined, local: string, spelled: string) => {
    const refusal = readOnly.get(keyOf(namespace, local));
    if (refusal !== undefined) throw badRequest(refusal(spelled));
  };
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
        reservedName(a.local, `<${el.spelled}>`);
        refuseReadOnly(a.namespace, a.local, a.spelled);
        const owner = ownerOf(a.namespace, core, naming, a.spelled);
        if (owner !== undefined && owner !== null) throw badRequest(`The attribute ${a.spelled} is not a field of <${el.spelled}>.`);
        continue;
      }
      if (k.field.kind === 'attribute') put(out, k, checked(k.field, scalarFromText(k.field.type, a.value, a.spelled), a.spelled), a.spelled, seen, uses);
    }
    for (const child of el.children) {
      const k = elements.get(keyOf(normalise(child.namespace), child.local));
      if (k === undefined) {
        reservedName(child.local, `<${el.spelled}>`);
        refuseReadOnly(normalise(child.namespace), child.local, child.spelled);
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
      const entries: [string, string][] = [];
      for (const entry of el.children) {
        const k = entry.attributes.find((a) => a.local === 'key' && a.namespace === undefined);
        if (k === undefined) throw badRequest(`<${entry.spelled}> in <${el.spelled}> needs a key attribute.`);
        entries.push([k.value, entry.text]);
      }
      return ownMap(entries);
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
