import { defineExtension } from 'extgate';

/** A GiB, in bytes. */
const GIB = 1024 ** 3;

/**
 * Image Size (nova's OS-EXT-IMG-SIZE): an image's size in bytes, as the image service reports it.
 * extgate stores no image data: the size of a base image is its minimum disk, and a snapshot's is
 * what its server's disk could hold, so clients that budget with it stay on the safe side. See ../README.md.
 */
export default defineExtension({
  name: 'ImageSize',
  namespace: 'http://docs.openstack.org/compute/ext/image_size/api/v1.1',
  alias: 'OS-EXT-IMG-SIZE',
  updated: '2013-02-19T00:00:00+00:00',
  description: 'Adds image size to image listings.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-EXT-IMG-SIZE.pdf' }],
  attributes: [{ resource: 'image', name: 'size', type: 'integer', derive: (doc) => (doc.minDisk as number) * GIB }],
});
