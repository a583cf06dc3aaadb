import type { Context } from 'hono';
import type { ApiVersion, Registry } from '../extension/registry.ts';
import { definedNaming } from '../model/naming.ts';
import type { Value } from '../model/shape.ts';
import { vendorType, versionCodecs, type Codec } from '../media/codecs.ts';
import { negotiation } from '../media/negotiate.ts';
import { render, sendRendered, type Rendered } from '../media/respond.ts';
import { requestHeader, responseCodec } from '../http/request.ts';
import type { Origin } from '../http/origin.ts';
import { versionsCollection, versionShape } from './shapes.ts';
import { getOrMakeBounded } from '../memo.ts';

/**
 * `GET /` (the versions) and `GET /{version}` (one version's document). Links are absolute, built
 * from the scheme, host and port the client used, so documents are cached per origin.
 */
export const versionsDiscovery = (registry: Registry, codecs: readonly Codec[], originOf: Origin) => {
  const naming = definedNaming([]);
  const negotiate = negotiation(codecs);
  const listEncoders = new Map(codecs.map((c) => [c, c.collection(versionsCollection, naming)]));
  const cache = new Map<string, Rendered>();

  // Bounded: the Host header is the client's to choose.
  const cached = (key: string, make: () => Rendered): Rendered => getOrMakeBounded(cache, key, make, 256);

  const summary = (v: ApiVersion, base: string): Value => ({
    id: v.id,
    status: v.status,
    updated: v.updated,
    links: [{ rel: 'self', href: `${base}/${v.id}/` }],
  });

  const document = (v: ApiVersion, base: string): Value => ({
    ...summary(v, base),
    'media-types': codecs.map((c) => ({ base: c.mediaType, type: vendorType(c.mediaType, v.id) })),
  });

  const list = (c: Context): Response => {
    const codec = responseCodec(c, negotiate, codecs);
    const base = originOf(c);
    const doc = cached(`${codec.mediaType} ${base} /`, () =>
      render(listEncoders.get(codec)!(registry.versions.map((v) => summary(v.version, base))), codec.mediaType),
    );
    return sendRendered(requestHeader(c, 'if-none-match'), doc);
  };

  /** A version's document also answers in the vendor types it advertises. */
  const show = (version: ApiVersion) => {
    const offered = versionCodecs(version.id);
    const negotiateHere = negotiation(offered);
    const encoders = new Map(offered.map((c) => [c, c.document(versionShape, naming)]));
    return (c: Context): Response => {
      const codec = responseCodec(c, negotiateHere, offered);
      const base = originOf(c);
      const doc = cached(`${codec.mediaType} ${base} ${version.id}`, () => render(encoders.get(codec)!(document(version, base)), codec.mediaType));
      return sendRendered(requestHeader(c, 'if-none-match'), doc);
    };
  };

  return { list, show };
};

