import type { RateLimit, RateLimiter } from '../ops/rate-limits.ts';

/**
 * One store for the core resources and the state extensions own. Documents are model values
 * (extension fields under their qualified keys), so an extension's data lives and dies with the
 * resource it decorates. Every request that changes data stages its changes in a UnitOfWork and
 * commits once: all or nothing, with optimistic version checks so that concurrent conflicting
 * changes get a conflict, never a lost update. Async throughout, so a networked backend fits.
 */
export interface StoredDocument<T = Record<string, unknown>> {
  readonly id: string;
  /** Bumped by every committed change; an update names the version it read. */
  readonly version: number;
  /** The project that owns it; '' for a public one (seeded flavors and images). */
  readonly project: string;
  readonly doc: T;
}

export interface ListOptions<T> {
  /** Start after the document with this id (OpenStack `marker`), which must be one the listed projects own. */
  readonly after?: string;
  readonly limit?: number;
  /** Only documents these projects own ('' for public ones); every document when undefined. Filtered in the query. */
  readonly projects?: readonly string[];
  /**
   * Conditions the backend evaluates in its query (with indexes where it has them), all of them
   * holding: they narrow what is read. A backend may return documents a condition would refuse
   * (never the other way round), so they say what to read, not what to answer.
   */
  readonly conditions?: readonly Condition[];
  /** Filters evaluated by the gateway on what the query returned, so that the answer is the same on every backend. */
  readonly where?: (doc: T) => boolean;
}

/**
 * The top-level document fields a condition may name: the core's list filters' (core/filters.ts),
 * and an extension's stored attribute by its qualified key (`MLTI-TAGS:tags`: an alias, letters,
 * digits and `-`; a name, letters, digits, `_`, `.` and `-`; extension/rules.ts).
 */
export const CONDITION_FIELDS = ['name', 'imageId', 'flavorId', 'serverId', 'tenant_id', 'updated', 'minDisk', 'minRam', 'disk', 'ram'] as const;
export const QUALIFIED_KEY = /^[A-Za-z][A-Za-z0-9-]*:[A-Za-z][A-Za-z0-9_.-]*$/;
export type ConditionField = (typeof CONDITION_FIELDS)[number] | `${string}:${string}`;

/**
 * What a store can evaluate in its query, each said as the JavaScript test it stands for. A
 * backend's SQL for one holds for every document this test accepts, whatever the JSON holds (a
 * number where a string was expected, a missing key): exactly where it can, a superset where the
 * JSON types make SQL and JavaScript differ.
 */
export type Condition =
  /** `doc[field] === value` */
  | { readonly op: 'eq'; readonly field: ConditionField; readonly value: string }
  /** `doc[field] !== undefined` (present), `=== undefined` (absent) */
  | { readonly op: 'present' | 'absent'; readonly field: ConditionField }
  /** `typeof doc[field] === 'string' && doc[field].includes(value)`: a piece of text in it, case and all (value well-formed, not empty) */
  | { readonly op: 'contains'; readonly field: ConditionField; readonly value: string }
  /** `Array.isArray(doc[field]) && values.every((v) => doc[field].includes(v))`: a list holding each of the values (well-formed) */
  | { readonly op: 'includesAll'; readonly field: ConditionField; readonly values: readonly string[] }
  /** `doc[field] >= value`, JavaScript's comparison */
  | { readonly op: 'atLeast'; readonly field: ConditionField; readonly value: number }
  /** `Date.parse(doc[field]) >= value`: the field an ISO 8601 time, as the gateway writes them to the second (`2026-11-29T12:00:00Z`); `value` in ms */
  | { readonly op: 'since'; readonly field: ConditionField; readonly value: number }
  /**
   * The status as it is at `now` (core/states.ts settle), upper-cased, is `value` (upper case):
   * `pending.status` once `pending.at <= now`, else `status`. Statuses are ASCII names (the
   * core's, and extensions' by extension/rules.ts), where SQL's upper and toUpperCase agree.
   */
  | { readonly op: 'status'; readonly value: string; readonly now: number };

export class ConflictError extends Error {}
/** The backend cannot serve now (a database restarting, unreachable, every connection busy): a 503, not a 500. */
export class StoreUnavailableError extends Error {}
export class MarkerNotFoundError extends Error {}

/** Staged documents are read at commit: changes made to them until then are committed too. */
export interface UnitOfWork {
  /** A new document, owned by `project` ('' for a public one: said, never assumed). */
  insert(kind: string, id: string, doc: unknown, project: string): void;
  update(kind: string, id: string, expectedVersion: number, doc: unknown): void;
  delete(kind: string, id: string, expectedVersion: number): void;
  /** True when nothing was staged. */
  readonly empty: boolean;
  /** Applies everything staged in one transaction, or nothing (ConflictError). */
  commit(): Promise<void>;
}

/** A field extension parameters match (`matches`), by its qualified key: a text, or a list of texts. */
export interface MatchedField {
  readonly key: `${string}:${string}`;
  readonly form: 'text' | 'list';
}

export interface Store {
  get<T = Record<string, unknown>>(kind: string, id: string): Promise<StoredDocument<T> | undefined>;
  /** Documents in creation order. */
  list<T = Record<string, unknown>>(kind: string, opts?: ListOptions<T>): Promise<StoredDocument<T>[]>;
  begin(): UnitOfWork;
  /**
   * Indexes the fields the registry's parameters match, as the core filters' fields are, so that
   * their conditions read what they select. At start, before any request; idempotent, and an
   * index made for a field no longer matched stays (dropping one is the operator's call).
   */
  indexFields(fields: readonly MatchedField[]): Promise<void>;
  /** Where rate-limit buckets live when instances share this store (absent: each instance counts its own). */
  sharedRateLimiter?(limits: readonly RateLimit[]): RateLimiter;
  /** Resolves when the store can read and write now; rejects saying why not (the health check). */
  check(): Promise<void>;
  close(): Promise<void>;
}
