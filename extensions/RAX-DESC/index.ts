import { defineExtension } from 'extgate';

/** Image Description (spec 3.2.1, example 3.8): a `description` element on images. See README.md. */
export default defineExtension({
  name: 'Image Description Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/desc/v1.0',
  alias: 'RAX-DESC',
  updated: '2011-10-01T00:00:00Z',
  description: 'Adds a human readable description to images, set when an image is created from a server.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-desc.pdf' }],
  attributes: [
    {
      resource: 'image',
      name: 'description',
      form: 'element',
      accepts: ['createImage'],
      check: (v) => (typeof v === 'string' && v.length <= 1024 ? undefined : 'must be at most 1024 characters'),
    },
  ],
});
