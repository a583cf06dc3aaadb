import { defineExtension } from 'extgate';

const tags = (v: unknown) => {
  const list = v as string[];
  if (list.length > 50) return 'may hold at most 50 tags';
  return list.every((t) => t.length > 0 && t.length <= 60 && !t.includes(',')) ? undefined : 'must be 1 to 60 characters each, without commas';
};

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
  attributes: [{ resource: 'server', name: 'tags', form: 'list', item: 'tag', accepts: ['create', 'update'], check: tags, default: [] }],
  parameters: [
    {
      // `web` or `web,prod` (every one of them), as nova's `tags`: tags hold no commas.
      resource: 'servers',
      name: 'tag',
      check: (v) => (typeof v === 'string' && v.split(',').every((t) => t !== '') ? undefined : 'must name one tag or several, separated by commas'),
      // Declared, so that the store reads only the servers holding them.
      matches: { field: 'tags', test: 'includesAll', separator: ',' },
    },
  ],
});
