import type { Collection, Field, Link, Shape, Value } from '../model/shape.ts';
import { jsonName, qualifiedName, valueRenderer, type Naming } from '../model/naming.ts';

/** A compiled encoder: model value -> plain JSON-ready object, names spelled for one version. */
export type JsonEncoder = (value: Value) => Record<string, unknown>;

type Put = (value: Value, out: Record<string, unknown>) => void;

const linkJson = (l: Link): Record<string, string> =>
  l.type === undefined ? { rel: l.rel, href: l.href } : { rel: l.rel, type: l.type, href: l.href };

const compileField = (field: Field, naming: Naming): Put => {
  const name = jsonName(naming, field);
  const key = field.key;
  switch (field.kind) {
    case 'attribute':
    case 'text':
      if (field.type === 'state') {
        const render = valueRenderer(naming);
        return (v, out) => {
          const x = v[key];
          if (x !== undefined) out[name] = typeof x === 'string' ? render(x) : x;
        };
      }
      return (v, out) => {
        const x = v[key];
        if (x !== undefined) out[name] = x;
      };
    case 'map':
    case 'values':
      return (v, out) => {
        const x = v[key];
        if (x !== undefined) out[name] = x;
      };
    case 'links':
      return (v, out) => {
        const x = v[key] as Link[] | undefined;
        if (x !== undefined) out[name] = x.map(linkJson);
      };
    case 'object': {
      const inner = compileJsonEncoder(field.shape, naming);
      return (v, out) => {
        const x = v[key] as Value | null | undefined;
        if (x !== undefined) out[name] = x === null ? null : inner(x);
      };
    }
    case 'list': {
      const inner = compileJsonEncoder(field.item, naming);
      return (v, out) => {
        const x = v[key] as Value[] | undefined;
        if (x !== undefined) out[name] = x.map(inner);
      };
    }
    case 'groups': {
      const inner = compileJsonEncoder(field.item, naming);
      return (v, out) => {
        const x = v[key] as Record<string, Value[]> | undefined;
        if (x === undefined) return;
        const o: Record<string, unknown> = {};
        for (const g in x) o[g] = x[g]!.map(inner);
        out[name] = o;
      };
    }
  }
};

export const compileJsonEncoder = (shape: Shape, naming: Naming): JsonEncoder => {
  const puts = shape.fields.map((f) => compileField(f, naming));
  return (value) => {
    const out: Record<string, unknown> = {};
    for (const put of puts) put(value, out);
    return out;
  };
};

/** `{"<element>": {...}}` */
export const compileJsonDocument = (shape: Shape, naming: Naming): ((value: Value) => string) => {
  const encode = compileJsonEncoder(shape, naming);
  const root = qualifiedName(naming, shape.element, shape.owner);
  return (value) => JSON.stringify({ [root]: encode(value) });
};

/** `{"<element>": [...], "<element>_links": [...]}`; the links key only when there are links. */
export const compileJsonCollection = (
  coll: Collection,
  naming: Naming,
): ((items: readonly Value[], pageLinks?: readonly Link[]) => string) => {
  const encode = compileJsonEncoder(coll.item, naming);
  return (items, pageLinks) => {
    const doc: Record<string, unknown> = { [coll.element]: items.map(encode) };
    if (pageLinks !== undefined && pageLinks.length > 0) doc[coll.linksKey] = pageLinks.map(linkJson);
    return JSON.stringify(doc);
  };
};
