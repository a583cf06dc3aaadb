import { describe, expect, test } from 'vitest';
import { TokenCache } from '../src/identity/token-cache.ts';

/** The cache in front of Keystone, on its own: bounds, expiry, one validation at a time per token. */
describe('token cache', () => {
  const limits = { ttlMs: 300_000, maxEntries: 3, maxBytes: 1 << 20 };
  const valid = (value: string, expiresAt = Number.POSITIVE_INFINITY) => async () => ({ value, expiresAt });

  test('concurrent requests with one token make one validation; the next ones none', async () => {
    const cache = new TokenCache<string>(limits);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const validate = async () => {
      calls++;
      await gate;
      return { value: 'alice', expiresAt: Number.POSITIVE_INFINITY };
    };
    const waiting = Array.from({ length: 20 }, () => cache.get('t1', () => 0, validate));
    release();
    expect(await Promise.all(waiting)).toEqual(Array(20).fill('alice'));
    expect(await cache.get('t1', () => 1, validate)).toBe('alice');
    expect(calls).toBe(1);
    expect([cache.misses, cache.hits]).toEqual([20, 1]);
  });

  test('never past the token\'s expiry, nor the ttl', async () => {
    const cache = new TokenCache<string>({ ...limits, ttlMs: 1000 });
    await cache.get('short', () => 0, valid('a', 500));
    await cache.get('long', () => 0, valid('b', 10_000));
    expect(cache.peek('short', 499)).toBe('a');
    expect(cache.peek('short', 500)).toBeUndefined();
    expect(cache.peek('long', 999)).toBe('b');
    expect(cache.peek('long', 1000)).toBeUndefined();
  });

  test('bounded in entries and in bytes: the oldest go first', async () => {
    const cache = new TokenCache<string>(limits);
    for (const t of ['a', 'b', 'c', 'd']) await cache.get(t, () => 0, valid(t));
    expect(cache.size).toBe(3);
    expect(cache.peek('a', 0)).toBeUndefined();
    expect(cache.peek('d', 0)).toBe('d');
    const small = new TokenCache<string>({ ...limits, maxEntries: 1000, maxBytes: 3100 });
    for (let i = 0; i < 10; i++) await small.get(`${i}`.padEnd(500, 'x'), () => 0, valid('v'));
    expect(small.bytes).toBeLessThanOrEqual(3100);
    expect(small.size).toBe(2);
  });

  test('a failed validation is not cached: the next request asks again', async () => {
    const cache = new TokenCache<string>(limits);
    await expect(cache.get('t', () => 0, async () => { throw new Error('keystone down'); })).rejects.toThrow('keystone down');
    expect(await cache.get('t', () => 0, valid('back'))).toBe('back');
  });
});
