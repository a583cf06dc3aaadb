import { defineExtension, UUID } from 'extgate';

/** Public Image Extension (spec 3.2.1, 3.2.3): `shared` on images, `?RAX-PIE:img=` on servers. See README.md. */
export default defineExtension({
  name: 'Public Image Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/pie/v1.0',
  alias: 'RAX-PIE',
  updated: '2011-01-22T13:25:27-06:00',
  description: 'Adds the capability to share an image with other users.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/cs-pie-20111111.pdf' },
    { rel: 'describedby', type: 'application/vnd.sun.wadl+xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/cs-pie.wadl' },
  ],
  attributes: [{ resource: 'image', name: 'shared', type: 'boolean', default: false }],
  parameters: [
    {
      // GET /v1/servers?RAX-PIE:img={imageId}: the servers built from that image.
      resource: 'servers',
      name: 'img',
      check: (v) => (typeof v === 'string' && UUID.test(v) ? undefined : 'must be an image id'),
      matches: { field: 'imageId', test: 'equals' },
    },
  ],
});
