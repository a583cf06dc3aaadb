import { defineExtension } from 'extgate';

/**
 * Flavor Swap (nova's os-flavor-swap): a flavor's swap disk in MB, or "" when it has none, as
 * nova answers it. The size is the flavor's `swap` in the configuration. Nova spelled it `swap`,
 * unqualified, and clients (tempest's flavor schema) require it so. See ../README.md.
 */
export default defineExtension({
  name: 'FlavorSwap',
  namespace: 'http://docs.openstack.org/compute/ext/flavor_swap/api/v1.1',
  alias: 'os-flavor-swap',
  updated: '2012-08-29T00:00:00+00:00',
  description: 'Support to show the swap status of a flavor.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/os-flavor-swap.pdf' }],
  attributes: [{ resource: 'flavor', name: 'swap', bare: true, derive: (doc) => (doc.swap as number | undefined) || '' }],
});
