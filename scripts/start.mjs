// `npm start` / `npm run check`: the compiled gateway (dist/, see build.mjs), rebuilt first when
// any source is newer than it, so that an edit is never served stale. Arguments go to src/main.ts.
import { existsSync, statSync } from 'node:fs';
import { buildDist, newestInput, STAMP } from './build.mjs';

if (!existsSync(STAMP) || statSync(STAMP).mtimeMs < newestInput()) await buildDist();
await import('../dist/src/main.js');
