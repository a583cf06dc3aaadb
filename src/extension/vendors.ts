import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The vendor prefix registry: `spec/vendors.json`, plus the prefixes an operator adds in config. */
export const VENDORS_FILE = fileURLToPath(new URL('../../spec/vendors.json', import.meta.url));

export const PREFIX = /^[A-Z][A-Z0-9]*$/;

const vendorsFile = z.object({ prefixes: z.record(z.string().regex(PREFIX), z.string().min(1)) });

export type Vendors = ReadonlyMap<string, string>;

export const loadVendors = (extra: Record<string, string> = {}, file = VENDORS_FILE): Vendors => {
  const { prefixes } = vendorsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  return new Map(Object.entries({ ...prefixes, ...extra }));
};
