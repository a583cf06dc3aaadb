import type { Context } from 'hono';
import type { Extension } from '../extension/define.ts';
import type { VersionView } from '../extension/registry.ts';
import type { Link, Value } from '../model/shape.ts';
import type { Codec } from '../media/codecs.ts';
import { itemNotFound } from '../media/fault.ts';
import { negotiation } from '../media/negotiate.ts';
import { render, sendRendered, type Rendered } from '../media/respond.ts';
import { hasQuery, requestHeader, responseCodec } from '../http/request.ts';
import { extensionsCollection, extensionShape } from './shapes.ts';
import { pageRequest, paginate } from './pagination.ts';
import { searchable, searchFilter } from './search.ts';
import type { Origin } from '../http/origin.ts';

const linkOf = (l: Link): Link => (l.type === undefined ? { rel: l.rel, href: l.href } : { rel: l.rel, type: l.type, href: l.href });

/**
 * The discovery items of an extension, as this version names it (exactly the six keys each):
 * its current alias, unless its names are core here, and each old alias whose names requests may
 * still use, so that clients that check for it by that alias keep finding it. An old item links
 * its successor (`successor-version`: the current alias's document, or the version's once core);
 * the current item links its listed predecessors. The documents are rendered once for every
 * host: links start with the configured public URL, or are root-relative without one.
 */
export const extensionItems = (e: Extension, view: VersionView, publicUrl = ''): Value[] => {
  const v = `${publicUrl}/${view.version.id}`;
  const current = view.naming.current(e.alias)!;
  const olds = view.naming.old(e.alias).filter((o) => o.mode !== 'refuse');
  const items: Value[] = [];
  const item = (alias: string, namespace: string, updated: string, extra: Link[]): Value => ({
    name: e.name, namespace, alias, updated, description: e.description, links: [...e.links.map(linkOf), ...extra],
  });
  if (current.alias !== undefined) {
    const predecessors = olds.map((o) => ({ rel: 'predecessor-version', href: `${v}/extensions/${o.alias}` }));
    items.push(item(current.alias, current.namespace!, current.promoted ?? e.updated, predecessors));
  }
  for (const o of olds) {
    const successor = o.successor === undefined ? `${v}/` : `${v}/extensions/${o.successor}`;
    items.push(item(o.alias, o.namespace, e.updated, [{ rel: 'successor-version', href: successor }]));
  }
  return items;
};

/**
 * `GET /{version}/extensions` and `GET /{version}/extensions/{alias}` (spec 3.1), served from the
 * registry that wires the routes. Every full document is rendered here, once per registry build.
 */
export const extensionsDiscovery = (view: VersionView, codecs: readonly Codec[], origin: Origin, publicUrl?: string) => {
  const items = view.extensions.flatMap((e) => extensionItems(e, view, publicUrl?.replace(/\/+$/, ''))).sort((a, b) => cmp(a.alias as string, b.alias as string));
  const negotiate = negotiation(codecs);
  const encoders = new Map(codecs.map((codec) => [codec, codec.collection(extensionsCollection, view.naming)]));
  const lists = new Map(codecs.map((codec) => [codec, render(encoders.get(codec)!(items), codec.mediaType)]));
  const showEncoders = codecs.map((codec) => [codec, codec.document(extensionShape, view.naming)] as const);
  /** Each extension's document, by alias, in every media type. */
  const shows = new Map(items.map((i) => [i.alias as string, new Map(showEncoders.map(([codec, doc]) => [codec, render(doc(i), codec.mediaType)]))]));

  const searchables = items.map(searchable);

  const list = (c: Context): Response => {
    const codec = responseCodec(c, negotiate, codecs);
    const ifNoneMatch = requestHeader(c, 'if-none-match');
    if (!hasQuery(c.req.url)) return sendRendered(ifNoneMatch, lists.get(codec)!);
    const page = pageRequest(c);
    const filter = searchFilter(c);
    if (page.limit === undefined && page.marker === undefined && filter === undefined) return sendRendered(ifNoneMatch, lists.get(codec)!);
    const found = filter === undefined ? items : searchables.filter(filter).map((s) => s.item);
    const p = paginate(c, found, (i) => i.alias as string, page, origin);
    return sendRendered(ifNoneMatch, render(encoders.get(codec)!(p.items, p.links), codec.mediaType));
  };

  /** One handler per alias, for a static route: no parameter parsing, no lookup by alias. */
  const showOne = (alias: string) => {
    const docs = shows.get(alias)!;
    return (c: Context): Response => sendRendered(requestHeader(c, 'if-none-match'), docs.get(responseCodec(c, negotiate, codecs))!);
  };

  /** Any other alias: a 404 fault (after negotiation, so a bad Accept is still a 406) that says where a promoted one went. */
  const showMissing = (c: Context, params: Readonly<Record<string, string>>): Response => {
    responseCodec(c, negotiate, codecs);
    const promoted = view.naming.byAlias(params.alias!);
    if (promoted !== undefined) {
      const now = view.naming.current(promoted.owner)!.alias;
      throw itemNotFound(`"${params.alias}" was promoted ${now === undefined ? 'into the core of' : `to ${now} in`} API version ${view.version.id}, which no longer accepts its old names.`);
    }
    throw itemNotFound(`No extension with alias "${params.alias}" in API version ${view.version.id}.`);
  };

  const aliases = [...shows.keys()];
  /** The full documents by path below the version, for answering ahead of Hono (http/direct.ts). */
  const documents = new Map<string, ReadonlyMap<Codec, Rendered>>([['/extensions', lists]]);
  for (const [alias, docs] of shows) documents.set(`/extensions/${alias}`, docs);
  return { list, showOne, showMissing, aliases, documents, negotiate };
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
