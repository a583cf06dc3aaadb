/**
 * Validated tokens, so that a client's next request does not wait on Keystone (a validation costs
 * about a second on the test harness's Keystone): bounded in entries and in bytes, the oldest
 * entry going first; an entry never outlives its token, nor `ttlMs`. Invalid tokens are kept too
 * (for `ttlMs`), so that a client retrying a bad token does not make Keystone answer it each time.
 * Concurrent requests with one unvalidated token share one validation.
 */
export interface CacheLimits {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

interface Entry<T> {
  readonly value: T;
  readonly until: number;
  readonly bytes: number;
}

/** A rough size of an entry besides its key: the principal, the map's own slot. */
const ENTRY_OVERHEAD = 512;

export class TokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #pending = new Map<string, Promise<{ value: T; expiresAt: number }>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly limits: CacheLimits) {}

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The cached value, if it has not expired by `now`. */
  peek(token: string, now: number): T | undefined {
    const e = this.#entries.get(token);
    if (e === undefined) return undefined;
    if (e.until <= now) {
      this.#drop(token, e);
      return undefined;
    }
    return e.value;
  }

  /**
   * The cached value, or the one `validate` finds (one call however many ask at once), cached
   * until its `expiresAt` or the cache's ttl, whichever is first. A validation that throws is
   * not cached: the next request asks again.
   */
  async get(token: string, now: () => number, validate: () => Promise<{ value: T; expiresAt: number }>): Promise<T> {
    const cached = this.peek(token, now());
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    let pending = this.#pending.get(token);
    if (pending === undefined) {
      pending = validate().then((found) => {
        this.#set(token, found.value, Math.min(found.expiresAt, now() + this.limits.ttlMs));
        return found;
      });
      this.#pending.set(token, pending);
      // Settled either way, the next request for this token asks the cache, not this promise.
      void pending.then(
        () => this.#pending.delete(token),
        () => this.#pending.delete(token),
      );
    }
    return (await pending).value;
  }

  #set(token: string, value: T, until: number): void {
    const earlier = this.#entries.get(token);
    if (earlier !== undefined) this.#drop(token, earlier);
    const bytes = token.length * 2 + ENTRY_OVERHEAD;
    this.#entries.set(token, { value, until, bytes });
    this.#bytes += bytes;
    // Maps iterate in insertion order: the first key is the oldest entry.
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) break;
      this.#drop(k, e);
    }
  }

  #drop(token: string, e: Entry<T>): void {
    this.#entries.delete(token);
    this.#bytes -= e.bytes;
  }
}
