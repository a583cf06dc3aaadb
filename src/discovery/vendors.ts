import type { Context } from 'hono';
import type { Vendors } from '../extension/vendors.ts';
import type { Codec } from '../media/codecs.ts';
import { negotiation } from '../media/negotiate.ts';
import { render, sendRendered } from '../media/respond.ts';
import { requestHeader, responseCodec } from '../http/request.ts';
import { definedNaming } from '../model/naming.ts';
import { vendorsCollection } from './shapes.ts';

/**
 * `GET /{version}/vendors`: the registered vendor prefixes (spec 4.4.2: the registry "allows
 * vendors to register vendor prefixes"), from spec/vendors.json and the configuration, sorted;
 * nova's historical lower-case spellings with them. Rendered once.
 */
export const vendorsDiscovery = (vendors: Vendors, codecs: readonly Codec[]) => {
  const negotiate = negotiation(codecs);
  const items = [...vendors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([prefix, name]) => ({ prefix, name }));
  const naming = definedNaming([]);
  const rendered = new Map(codecs.map((codec) => [codec, render(codec.collection(vendorsCollection, naming)(items), codec.mediaType)]));
  return (c: Context): Response => sendRendered(requestHeader(c, 'if-none-match'), rendered.get(responseCodec(c, negotiate, codecs))!);
};
