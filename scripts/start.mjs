// `npm start` / `npm run check`: the compiled gateway (see build.mjs), built first when the
// sources changed since the last tree was made. Arguments go to src/main.ts.
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDist } from './build.mjs';

const tree = await buildDist();
// Used now: kept by the clean-up of trees unused for a day.
const now = new Date();
utimesSync(tree, now, now);
await import(pathToFileURL(join(tree, 'src', 'main.js')).href);
