import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeConfig } from './support/process.ts';
import { PROJECT } from './support/xml.ts';

/**
 * `npm start` as users run it: the compiled tree (scripts/build.mjs, dist/) under plain Node, no
 * TypeScript loader for the gateway itself; an extension folder of TypeScript outside the project
 * still loads (CommonJS through src/extension/typescript.ts, ES modules through tsx), as do the
 * profiles. The rest of the suite runs the sources.
 */
const started: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of started) c.kill('SIGKILL');
});

const npmStart = (args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    // The command package.json's start script runs, without npm in between.
    const child = spawn(process.execPath, ['scripts/start.mjs', 'serve', ...args], { cwd: PROJECT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}`)), 60_000);
    const check = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });

describe('npm start (the compiled gateway)', () => {
  test('serves the shipped extensions, and TypeScript extensions from folders outside the project (ES module and CommonJS)', async () => {
    // A folder with no package.json: tsx runs its TypeScript as CommonJS.
    const loose = mkdtempSync(join(tmpdir(), 'extgate-loose-'));
    mkdirSync(join(loose, 'ACME-LOOSE'));
    const def = { name: 'Loose', namespace: 'http://example.com/ext/loose/v1', alias: 'ACME-LOOSE', updated: '2026-12-03T00:00:00Z', description: 'An extension in a folder of its own.', links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://example.com/loose.pdf' }, { rel: 'describedby', type: 'application/vnd.sun.wadl+xml', href: 'https://example.com/loose.wadl' }] };
    writeFileSync(join(loose, 'ACME-LOOSE', 'index.ts'), `import { defineExtension } from 'extgate';\nconst alias: string = ${JSON.stringify(def.alias)};\nexport default defineExtension({ ...${JSON.stringify(def)}, alias });\n`);
    const url = await npmStart(['--config', writeConfig({ extensions: { paths: [`${PROJECT}/examples`, loose] }, vendors: { ACME: 'Acme Corp' } })]);
    expect((await fetch(`${url}/v1/extensions/ACME-LOOSE`)).status).toBe(200);
    expect((await fetch(`${url}/v1/extensions/RAX-BAK`)).status).toBe(200);
    const widgets = await fetch(`${url}/v1/extensions/ACME-WIDGETS`, { headers: { Accept: 'application/json' } });
    expect(widgets.status).toBe(200);
    expect((await widgets.json()).extension.alias).toBe('ACME-WIDGETS');
  }, 90_000);

  test('CommonJS TypeScript extensions: through a symbolic link, helpers imported as .js, an edit seen at the next start, a file that does not compile reported', async () => {
    const root = mkdtempSync(join(tmpdir(), 'extgate-cjs-'));
    mkdirSync(join(root, 'ACME-HELPED', 'lib'), { recursive: true });
    const helper = join(root, 'ACME-HELPED', 'lib', 'description.ts');
    const describe = (text: string) => {
      writeFileSync(helper, `export const description: string = ${JSON.stringify(text)};\n`);
    };
    describe('First words.');
    const def = { name: 'Helped', namespace: 'http://example.com/ext/helped/v1', alias: 'ACME-HELPED', updated: '2026-12-03T00:00:00Z', links: [{ rel: 'describedby', type: 'application/pdf', href: 'https://example.com/h.pdf' }] };
    writeFileSync(join(root, 'ACME-HELPED', 'index.ts'), `import { defineExtension } from 'extgate';\nimport { description } from './lib/description.js';\nexport default defineExtension({ ...${JSON.stringify(def)}, description });\n`);
    // Named through a link, as a release's `current` folder or a mounted volume is: Node requires real paths.
    const link = join(mkdtempSync(join(tmpdir(), 'extgate-link-')), 'current');
    symlinkSync(root, link);
    const config = writeConfig({ extensions: { paths: [link] }, vendors: { ACME: 'Acme Corp' } });
    const described = async (): Promise<string> => {
      const url = await npmStart(['--config', config]);
      return ((await (await fetch(`${url}/v1/extensions/ACME-HELPED`, { headers: { Accept: 'application/json' } })).json()) as { extension: { description: string } }).extension.description;
    };
    expect(await described()).toBe('First words.');
    describe('Second, longer words.');
    expect(await described()).toBe('Second, longer words.');

    mkdirSync(join(root, 'ACME-BROKEN'));
    writeFileSync(join(root, 'ACME-BROKEN', 'index.ts'), 'export default {{ not typescript\n');
    const check = spawnSync(process.execPath, ['scripts/start.mjs', 'check', '--config', config], { cwd: PROJECT, encoding: 'utf8', timeout: 60_000 });
    expect(check.status).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/ACME-BROKEN: \(module\): cannot be imported: .*ACME-BROKEN\/index.ts:1:16: Expected identifier/);
    expect(check.stdout + check.stderr).not.toMatch(/ACME-HELPED: /);
  }, 90_000);

  test('--profile nova: nova\'s own extensions, found from the compiled tree', async () => {
    const url = await npmStart(['--profile', 'nova', '--config', writeConfig({})]);
    const aliases = (await (await fetch(`${url}/v2/extensions`)).json()).extensions.map((e: { alias: string }) => e.alias);
    expect(aliases).toEqual(expect.arrayContaining(['OS-EXT-STS', 'os-admin-actions', 'OS-DCF']));
  }, 90_000);
});
