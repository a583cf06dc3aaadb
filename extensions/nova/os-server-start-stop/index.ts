import { defineExtension } from 'extgate';

/**
 * Server Start/Stop (nova's os-server-start-stop): `{"os-stop": null}` powers a server off into
 * SHUTOFF, `{"os-start": null}` back to ACTIVE. Both are nova's legacy bare action names, and
 * SHUTOFF its bare state, so that clients written for nova (openstacksdk's stop_server,
 * gophercloud's startstop) work as they are. See ../README.md.
 */
export default defineExtension({
  name: 'ServerStartStop',
  namespace: 'http://docs.openstack.org/compute/ext/servers/api/v1.1',
  alias: 'os-server-start-stop',
  updated: '2012-01-23T00:00:00+00:00',
  description: 'Start/Stop instance compute API support.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://extgate.dev/ext/nova/os-server-start-stop.pdf' }],
  // A stopped server can still be snapshotted, as nova allows.
  states: [{ resource: 'server', name: 'SHUTOFF', bare: true, allows: ['createImage'] }],
  // nova's rule names, so that a nova policy file applies as it is.
  policies: [
    { name: 'os_compute_api:servers:stop', check: 'rule:project_member_or_admin', description: 'POST /servers/{id}/action os-stop' },
    { name: 'os_compute_api:servers:start', check: 'rule:project_member_or_admin', description: 'POST /servers/{id}/action os-start' },
  ],
  actions: [
    // nova: stop from ACTIVE or ERROR, start from SHUTOFF; anything else is 409.
    { resource: 'server', name: 'os-stop', bare: true, from: ['ACTIVE', 'ERROR'], to: 'SHUTOFF', policy: 'os_compute_api:servers:stop' },
    { resource: 'server', name: 'os-start', bare: true, from: ['SHUTOFF'], to: 'ACTIVE', policy: 'os_compute_api:servers:start' },
  ],
});
