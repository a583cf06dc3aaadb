import { attribute, collection, links, list, shape, text } from '../model/shape.ts';
import { COMMON_NS } from '../media/namespaces.ts';

/**
 * Discovery documents in the representation model (spec 3.1): each item is exactly
 * name, namespace, alias, updated, description, links.
 */
export const extensionShape = shape('extension', COMMON_NS, [
  attribute('name'),
  attribute('namespace', 'uri'),
  attribute('alias'),
  attribute('updated', 'datetime'),
  text('description'),
  links(),
]);
export const extensionsCollection = collection('extensions', extensionShape);

const versionFields = [attribute('id'), attribute('status'), attribute('updated', 'datetime')];
const mediaTypeShape = shape('media-type', COMMON_NS, [attribute('base'), attribute('type')]);

/** One version in the list at `/`: a single self link (nova's versions.rng allows exactly one). */
export const versionSummaryShape = shape('version', COMMON_NS, [...versionFields, links()]);
export const versionsCollection = collection('versions', versionSummaryShape);

/** The version document at `/v1`: media types before links, as version.rng orders them. */
export const versionShape = shape('version', COMMON_NS, [...versionFields, list('media-types', mediaTypeShape), links()]);

/** A registered vendor prefix: `<vendor prefix="RAX" name="Rackspace"/>`. */
export const vendorShape = shape('vendor', COMMON_NS, [attribute('prefix'), attribute('name')]);
export const vendorsCollection = collection('vendors', vendorShape);
