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
  /** Filters evaluated by the gateway, so that they stay the same on every backend. */
  readonly where?: (doc: T) => boolean;
}

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

export interface Store {
  get<T = Record<string, unknown>>(kind: string, id: string): Promise<StoredDocument<T> | undefined>;
  /** Documents in creation order. */
  list<T = Record<string, unknown>>(kind: string, opts?: ListOptions<T>): Promise<StoredDocument<T>[]>;
  begin(): UnitOfWork;
  /** Where rate-limit buckets live when instances share this store (absent: each instance counts its own). */
  sharedRateLimiter?(limits: readonly RateLimit[]): RateLimiter;
  /** Resolves when the store can read and write now; rejects saying why not (the health check). */
  check(): Promise<void>;
  close(): Promise<void>;
}
