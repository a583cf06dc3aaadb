import type { Field, Shape, Value } from '../model/shape.ts';
import { jsonName, type Naming } from '../model/naming.ts';
import { badRequest } from './fault.ts';
import { checked, requireFields, scalarFromJson, type Incoming, type Reader } from './read.ts';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A name the shape does not have: qualified by an alias that is not loaded, or by a loaded one
 * that adds no such name here, it is refused; an unqualified one is ignored (clients send fields
 * of other deployments, as openstacksdk does).
 */
const unknownName = (key: string, where: string, naming: Naming): void => {
  const colon = key.indexOf(':');
  if (colon === -1) return;
  const alias = key.slice(0, colon);
  if (naming.ownerOfAlias(alias) === undefined) throw badRequest(`"${key}" names the extension ${alias}, which is not loaded here.`);
  throw badRequest(`"${key}" is not a field of ${where}.`);
};

/** Top-level keys of a request document, each resolved to its owner. */
export const parseJson = (text: string, naming: Naming): Incoming[] => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw badRequest('The request body must be a JSON object.');
  return Object.keys(doc).map((spelled) => {
    const colon = spelled.indexOf(':');
    if (colon === -1) return { owner: undefined, name: spelled, spelled, content: doc[spelled] };
    const alias = spelled.slice(0, colon);
    const owner = naming.ownerOfAlias(alias);
    if (owner === undefined) throw badRequest(`"${spelled}" names the extension ${alias}, which is not loaded here.`);
    return { owner, name: spelled.slice(colon + 1), spelled, content: doc[spelled] };
  });
};

type Put = (content: Record<string, unknown>, out: Value) => void;

const compileField = (field: Field, naming: Naming, name: string): Put | undefined => {
  const key = field.key;
  switch (field.kind) {
    case 'attribute':
    case 'text':
      return (c, out) => {
        if (c[name] !== undefined) out[key] = checked(field, scalarFromJson(field.type, c[name], name), name);
      };
    case 'map':
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        if (!isObject(x)) throw badRequest(`"${name}" must be an object of strings.`);
        for (const k in x) {
          if (typeof x[k] !== 'string' && !(field.nullable && x[k] === null)) throw badRequest(`"${name}" must be an object of strings; "${k}" is not a string.`);
        }
        out[key] = checked(field, { ...x }, name);
      };
    case 'object': {
      const inner = compileJsonReader(field.shape, naming);
      return (c, out) => {
        if (c[name] !== undefined) out[key] = checked(field, inner(c[name]), name);
      };
    }
    case 'list': {
      const inner = compileJsonReader(field.item, naming);
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        if (!Array.isArray(x)) throw badRequest(`"${name}" must be a list.`);
        out[key] = checked(field, x.map(inner), name);
      };
    }
    case 'values':
      return (c, out) => {
        const x = c[name];
        if (x === undefined) return;
        if (!Array.isArray(x)) throw badRequest(`"${name}" must be a list.`);
        out[key] = checked(field, x.map((item) => scalarFromJson(field.type, item, name)), name);
      };
    case 'links':
    case 'groups':
      return undefined; // server-made: never read from a request
  }
};

/** A reader for the content under a document's root key: `{"name": ..., "RAX-DCF:diskConfig": ...}`. */
export const compileJsonReader = (shape: Shape, naming: Naming): Reader => {
  const known = new Set<string>();
  const puts: Put[] = [];
  for (const f of shape.fields) {
    const name = jsonName(naming, f);
    known.add(name);
    const put = compileField(f, naming, name);
    if (put !== undefined) puts.push(put);
  }
  return (content) => {
    if (!isObject(content)) throw badRequest(`"${shape.element}" must be an object.`);
    for (const k in content) if (!known.has(k)) unknownName(k, shape.element, naming);
    const out: Value = {};
    for (const put of puts) put(content, out);
    requireFields(shape, out, (f) => jsonName(naming, f));
    return out;
  };
};
