/**
 * Rate limits as nova's legacy `limits` middleware configured them: each limit is a verb, a
 * regular expression over the request (path after the version and tenant, with its query), and a
 * number of requests per time unit. Each caller (a project, or a client address without Keystone)
 * has a token bucket per limit: it holds `value` requests and refills continuously over `unit`.
 * A request takes one token from every limit it matches, or none when any is empty.
 */

export const TIME_UNITS = { SECOND: 1, MINUTE: 60, HOUR: 3_600, DAY: 86_400 } as const;
export type TimeUnit = keyof typeof TIME_UNITS;

/** PATCH requests count against PATCH and ALL limits (the 2011 limits schema predates PATCH). */
export const LIMIT_VERBS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL'] as const;
export type LimitVerb = (typeof LIMIT_VERBS)[number];

export interface RateLimit {
  readonly verb: LimitVerb;
  /** How the limit is shown to clients: `*` for every resource, as nova wrote it. */
  readonly uri: string;
  /** What it applies to, matched against `/servers/detail?changes-since=...`. */
  readonly regex: string;
  /** Requests per unit. */
  readonly value: number;
  readonly unit: TimeUnit;
}

/** A caller's state of one limit: requests left now, and when the next one may be made. */
export interface Level {
  readonly remaining: number;
  readonly nextAvailable: number;
}

/** A request refused: the limit that refused it (its index) and how long until it would not be. */
export interface Refusal {
  readonly limit: number;
  readonly retryAfterMs: number;
}

/**
 * Where buckets are kept: this process's memory (one instance), or a database that several
 * instances share. Either may answer with a promise.
 */
export interface RateLimiter {
  /** Takes a token from each of `limits` (indexes), or none and says why: undefined when taken. */
  take(key: string, limits: readonly number[], now: number): Refusal | undefined | Promise<Refusal | undefined>;
  /** Every configured limit's level for `key`, for GET /limits. */
  levels(key: string, now: number): readonly Level[] | Promise<readonly Level[]>;
}

/** The configured limits, their expressions compiled once. */
export class RateLimits {
  readonly #regexes: readonly RegExp[];

  constructor(readonly limits: readonly RateLimit[]) {
    this.#regexes = limits.map((l) => new RegExp(l.regex));
  }

  get enabled(): boolean {
    return this.limits.length > 0;
  }

  /** The indexes of the limits a request matches. */
  matching(method: string, target: string): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.limits.length; i++) {
      const verb = this.limits[i]!.verb;
      if ((verb === 'ALL' || verb === method) && this.#regexes[i]!.test(target)) found.push(i);
    }
    return found;
  }
}

/** Tokens per millisecond. */
export const rateOf = (l: RateLimit): number => l.value / (TIME_UNITS[l.unit] * 1000);

/** A bucket's tokens at `now`, from what it held at `at`: refilled continuously, never past full. */
export const tokensAt = (l: RateLimit, tokens: number, at: number, now: number): number => Math.min(l.value, tokens + Math.max(0, now - at) * rateOf(l));

/** The limit (of those a request matches) that refuses it for longest, if any: `tokens[n]` is limit `limits[n]`'s. */
export const refusalOf = (all: readonly RateLimit[], limits: readonly number[], tokens: readonly number[]): Refusal | undefined => {
  let refusal: Refusal | undefined;
  limits.forEach((i, n) => {
    if (tokens[n]! >= 1) return;
    const wait = (1 - tokens[n]!) / rateOf(all[i]!);
    if (refusal === undefined || wait > refusal.retryAfterMs) refusal = { limit: i, retryAfterMs: wait };
  });
  return refusal;
};

export const levelOf = (l: RateLimit, tokens: number, now: number): Level => ({
  remaining: Math.floor(tokens),
  nextAvailable: tokens >= 1 ? now : now + (1 - tokens) / rateOf(l),
});

/**
 * Token buckets in this process. A key's buckets are two numbers per limit (tokens, and when they
 * were counted). Callers come and go (client addresses): past `maxKeys`, buckets that have refilled
 * (the same as never used) are dropped, then the least recently used.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #limits: readonly RateLimit[];
  readonly #buckets = new Map<string, Float64Array>();
  readonly #maxKeys: number;

  constructor(limits: readonly RateLimit[], maxKeys = 100_000) {
    this.#limits = limits;
    this.#maxKeys = maxKeys;
  }

  take(key: string, limits: readonly number[], now: number): Refusal | undefined {
    const b = this.#bucketsOf(key, now);
    const tokens = limits.map((i) => this.#tokens(b, i, now));
    const refusal = refusalOf(this.#limits, limits, tokens);
    if (refusal !== undefined) return refusal;
    limits.forEach((i, n) => {
      b[2 * i] = tokens[n]! - 1;
      b[2 * i + 1] = now;
    });
    return undefined;
  }

  levels(key: string, now: number): Level[] {
    const b = this.#buckets.get(key);
    return this.#limits.map((l, i) => levelOf(l, b === undefined ? l.value : this.#tokens(b, i, now), now));
  }

  /** Buckets kept (for tests of the bound). */
  get size(): number {
    return this.#buckets.size;
  }

  #tokens(b: Float64Array, i: number, now: number): number {
    return tokensAt(this.#limits[i]!, b[2 * i]!, b[2 * i + 1]!, now);
  }

  #bucketsOf(key: string, now: number): Float64Array {
    const found = this.#buckets.get(key);
    if (found !== undefined) {
      // Most recently used last: the map's order is the order in which callers go when it is full.
      this.#buckets.delete(key);
      this.#buckets.set(key, found);
      return found;
    }
    if (this.#buckets.size >= this.#maxKeys) this.#evict(now);
    const b = new Float64Array(2 * this.#limits.length);
    for (let i = 0; i < this.#limits.length; i++) {
      b[2 * i] = this.#limits[i]!.value;
      b[2 * i + 1] = now;
    }
    this.#buckets.set(key, b);
    return b;
  }

  /**
   * Refilled buckets go; if that frees less than a tenth, the least recently used go too, down to
   * nine tenths full, so that a full map is scanned once per tenth of new callers, not for each.
   */
  #evict(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (this.#limits.every((l, i) => this.#tokens(b, i, now) >= l.value)) this.#buckets.delete(key);
    }
    const target = Math.floor(this.#maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}
