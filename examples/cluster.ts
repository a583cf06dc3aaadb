/**
 * npm run cluster -- [--instances 3] [--port 8774]: the scale-out deployment on this machine, for
 * trying it: one PostgreSQL (Debian's postgresql 15), N extgate instances on it, nginx (Debian's)
 * in front. Ctrl-C stops everything and removes its folders.
 *
 *   curl -s http://127.0.0.1:8774/v1/servers
 */
import { parseArgs } from 'node:util';
import { startCluster } from '../test/harness/cluster.ts';
import { cleanupAll } from '../test/harness/process.ts';

const { values } = parseArgs({ options: { instances: { type: 'string', default: '3' }, port: { type: 'string', default: '8774' } } });
process.on('SIGINT', () => void cleanupAll().then(() => process.exit(0)));
const cluster = await startCluster({ instances: Number(values.instances), port: Number(values.port), log: (l) => console.log(l) });
console.log(`\n${cluster.instances.length} instances behind ${cluster.balancer.url}; Ctrl-C stops them all.`);
