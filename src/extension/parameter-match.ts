import type { Value } from '../model/shape.ts';
import type { Condition, ConditionField } from '../store/store.ts';
import { LONE_SURROGATE } from '../media/read.ts';
import { MATCHABLE_CORE_FIELDS, type AttributeContribution, type ParameterContribution, type ParameterMatch } from './contract.ts';

/**
 * An extension parameter's value made into what a list runs: the test that decides, on each
 * document the store returns, and the same test as a store condition when it can be said as one
 * (a declared `matches`), so that the store reads only the documents it selects.
 */
export interface Selection {
  readonly test: (doc: Value) => boolean;
  readonly condition?: Condition;
}

const RESOURCE_OF = { servers: 'server', images: 'image', flavors: 'flavor' } as const;

/** What is wrong with a parameter's `matches` against its extension's attributes: the problem's field and message. */
export type MatchProblem = { readonly field: string; readonly message: string };

/**
 * The stored key `matches.field` names, and the default a document without it reads with: one of
 * the extension's own stored attributes of the collection's resource, of the form the test needs
 * (text for `equals`, a list of text for `includesAll`), or a core text field. A problem otherwise.
 */
export const matchedField = (
  p: ParameterContribution & { matches: ParameterMatch },
  attributes: readonly AttributeContribution[],
  keyOf: (a: AttributeContribution) => string,
): { key: string; fallback?: unknown } | MatchProblem => {
  const { field, test } = p.matches;
  const resource = RESOURCE_OF[p.resource];
  const own = attributes.find((a) => a.resource === resource && a.name === field);
  if (own === undefined) {
    if (MATCHABLE_CORE_FIELDS[p.resource].includes(field)) {
      return test === 'equals' ? { key: field } : { field: 'matches.test', message: `"${field}" is a core text field: it can only be tested with equals` };
    }
    return { field: 'matches.field', message: `"${field}" is neither an attribute of ${resource} this extension adds nor a core field a parameter may match (${MATCHABLE_CORE_FIELDS[p.resource].join(', ')})` };
  }
  if (own.derive !== undefined || own.bare === true) return { field: 'matches.field', message: `"${field}" is computed when shown, not stored: nothing to match in a query` };
  const text = (own.type ?? 'string') === 'string';
  if (test === 'equals' && !(text && own.form !== 'list' && own.form !== 'map')) return { field: 'matches.test', message: `equals tests a text attribute; "${field}" is ${own.form === 'list' || own.form === 'map' ? `a ${own.form}` : `a ${own.type}`}` };
  if (test === 'includesAll' && !(text && own.form === 'list' && own.fields === undefined)) return { field: 'matches.test', message: `includesAll tests a list of text; "${field}" is not one` };
  return { key: keyOf(own), fallback: own.default };
};

/**
 * The selection of one value, for a field's stored key; made once per request. A document stored
 * without the field reads with its default (`fallback`): where the default passes the test, the
 * store could not tell those documents, so no condition (they are most, a page fills at once).
 */
export const matching = (key: string, m: ParameterMatch, fallback?: unknown): ((value: string) => Selection) => {
  const field = key as ConditionField;
  const selection = (test: Selection['test'], condition: Condition, texts: readonly string[]): Selection =>
    // Half of a surrogate pair alone is stored escaped, and neither database compares it as JavaScript does.
    (fallback !== undefined && test({ [key]: fallback })) || texts.some((t) => LONE_SURROGATE.test(t)) ? { test } : { test, condition };
  if (m.test === 'equals') return (value) => selection((doc) => doc[key] === value, { op: 'eq', field, value }, [value]);
  return (value) => {
    const values = value.split(m.separator ?? ',');
    const test = (doc: Value) => {
      const list = doc[key];
      return Array.isArray(list) && values.every((v) => list.includes(v));
    };
    return selection(test, { op: 'includesAll', field, values }, values);
  };
};
