import type postgres from 'postgres';
import { levelOf, refusalOf, tokensAt, type Level, type RateLimit, type RateLimiter, type Refusal } from '../ops/rate-limits.ts';

/**
 * Rate-limit buckets in PostgreSQL, so that instances behind a load balancer share one limit per
 * caller (ops/rate-limits.ts keeps them in memory for one instance). The same token buckets: a
 * request locks its caller's rows of the limits it matches, takes a token from each or none, in
 * one transaction. A bucket is named by what the limit says (verb, value, unit, uri, regex), so
 * instances with the same configuration share it, and a changed limit starts afresh.
 */
const signature = (l: RateLimit): string => `${l.verb} ${l.value}/${l.unit} ${l.uri} ${l.regex}`;
/** Buckets untouched for a day are full again: dropped now and then. */
const SWEEP_AFTER_MS = 86_400_000;

export class PostgresRateLimiter implements RateLimiter {
  /** The store's pool of the moment (it replaces a stuck one). */
  readonly #sql: () => postgres.Sql;
  readonly #limits: readonly RateLimit[];
  readonly #signatures: readonly string[];
  #takes = 0;

  constructor(sql: () => postgres.Sql, limits: readonly RateLimit[]) {
    this.#sql = sql;
    this.#limits = limits;
    this.#signatures = limits.map(signature);
  }

  async take(key: string, limits: readonly number[], now: number): Promise<Refusal | undefined> {
    if (++this.#takes % 10_000 === 0) void this.#sql()`DELETE FROM extgate_rate_buckets WHERE at < ${now - SWEEP_AFTER_MS}`.catch(() => undefined);
    const sigs = limits.map((i) => this.#signatures[i]!);
    const full = limits.map((i) => this.#limits[i]!.value);
    return this.#sql().begin(async (tx) => {
      // Rows first (a new caller's buckets are full), so that two instances lock the same rows.
      await tx`INSERT INTO extgate_rate_buckets (key, limit_sig, tokens, at)
               SELECT ${key}, s, t, ${now} FROM unnest(${sigs}::text[], ${full}::float8[]) AS u(s, t)
               ON CONFLICT DO NOTHING`;
      const rows = await tx<{ limit_sig: string; tokens: number; at: number }[]>`
        SELECT limit_sig, tokens, at FROM extgate_rate_buckets WHERE key = ${key} AND limit_sig = ANY(${sigs}) ORDER BY limit_sig FOR UPDATE`;
      const bySig = new Map(rows.map((r) => [r.limit_sig, r]));
      const tokens = limits.map((i, n) => {
        const r = bySig.get(sigs[n]!)!;
        return tokensAt(this.#limits[i]!, r.tokens, r.at, now);
      });
      const refusal = refusalOf(this.#limits, limits, tokens);
      if (refusal !== undefined) return refusal;
      // Never back in time: an instance whose clock is behind must not hand out the difference again.
      await tx`UPDATE extgate_rate_buckets b SET tokens = u.t, at = GREATEST(b.at, ${now})
               FROM unnest(${sigs}::text[], ${tokens.map((t) => t - 1)}::float8[]) AS u(s, t)
               WHERE b.key = ${key} AND b.limit_sig = u.s`;
      return undefined;
    });
  }

  async levels(key: string, now: number): Promise<Level[]> {
    const rows = await this.#sql()<{ limit_sig: string; tokens: number; at: number }[]>`
      SELECT limit_sig, tokens, at FROM extgate_rate_buckets WHERE key = ${key} AND limit_sig = ANY(${this.#signatures as string[]})`;
    const bySig = new Map(rows.map((r) => [r.limit_sig, r]));
    return this.#limits.map((l, i) => {
      const r = bySig.get(this.#signatures[i]!);
      return levelOf(l, r === undefined ? l.value : tokensAt(l, r.tokens, r.at, now), now);
    });
  }
}
