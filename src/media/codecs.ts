import type { Collection, Link, Shape, Value } from '../model/shape.ts';
import type { Naming } from '../model/naming.ts';
import { compileJsonCollection, compileJsonDocument } from './json.ts';
import { compileXmlCollection, compileXmlDocument } from './xml.ts';

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
}

export const jsonCodec: Codec = {
  mediaType: 'application/json',
  suffix: 'json',
  document: compileJsonDocument,
  collection: compileJsonCollection,
};

export const xmlCodec: Codec = {
  mediaType: 'application/xml',
  suffix: 'xml',
  document: compileXmlDocument,
  collection: compileXmlCollection,
};

/** The codecs every resource has, in order of preference when the client has none. */
export const CORE_CODECS: readonly Codec[] = [jsonCodec, xmlCodec];
