import { attribute, conflictingRequest, defineExtension, input, type Value } from 'extgate';

interface Volume extends Value {
  CBSID: string;
  type: string;
}

/**
 * Cloud Block Storage (spec 3.2.4, 3.2.7, 3.2.8): mount_volume and unmount_volume actions through
 * the new state ATTACHING, the mounted volumes on the server, and two headers. See README.md.
 */
export default defineExtension({
  name: 'Cloud Block Storage',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.0',
  alias: 'RAX-CBS',
  updated: '2011-01-12T11:22:33-06:00',
  description: 'Allows mounting cloud block storage volumes.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/cs-cbs-20111201.pdf' },
    { rel: 'describedby', type: 'application/vnd.sun.wadl+xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/cs-cbs.wadl' },
  ],
  states: [{ resource: 'server', name: 'ATTACHING' }],
  attributes: [{ resource: 'server', name: 'volumes', form: 'list', item: 'volume', fields: [attribute('CBSID'), attribute('type')], default: [] }],
  headers: { request: ['Volume-Type'], response: ['Volumes-Attached'] },
  actions: [
    {
      resource: 'server',
      name: 'mount_volume',
      fields: [input(attribute('CBSID'), { required: true })],
      from: ['ACTIVE'],
      via: 'ATTACHING',
      to: 'ACTIVE',
      run: ({ input: body, doc, names, header }) => {
        const volumes = names.get<Volume[]>(doc, 'volumes') ?? [];
        if (volumes.some((v) => v.CBSID === body.CBSID)) throw conflictingRequest(`Volume ${body.CBSID} is already mounted on this server.`);
        names.set(doc, 'volumes', [...volumes, { CBSID: body.CBSID as string, type: header('Volume-Type') ?? 'SATA' }]);
      },
    },
    {
      resource: 'server',
      name: 'unmount_volume',
      fields: [input(attribute('CBSID'), { required: true })],
      from: ['ACTIVE'],
      via: 'ATTACHING',
      to: 'ACTIVE',
      run: ({ input: body, doc, names }) => {
        const volumes = names.get<Volume[]>(doc, 'volumes') ?? [];
        if (!volumes.some((v) => v.CBSID === body.CBSID)) throw conflictingRequest(`Volume ${body.CBSID} is not mounted on this server.`);
        names.set(doc, 'volumes', volumes.filter((v) => v.CBSID !== body.CBSID));
      },
    },
  ],
  hooks: [
    {
      on: 'servers.show',
      preSerialization: ({ doc, names, setHeader }) => setHeader('Volumes-Attached', String((names.get<Volume[]>(doc!, 'volumes') ?? []).length)),
    },
  ],
});
