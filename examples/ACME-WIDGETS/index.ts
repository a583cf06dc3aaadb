// The README's example extension, kept here so that it is known to work (see its test).
import { conflictingRequest, defineExtension } from 'extgate';

export default defineExtension({
  name: 'Widgets',
  namespace: 'http://docs.acme.example/compute/ext/widgets/v1.0',
  alias: 'ACME-WIDGETS',
  updated: '2026-11-29T00:00:00Z',
  description: 'Gives each server a widget colour, a filter on it, and an action to repaint it.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://docs.acme.example/widgets.pdf' }],

  // "ACME-WIDGETS:colour": "red" on servers (an XML attribute in the namespace), settable on create.
  attributes: [{ resource: 'server', name: 'colour', accepts: ['create'], default: 'grey',
    check: (v) => (['red', 'grey'].includes(v as string) ? undefined : 'must be red or grey') }],
  // GET /v1/servers?ACME-WIDGETS:colour=red: declared, so that the store reads only the red ones.
  parameters: [{ resource: 'servers', name: 'colour', matches: { field: 'colour', test: 'equals' } }],
  // {"ACME-WIDGETS:repaint": {}} on POST /v1/servers/{id}/action, only while ACTIVE.
  actions: [{ resource: 'server', name: 'repaint', from: ['ACTIVE'],
    run: ({ doc, names }) => {
      if (names.get(doc, 'colour') === 'red') throw conflictingRequest('Already red.');
      names.set(doc, 'colour', 'red');
    } }],
});
