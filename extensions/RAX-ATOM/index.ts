import { defineExtension } from 'extgate';
import { atomCodec } from './atom.ts';

/** Atom feeds and entries (spec 3.2.6): `Accept: application/atom+xml` on servers and images. See README.md. */
export default defineExtension({
  name: 'Atom Representation Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/atom/v1.0',
  alias: 'RAX-ATOM',
  updated: '2011-10-01T00:00:00Z',
  description: 'Adds Atom feeds of server and image lists, and Atom entries of servers and images.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-atom.pdf' }],
  mediaTypes: [{ resources: ['servers', 'images'], codec: atomCodec((element) => element) }],
});
