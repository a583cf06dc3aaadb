/**
 * The representation model: a Shape says what a resource is made of, once, for every media type.
 * Codecs (media/json.ts, media/xml.ts) compile a Shape into an encoder per API version, the way
 * Fastify compiles a schema into a serializer. A value is a plain object keyed by field key;
 * an extension's field key is `<extension id>:<local name>`, and the edge renders the alias
 * current for the API version (see naming.ts).
 */

/** `state` values are qualified names too (`RAX-CBS:ATTACHING`): rendered per version like keys. */
export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'uri' | 'state';

/** Checks a decoded request value beyond its type; returns a message when it is not acceptable. */
export type Check = (value: unknown) => string | undefined;

/** Who owns a name: the core (undefined) or an extension, by its id (the alias it was defined with). */
export type Owner = string | undefined;

interface FieldBase {
  /** The local name: JSON property and XML attribute or element name, before qualification. */
  readonly name: string;
  readonly owner: Owner;
  /** Where the value sits in the model object. */
  readonly key: string;
  /** For request shapes: a value the client must give, and what it must look like. */
  readonly required?: boolean;
  readonly check?: Check;
  /** A map whose values may be null: a merge patch removing keys. */
  readonly nullable?: boolean;
  /** A value computed from the stored document when it is shown, instead of read from it. */
  readonly derive?: (doc: Value) => unknown;
  /** Part of the answer to a create request; left out of the answer to an update. */
  readonly inCreateAnswer?: boolean;
  readonly inUpdateAnswer?: boolean;
  /**
   * Written in one media type only: where a published XML schema has no place for what JSON
   * clients read (nova's `retryAfter`), or the reverse.
   */
  readonly only?: 'json' | 'xml';
}

/** A scalar: an XML attribute, a JSON property. */
export interface AttributeField extends FieldBase {
  readonly kind: 'attribute';
  readonly type: ScalarType;
}

/** A scalar: an XML child element holding text, a JSON property. */
export interface TextField extends FieldBase {
  readonly kind: 'text';
  readonly type: ScalarType;
}

/** A nested resource: an XML child element, a JSON object. */
export interface ObjectField extends FieldBase {
  readonly kind: 'object';
  readonly shape: Shape;
}

/**
 * A list of resources: a JSON array; in XML the items under a wrapper element named like the
 * field (`<media-types><media-type/></media-types>`), or repeated in place when `wrapped` is false.
 */
export interface ListField extends FieldBase {
  readonly kind: 'list';
  readonly item: Shape;
  readonly wrapped: boolean;
  /** The XML wrapper's name where it is not the JSON key (limits: JSON `rate`, XML `<rates>`). */
  readonly xmlWrapper?: string;
  /** No wrapper at all in XML when there are no items (a schema that wants one or more). */
  readonly omitEmptyInXml?: boolean;
}

/** Atom links: JSON `[{rel, type, href}]`, XML `<atom:link rel type href/>` elements. */
export interface LinksField extends FieldBase {
  readonly kind: 'links';
}

/** Free-form string pairs (metadata): JSON `{k: v}`, XML `<metadata><meta key="k">v</meta></metadata>`. */
export interface MapField extends FieldBase {
  readonly kind: 'map';
  readonly entry: string;
}

/**
 * Named groups of items (addresses): JSON `{"public": [{...}]}`, XML
 * `<addresses><network id="public"><ip .../></network></addresses>`.
 */
export interface GroupsField extends FieldBase {
  readonly kind: 'groups';
  readonly group: string;
  readonly groupKey: string;
  readonly item: Shape;
}

/** A list of scalars: JSON `["web", "prod"]`, XML `<tags><tag>web</tag><tag>prod</tag></tags>`. */
export interface ValuesField extends FieldBase {
  readonly kind: 'values';
  readonly item: string;
  readonly type: ScalarType;
}

export type Field = AttributeField | TextField | ObjectField | ListField | LinksField | MapField | GroupsField | ValuesField;

export interface Shape {
  /** XML element name of one item; the JSON wrapper key of a document of one item. */
  readonly element: string;
  /** Default XML namespace of the element (core namespaces only). */
  readonly namespace: string;
  readonly fields: readonly Field[];
  /** An extension's own document (`RAX-BAK:backupSchedule`): root named and namespaced by it. */
  readonly owner?: Owner;
  /**
   * For a request shape: the resource it writes, and when (`creating a server`), so that a name
   * the resource has but this request may not set is refused saying so, not as unknown.
   */
  readonly writes?: { readonly shape: Shape; readonly when: string };
}

/** A document of many items: `{"extensions": [...], "extensions_links": [...]}` / `<extensions>`. */
export interface Collection {
  readonly element: string;
  readonly item: Shape;
  /** JSON key of the page links; in XML they are atom:link children after the items. */
  readonly linksKey: string;
}

export interface Link {
  readonly rel: string;
  readonly href: string;
  readonly type?: string;
}

export type Value = Record<string, unknown>;

const keyOf = (name: string, owner: Owner): string => (owner === undefined ? name : `${owner}:${name}`);

export const attribute = (name: string, type: ScalarType = 'string', owner?: Owner): AttributeField => ({
  kind: 'attribute', name, owner, key: keyOf(name, owner), type,
});

export const text = (name: string, type: ScalarType = 'string', owner?: Owner): TextField => ({
  kind: 'text', name, owner, key: keyOf(name, owner), type,
});

export const object = (name: string, shape: Shape, owner?: Owner): ObjectField => ({
  kind: 'object', name, owner, key: keyOf(name, owner), shape,
});

export const list = (name: string, item: Shape, opts: { wrapped?: boolean; owner?: Owner; xmlWrapper?: string; omitEmptyInXml?: boolean } = {}): ListField => ({
  kind: 'list', name, owner: opts.owner, key: keyOf(name, opts.owner), item, wrapped: opts.wrapped ?? true,
  ...(opts.xmlWrapper === undefined ? {} : { xmlWrapper: opts.xmlWrapper }),
  ...(opts.omitEmptyInXml === true ? { omitEmptyInXml: true } : {}),
});

/** The field's element name in XML (a list's wrapper may differ from its JSON key). */
export const xmlElementName = (f: Field): string => (f.kind === 'list' ? (f.xmlWrapper ?? f.name) : f.name);

/** The same field, written in one media type only (see FieldBase.only). */
export const only = <F extends Field>(media: 'json' | 'xml', field: F): F => ({ ...field, only: media });

export const links = (): LinksField => ({ kind: 'links', name: 'links', owner: undefined, key: 'links' });

export const map = (name: string, entry: string, owner?: Owner): MapField => ({
  kind: 'map', name, owner, key: keyOf(name, owner), entry,
});

export const groups = (name: string, group: string, groupKey: string, item: Shape, owner?: Owner): GroupsField => ({
  kind: 'groups', name, owner, key: keyOf(name, owner), group, groupKey, item,
});

export const values = (name: string, item: string, type: ScalarType = 'string', owner?: Owner): ValuesField => ({
  kind: 'values', name, owner, key: keyOf(name, owner), item, type,
});

/** The same field, for a request: required, and checked beyond its type. */
export const input = <F extends Field>(field: F, opts: { required?: boolean; check?: Check; nullable?: boolean } = {}): F => ({ ...field, ...opts });

export const shape = (element: string, namespace: string, fields: readonly Field[]): Shape => ({
  element, namespace, fields,
});

export const collection = (element: string, item: Shape, linksKey = `${element}_links`): Collection => ({
  element, item, linksKey,
});

/**
 * Core fields first, then extension fields: the spec puts extension elements after the core ones.
 * Fields promoted into the core of a version (`core`) join the core's, before its links.
 */
export const extendShape = (base: Shape, added: readonly Field[], core: readonly Field[] = []): Shape => {
  if (added.length === 0 && core.length === 0) return base;
  const at = base.fields.findIndex((f) => f.kind === 'links');
  const fields = at === -1 ? [...base.fields, ...core] : [...base.fields.slice(0, at), ...core, ...base.fields.slice(at)];
  return { ...base, fields: [...fields, ...added] };
};

/** A document an extension owns: its root element is in the extension's namespace. */
export const ownedShape = (owner: string, element: string, fields: readonly Field[]): Shape => ({ element, namespace: '', fields, owner });
