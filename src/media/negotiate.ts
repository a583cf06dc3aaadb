import Negotiator from 'negotiator';
import type { Codec } from './codecs.ts';
import { getOrMakeBounded } from '../memo.ts';

/**
 * Picks the codec for a response: a `.json`/`.xml` suffix on the path wins, then Accept with
 * q-values; no Accept (or `*\/*`) gives the first codec. Undefined means 406. Results are cached by
 * header value: clients send a handful of distinct Accept headers, so negotiation is a map lookup.
 */
export type Negotiate = (accept: string | null | undefined, suffix: string | undefined) => Codec | undefined;

const CACHE_LIMIT = 512;

export const negotiation = (codecs: readonly Codec[]): Negotiate => {
  const types = codecs.map((c) => c.mediaType);
  const byType = new Map(codecs.map((c) => [c.mediaType, c]));
  const bySuffix = new Map(codecs.filter((c) => c.suffix !== undefined).map((c) => [c.suffix!, c]));
  const cache = new Map<string, Codec | undefined>();
  const fallback = codecs[0];
  return (accept, suffix) => {
    if (suffix !== undefined) return bySuffix.get(suffix);
    if (accept === null || accept === undefined || accept === '') return fallback;
    return getOrMakeBounded(cache, accept, () => {
      const [best] = new Negotiator({ headers: { accept } }).mediaTypes(types);
      return best === undefined ? undefined : byType.get(best);
    }, CACHE_LIMIT);
  };
};
