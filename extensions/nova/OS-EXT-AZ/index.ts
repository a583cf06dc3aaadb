import { defineExtension } from 'extgate';

/** Extended Availability Zone (nova's OS-EXT-AZ): every server is in the one zone, `nova`, as a single-cell nova has it. See ../README.md. */
export default defineExtension({
  name: 'ExtendedAvailabilityZone',
  namespace: 'http://docs.openstack.org/compute/ext/extended_availability_zone/api/v2',
  alias: 'OS-EXT-AZ',
  updated: '2013-01-30T00:00:00+00:00',
  description: 'Extended Server Attributes support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/OS-EXT-AZ.pdf' }],
  attributes: [{ resource: 'server', name: 'availability_zone', inUpdateAnswer: false, derive: () => 'nova' }],
});
