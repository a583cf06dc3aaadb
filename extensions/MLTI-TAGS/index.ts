import { defineExtension } from 'extgate';

/** Server Tags, a multi-vendor extension: free-form tags on servers, and a tag filter. See README.md. */
export default defineExtension({
  name: 'Server Tags',
  namespace: 'http://docs.openstack.org/compute/ext/multi-vendor/tags/v1.0',
  alias: 'MLTI-TAGS',
  updated: '2026-11-29T00:00:00Z',
  description: 'Adds free-form tags to servers and lets the server list be filtered by tag.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/mlti-tags/mlti-tags.pdf' },
    { rel: 'describedby', type: 'text/markdown', href: 'https://extgate.dev/ext/mlti-tags/README.md' },
  ],
});
