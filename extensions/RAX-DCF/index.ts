import { defineExtension } from 'extgate';

const AUTO_OR_MANUAL = (v: unknown) => (v === 'AUTO' || v === 'MANUAL' ? undefined : 'must be AUTO or MANUAL');

/** Disk Configuration (spec 3.1.1): the `diskConfig` flag on servers and images. See README.md. */
export default defineExtension({
  name: 'Disk Configuration Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0',
  alias: 'RAX-DCF',
  updated: '2011-09-27T00:00:00',
  description: 'Adds support for disk management flag on servers and images.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-dcf.pdf' },
    { rel: 'describedby', type: 'application/xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-dcf/api.xsd' },
  ],
  attributes: [
    // Set on create and changed by an update, as nova's OS-DCF takes it.
    { resource: 'server', name: 'diskConfig', accepts: ['create', 'update'], check: AUTO_OR_MANUAL, default: 'AUTO', inCreateAnswer: true },
    { resource: 'image', name: 'diskConfig', default: 'AUTO' },
  ],
  hooks: [
    {
      // An image made from a server keeps the server's disk configuration.
      on: 'servers.action',
      preSerialization: ({ action, doc, created, names }) => {
        if (action === 'createImage' && doc !== undefined && created !== undefined) names.set(created, 'diskConfig', names.get(doc, 'diskConfig'));
      },
    },
  ],
});
