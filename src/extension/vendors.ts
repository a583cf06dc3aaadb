import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The vendor prefix registry: `spec/vendors.json`, plus the prefixes an operator adds in config. */
export const VENDORS_FILE = fileURLToPath(new URL('../../spec/vendors.json', import.meta.url));

export const PREFIX = /^[A-Z][A-Z0-9]*$/;

/** An older spelling of a registered prefix: nova spelled many OpenStack aliases `os-`. */
const HISTORICAL = /^[a-z][a-z0-9]*$/;

const vendorsFile = z.object({
  prefixes: z.record(z.string().regex(PREFIX), z.string().min(1)),
  historical: z.record(z.string().regex(HISTORICAL), z.string().regex(PREFIX)).default({}),
});

export type Vendors = ReadonlyMap<string, string>;

export const loadVendors = (extra: Record<string, string> = {}, file = VENDORS_FILE): Vendors => {
  const { prefixes, historical } = vendorsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const all = { ...prefixes, ...extra };
  const old = Object.entries(historical).flatMap(([spelling, prefix]) => (all[prefix] === undefined ? [] : [[spelling, `${all[prefix]} (historical spelling of ${prefix})`]]));
  return new Map([...Object.entries(all), ...old] as [string, string][]);
};
