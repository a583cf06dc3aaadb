import { defineExtension, type HookContext } from 'extgate';

const metadata = (v: unknown) => {
  const m = v as Record<string, string>;
  if (Object.keys(m).length > 128) return 'may have at most 128 items';
  return Object.entries(m).every(([k, x]) => k !== '' && k.length <= 255 && x.length <= 255) ? undefined : 'keys must be 1 to 255 characters and values at most 255';
};

/** The qualified request name replaces the core's metadata, then leaves no trace of its own. */
const applyMetadata = ({ doc, result, names }: HookContext) => {
  if (doc === undefined) return;
  const key = names.key('metadata');
  if (doc[key] === undefined) return;
  doc.metadata = doc[key];
  delete doc[key];
  if (result !== undefined) result.metadata = doc.metadata;
};

/**
 * Editable Server Metadata (spec 3.2.9, "the ability to edit an otherwise uneditable attribute"):
 * the core sets a server's metadata only at creation; with this extension
 * `PUT /v1/servers/{id}` replaces it, named in the extension's prefix or namespace. See README.md.
 */
export default defineExtension({
  name: 'Editable Server Metadata',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/edit/v1.0',
  alias: 'RAX-EDIT',
  updated: '2011-10-01T00:00:00Z',
  description: 'Lets PUT /servers/{id} replace the metadata of a server, which the core only sets at creation.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-edit.pdf' }],
  attributes: [{ resource: 'server', name: 'metadata', form: 'map', item: 'meta', output: false, accepts: ['update'], check: metadata }],
  hooks: [{ on: 'servers.update', after: applyMetadata }],
});
