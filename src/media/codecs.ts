import type { Collection, Link, Shape, Value } from '../model/shape.ts';
import type { Naming } from '../model/naming.ts';
import { compileJsonCollection, compileJsonDocument } from './json.ts';
import { compileJsonReader, parseJson } from './json-read.ts';
import { COMMON_NS, COMPUTE_NS } from './namespaces.ts';
import type { Incoming, OldUse, Reader } from './read.ts';
import { compileXmlCollection, compileXmlDocument } from './xml.ts';
import { compileXmlReader, parseXml } from './xml-read.ts';

export type DocumentEncoder = (value: Value) => string;
export type CollectionEncoder = (items: readonly Value[], pageLinks?: readonly Link[]) => string;

/** A media type over the representation model. JSON and XML are built in; extensions may add more. */
export interface Codec {
  /** The Content-Type of what it writes. */
  readonly mediaType: string;
  /** The format suffix that selects it regardless of Accept (`/v1/extensions.xml`), if any. */
  readonly suffix?: string;
  document(shape: Shape, naming: Naming): DocumentEncoder;
  collection(coll: Collection, naming: Naming): CollectionEncoder;
  /** Request Content-Types it reads (absent: it only writes). */
  readonly reads?: readonly string[];
  /** A request body: its root names, resolved to their owners. */
  parse?(text: string, naming: Naming): Incoming[];
  /** Reads the content under one root name with a shape. */
  reader?(shape: Shape, naming: Naming): Reader;
  /**
   * Set on a variant chosen by an old alias (`;ext=RAX-ATOM` once it is OS-ATOM): a use to tell
   * and count, or refuse, naming the type to ask for `instead`.
   */
  readonly old?: OldUse & { readonly instead: string };
}

export const jsonCodec: Codec = {
  mediaType: 'application/json',
  suffix: 'json',
  document: compileJsonDocument,
  collection: compileJsonCollection,
  reads: ['application/json'],
  parse: parseJson,
  reader: compileJsonReader,
};

/** The namespaces whose names are the core's in request documents. */
const CORE_NAMESPACES: ReadonlySet<string> = new Set([COMPUTE_NS, COMMON_NS]);

export const xmlCodec: Codec = {
  mediaType: 'application/xml',
  suffix: 'xml',
  document: compileXmlDocument,
  collection: compileXmlCollection,
  reads: ['application/xml', 'text/xml'],
  parse: parseXml(CORE_NAMESPACES),
  reader: (shape, naming) => compileXmlReader(shape, naming, CORE_NAMESPACES),
};

/** The codecs every resource has, in order of preference when the client has none. */
export const CORE_CODECS: readonly Codec[] = [jsonCodec, xmlCodec];

/** `application/json` -> `application/vnd.openstack.compute+json;version=1`, as nova advertises it. */
export const vendorType = (mediaType: string, versionId: string): string => {
  const [type, sub] = mediaType.split('/') as [string, string];
  const suffix = sub.includes('+') ? sub.slice(sub.indexOf('+') + 1) : sub;
  return `${type}/vnd.openstack.compute+${suffix};version=${versionId.slice(1)}`;
};

/**
 * One API version's codecs: JSON and XML, then the same under the vendor types its version
 * document advertises (`application/vnd.openstack.compute+json;version=1`), which a client may
 * ask for in Accept (and is answered in) or send as Content-Type.
 */
export const versionCodecs = (versionId: string): readonly Codec[] => [
  ...CORE_CODECS,
  ...CORE_CODECS.map((codec) => {
    const mediaType = vendorType(codec.mediaType, versionId);
    return { ...codec, mediaType, suffix: undefined, reads: [mediaType.split(';')[0]!] };
  }),
];
