import { CONDITION_FIELDS, QUALIFIED_KEY, type Condition } from './store.ts';

/**
 * What both SQL backends share about list conditions (store.ts Condition): their order in a
 * query, the field names they may put in SQL text, and how a `since` instant is compared.
 */

const FIELDS: ReadonlySet<string> = new Set(CONDITION_FIELDS);

/**
 * Field names go into SQL text (a JSON path, an index expression): only the known ones and
 * qualified keys, none of which holds a quote, whatever a caller's types said.
 */
export const checkedField = (field: string): string => {
  if (!FIELDS.has(field) && !QUALIFIED_KEY.test(field)) throw new Error(`"${field}" is not a field a list condition may name`);
  return field;
};

/**
 * The conditions in one order, the first status condition apart: the same filters make the same
 * SQL text (one prepared statement), and a status condition shapes the query (see the backends).
 */
export const arranged = (conditions: readonly Condition[] | undefined): { status?: Extract<Condition, { op: 'status' }>; rest: Condition[] } => {
  const all = [...(conditions ?? [])].sort((a, b) => key(a).localeCompare(key(b)));
  const i = all.findIndex((c) => c.op === 'status');
  if (i === -1) return { rest: all };
  const [status] = all.splice(i, 1) as [Extract<Condition, { op: 'status' }>];
  return { status, rest: all };
};
const key = (c: Condition): string => `${c.op}:${'field' in c ? c.field : ''}`;

/**
 * Well-formed text as it is written in a stored body (JSON.stringify escapes each character on its
 * own, whatever is around it, but for a half of a surrogate pair alone): a body without it has no
 * field holding it, and looking for it in the body's text is cheaper than reading the body as JSON.
 * Both stores write bodies with JSON.stringify.
 */
export const asWritten = (text: string): string => JSON.stringify(text).slice(1, -1);

/** A time as the gateway stores it, to the second: `2026-11-29T12:00:00Z`. SQLite's GLOB and PostgreSQL's regular expression say the same. */
export const CANONICAL_TIME_GLOB = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
export const CANONICAL_TIME_REGEX = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$';
/**
 * What a stored time that is not in that form reads as in a `since` comparison: greater than
 * every canonical one (and than every bound below), so such a document is always read and the
 * gateway's own test decides.
 */
export const OTHER_TIME = '~';

const FIRST = Date.parse('0000-01-01T00:00:00Z');
const LAST = Date.parse('9999-12-31T23:59:59Z');

/**
 * The string a canonical stored time is compared with (`stored >= bound`, byte order) for
 * `Date.parse(stored) >= t`: canonical times are whole seconds, so exactly those at or after t
 * rounded up to the second; byte order is time order for them, years 0000 to 9999.
 */
export const sinceBound = (t: number): string => {
  const s = Math.ceil(t / 1000) * 1000;
  // No time (NaN) is at or after nothing; before year 0000 every canonical time is after; past 9999 none.
  if (Number.isNaN(s) || s > LAST) return OTHER_TIME;
  if (s <= FIRST) return '';
  return new Date(s).toISOString().replace('.000Z', 'Z');
};
