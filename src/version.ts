import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from './config.ts';
import { join } from 'node:path';

/** extgate's own version (package.json), for the health check and the logs. */
export const VERSION: string = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
