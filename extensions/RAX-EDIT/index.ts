import { defineExtension, metadataCheck, type HookContext } from 'extgate';

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
  attributes: [{ resource: 'server', name: 'metadata', form: 'map', item: 'meta', output: false, accepts: ['update'], check: metadataCheck }],
  hooks: [{ on: 'servers.update', preSerialization: applyMetadata }],
});
