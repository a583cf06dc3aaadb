import type { Field, Owner, ScalarType, Shape, Value } from '../model/shape.ts';
import { badRequest } from './fault.ts';

/**
 * What the JSON and XML readers share: a request document is a root name (resolved to an owner
 * and a local name) and content that a reader compiled from a Shape turns into a model value.
 * Anything a client can get wrong is a 400 badRequest naming it; nothing is changed before that.
 */
export interface Incoming {
  readonly owner: Owner;
  readonly name: string;
  /** The name as the client spelled it, for messages. */
  readonly spelled: string;
  readonly content: unknown;
}

export type Reader = (content: unknown) => Value;

/** Scalars as JSON gives them (typed) or as XML gives them (text). */
export const scalarFromJson = (type: ScalarType, x: unknown, spelled: string): unknown => {
  if (x === null) return null;
  switch (type) {
    case 'integer':
      if (typeof x !== 'number' || !Number.isInteger(x)) throw badRequest(`"${spelled}" must be an integer.`);
      return x;
    case 'number':
      if (typeof x !== 'number' || !Number.isFinite(x)) throw badRequest(`"${spelled}" must be a number.`);
      return x;
    case 'boolean':
      if (typeof x !== 'boolean') throw badRequest(`"${spelled}" must be true or false.`);
      return x;
    default:
      if (typeof x !== 'string') throw badRequest(`"${spelled}" must be a string.`);
      return x;
  }
};

export const scalarFromText = (type: ScalarType, x: string, spelled: string): unknown => {
  switch (type) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(x.trim())) throw badRequest(`"${spelled}" must be an integer.`);
      return Number(x);
    case 'number':
      if (x.trim() === '' || !Number.isFinite(Number(x))) throw badRequest(`"${spelled}" must be a number.`);
      return Number(x);
    case 'boolean': {
      const t = x.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw badRequest(`"${spelled}" must be true or false.`);
    }
    default:
      return x;
  }
};

/** Runs a field's own check, and its required flag, on a decoded value. */
export const checked = (field: Field, value: unknown, spelled: string): unknown => {
  if (field.check !== undefined && value !== undefined) {
    const problem = field.check(value);
    if (problem !== undefined) throw badRequest(`"${spelled}" ${problem}.`);
  }
  return value;
};

export const requireFields = (shape: Shape, value: Value, spell: (f: Field) => string): void => {
  for (const f of shape.fields) {
    if (f.required && (value[f.key] === undefined || value[f.key] === null)) {
      throw badRequest(`"${spell(f)}" is required in ${shape.element}.`);
    }
  }
};
