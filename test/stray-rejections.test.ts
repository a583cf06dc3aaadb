import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { PROJECT } from './support/xml.ts';

/**
 * The policy `npm start` installs on PostgreSQL (src/ops/stray-rejections.ts), in a process of its
 * own, since it is the process's: a connection error nobody was waiting for is logged and the
 * process goes on; any other unheard rejection still ends it.
 */
test('a stray connection error is logged and the process goes on; any other unheard rejection ends it', () => {
  const script = `
    const { tolerateStrayRejections } = await import(${JSON.stringify(join(PROJECT, 'src/ops/stray-rejections.ts'))});
    const { isConnectionError } = await import(${JSON.stringify(join(PROJECT, 'src/store/postgres.ts'))});
    tolerateStrayRejections((message, level, fields) => console.log(JSON.stringify({ message, level, ...fields })), isConnectionError);
    Promise.reject(Object.assign(new Error('write CONNECTION_DESTROYED'), { code: 'CONNECTION_DESTROYED' }));
    setTimeout(() => {
      console.log('still serving');
      // Not postgres.js's: any socket's, which may be a bug of the gateway's own.
      Promise.reject(Object.assign(new Error('a bug nobody caught'), { code: 'ECONNRESET' }));
    }, 100);
    setTimeout(() => console.log('should not be reached'), 1000);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT, encoding: 'utf8', timeout: 30_000 });
  const lines = run.stdout.trim().split('\n');
  expect(JSON.parse(lines[0]!)).toEqual({ message: 'a database connection failed with no request waiting for it: write CONNECTION_DESTROYED', level: 'warn', code: 'CONNECTION_DESTROYED' });
  expect(lines[1]).toBe('still serving');
  expect(run.stdout).not.toContain('should not be reached');
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('a bug nobody caught');
});
