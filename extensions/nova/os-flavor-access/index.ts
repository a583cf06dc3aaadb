import { defineExtension } from 'extgate';

/**
 * Flavor Access (nova's os-flavor-access): whether every project may use the flavor. extgate's
 * flavors come from its configuration and are all public. See ../README.md.
 */
export default defineExtension({
  name: 'FlavorAccess',
  namespace: 'http://docs.openstack.org/compute/ext/flavor_access/api/v2',
  alias: 'os-flavor-access',
  updated: '2012-08-01T00:00:00+00:00',
  description: 'Flavor access support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/os-flavor-access.pdf' }],
  attributes: [{ resource: 'flavor', name: 'is_public', type: 'boolean', default: true }],
});
