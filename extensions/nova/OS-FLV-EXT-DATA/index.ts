import { defineExtension } from 'extgate';

/** Flavor Extra Data (nova's OS-FLV-EXT-DATA): the flavor's ephemeral disk in GB (0: none). See ../README.md. */
export default defineExtension({
  name: 'FlavorExtraData',
  namespace: 'http://docs.openstack.org/compute/ext/flavor_extra_data/api/v1.1',
  alias: 'OS-FLV-EXT-DATA',
  updated: '2011-09-14T00:00:00+00:00',
  description: 'Provide additional data for flavors.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-FLV-EXT-DATA.pdf' }],
  attributes: [{ resource: 'flavor', name: 'ephemeral', type: 'integer', default: 0 }],
});
