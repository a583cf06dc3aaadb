import { attribute, defineExtension, input, ownedShape, type Value } from 'extgate';

const WEEKLY = ['DISABLED', 'SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const DAILY = ['DISABLED', ...Array.from({ length: 12 }, (_, i) => `H_${String(i * 2).padStart(2, '0')}00_${String(((i + 1) * 2) % 24).padStart(2, '0')}00`)];
const oneOf = (values: string[]) => (v: unknown) => (values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}`);

/** `{"RAX-BAK:backupSchedule": {...}}` / `<backupSchedule xmlns="...backup/v1.0" .../>` (spec example 4.1). */
const schedule = ownedShape('RAX-BAK', 'backupSchedule', [
  input(attribute('enabled', 'boolean'), { required: true }),
  input(attribute('weekly'), { required: true, check: oneOf(WEEKLY) }),
  input(attribute('daily'), { required: true, check: oneOf(DAILY) }),
]);
const DISABLED: Value = { enabled: false, weekly: 'DISABLED', daily: 'DISABLED' };
const PATH = '/servers/{server_id}/{alias}/backup-schedule';

/** Backup Schedule (spec 3.1.2, 3.2.2, 4.1): a backup-schedule resource under each server. See README.md. */
export default defineExtension({
  name: 'Backup Schedule Extension',
  namespace: 'http://docs.rackspace.com/servers/api/ext/backup/v1.0',
  alias: 'RAX-BAK',
  updated: '2011-09-12T10:40:00-04:00',
  description: 'Allows the schedule of periodic (daily and weekly) images from a server.',
  links: [
    { rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-backup.pdf' },
    { rel: 'describedby', type: 'application/xml', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-backup/rax-backup.wadl' },
  ],
  // The schedule is kept on its server: it goes with it.
  routes: [
    { method: 'GET', path: PATH, output: schedule, handle: ({ doc, names }) => ({ status: 200, value: names.get<Value>(doc!, 'schedule') ?? DISABLED }) },
    {
      method: 'PUT',
      path: PATH,
      input: schedule,
      output: schedule,
      handle: ({ doc, input: value, names, save }) => {
        names.set(doc!, 'schedule', value);
        save(doc!);
        return { status: 200, value };
      },
    },
    {
      method: 'DELETE',
      path: PATH,
      handle: ({ doc, names, save }) => {
        delete doc![names.key('schedule')];
        save(doc!);
        return { status: 204 };
      },
    },
  ],
});
