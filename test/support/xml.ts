import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

/**
 * XML validation with libxml2 (xmllint-wasm): our own schemas under spec/schemas, and the published
 * OpenStack schemas in ../shared/reference, the way clients and tools check documents.
 */
export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SPEC_SCHEMAS = join(PROJECT, 'spec/schemas');
export const REFERENCE = resolve(PROJECT, '../shared/reference/openstack-schemas');
export const hasReference = existsSync(REFERENCE);

export interface Validation {
  readonly valid: boolean;
  readonly errors: string[];
}

/** Validates against `main`, giving xmllint every file of `root` it may import or include. */
const validate = async (xml: string, root: string, main: string, extension: 'schema' | 'relaxng', deps: string[]): Promise<Validation> => {
  const file = (p: string) => ({ fileName: relative(root, join(root, p)), contents: readFileSync(join(root, p), 'utf8') });
  const r = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [file(main)],
    preload: deps.map(file),
    extension,
  });
  return { valid: r.valid, errors: r.errors.map((e) => e.message) };
};

/**
 * Our schema for a document, chosen by its root element's namespace; compute documents by API
 * version too: v2's core has the names spec/promotions.json promotes into it. `schema` (a path
 * from the project root) is a test's own, for a registry of its own (its promotions into core).
 */
export const validateOwn = (xml: string, version = 'v1', schema?: string): Promise<Validation> => {
  const ns = /<[\w:-]+[^>]*\sxmlns="([^"]+)"/.exec(xml)?.[1];
  if (ns === 'http://docs.openstack.org/common/api/v1.0') return validate(xml, SPEC_SCHEMAS, 'common.xsd', 'schema', ['atom-link.xsd']);
  if (schema !== undefined) {
    const deps = [...readdirSync(SPEC_SCHEMAS).map((f) => `spec/schemas/${f}`), ...readdirSync(join(PROJECT, dirname(schema))).map((f) => join(dirname(schema), f))];
    return validate(xml, PROJECT, schema, 'schema', deps.filter((f) => f !== schema));
  }
  if (ns === 'http://docs.openstack.org/compute/api/v1.1') {
    const main = version === 'v2' ? 'compute-v2.xsd' : 'compute.xsd';
    return validate(xml, SPEC_SCHEMAS, main, 'schema', ['compute.xsd', 'faults.xsd', 'atom-link.xsd'].filter((f) => f !== main));
  }
  if (ns === 'http://docs.rackspace.com/servers/api/ext/backup/v1.0') return validate(xml, SPEC_SCHEMAS, 'rax-bak.xsd', 'schema', []);
  return Promise.resolve({ valid: false, errors: [`no extgate schema for root namespace ${ns}`] });
};

const ATOM_XSD = ['compute-api-v2/atom/atom.xsd', 'compute-api-v2/atom/xml.xsd'];

/** The published schemas a document of each kind must pass. */
export const reference = {
  /** The strict compute extensions XSD (atom:link checked, foreign elements refused). */
  extensionsXsd: (xml: string) => validate(xml, REFERENCE, 'compute-api-v2/extensions-xsd10-strict.xsd', 'schema', ATOM_XSD),
  /** The same, with the alias pattern that takes several dashes (`\w+(\-\w+)+`): nova's own aliases (`os-flavor-access`) need it. */
  extensionsXsdRelaxedAlias: (xml: string) => validate(xml, REFERENCE, 'compute-api-v2/extensions-xsd10-strict-relaxed-alias.xsd', 'schema', ATOM_XSD),
  keystoneXsd: (xml: string) => validate(xml, REFERENCE, 'keystone-v2.0/extensions.xsd', 'schema', ['keystone-v2.0/atom/atom.xsd', 'keystone-v2.0/atom/xml.xsd']),
  extensionsRng: (xml: string) => validate(xml, REFERENCE, 'nova-rng-2014.1/v1.1/extensions.rng', 'relaxng', ['nova-rng-2014.1/v1.1/extension.rng', 'nova-rng-2014.1/atom-link.rng']),
  extensionRng: (xml: string) => validate(xml, REFERENCE, 'nova-rng-2014.1/v1.1/extension.rng', 'relaxng', ['nova-rng-2014.1/atom-link.rng']),
  versionsRng: (xml: string) => validate(xml, REFERENCE, 'nova-rng-2014.1/v1.1/versions.rng', 'relaxng', ['nova-rng-2014.1/atom-link.rng']),
  versionRng: (xml: string) => validate(xml, REFERENCE, 'nova-rng-2014.1/v1.1/version.rng', 'relaxng', ['nova-rng-2014.1/atom-link.rng']),
  limitsXsd: (xml: string) => validate(xml, REFERENCE, 'compute-api-v2-xsd10/limits.xsd', 'schema', []),
  faultsXsd: (xml: string) => validate(xml, REFERENCE, 'compute-api-v2/faults.xsd', 'schema', []),
  /** The compute v2 set as an XSD 1.0 processor reads it: servers, images, flavors, faults. */
  computeXsd: (xml: string) =>
    validate(xml, REFERENCE, 'compute-api-v2-xsd10/server.xsd', 'schema', [
      'compute-api-v2-xsd10/common.xsd', 'compute-api-v2-xsd10/image.xsd', 'compute-api-v2-xsd10/flavor.xsd', 'compute-api-v2-xsd10/metadata.xsd',
      'compute-api-v2-xsd10/faults.xsd', 'compute-api-v2-xsd10/atom/atom.xsd', 'compute-api-v2-xsd10/atom/xml.xsd',
    ]),
};
